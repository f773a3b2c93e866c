/** Small float64 helpers over rows of float32 tensors. */

/** Σ a[ao + i]·b[bo + i] for i < n, in float64. */
export function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
  return s;
}

/** L2 norm of a row, raw and after subtracting its mean. */
export function rowNorms(data: Float32Array, offset: number, n: number): { raw: number; centred: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i];
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i] - mean;
    c += v * v;
  }
  return { raw: Math.sqrt(sq), centred: Math.sqrt(c) };
}

/** Index of the largest logit (the first on ties). */
export function topLogitId(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
