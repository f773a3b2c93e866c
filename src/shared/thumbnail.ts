/**
 * Downsampling attention patterns to thumbnails for the head grid. Max-pooling (not averaging)
 * keeps sharp attention visible: a previous-token diagonal stays a bright line at any size.
 */

/** Thumbnail side for `nTokens` tokens: at most `maxSize`, never larger than the pattern. */
export function thumbnailSize(nTokens: number, maxSize = 32): number {
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`thumbnail size must be a positive integer, got ${maxSize}`);
  return Math.max(1, Math.min(nTokens, maxSize));
}

/** Bin of each of `n` positions when they are pooled into `size` bins (bins are non-empty when size ≤ n). */
export function poolBins(n: number, size: number): Int32Array {
  const bins = new Int32Array(n);
  for (let i = 0; i < n; i++) bins[i] = Math.min(size - 1, Math.floor((i * size) / n));
  return bins;
}

/**
 * Max-pools a square pattern [nTokens (query), nTokens (key)] (row-major, starting at `offset` in
 * `pattern`) into a [size, size] thumbnail written to `out` at `outOffset`.
 */
export function maxPoolPattern(
  pattern: Float32Array,
  nTokens: number,
  size: number,
  out: Float32Array = new Float32Array(size * size),
  offset = 0,
  outOffset = 0,
): Float32Array {
  if (size > nTokens) throw new RangeError(`cannot max-pool ${nTokens} tokens into ${size} bins (upsampling)`);
  if (offset + nTokens * nTokens > pattern.length) throw new RangeError('pattern is shorter than nTokens × nTokens');
  if (outOffset + size * size > out.length) throw new RangeError('thumbnail output is shorter than size × size');
  const bins = poolBins(nTokens, size);
  out.fill(0, outOffset, outOffset + size * size);
  for (let q = 0; q < nTokens; q++) {
    const row = offset + q * nTokens;
    const outRow = outOffset + bins[q] * size;
    // Causal patterns are zero above the diagonal, so keys after q never raise a maximum.
    for (let k = 0; k < nTokens; k++) {
      const v = pattern[row + k];
      const o = outRow + bins[k];
      if (v > out[o]) out[o] = v;
    }
  }
  return out;
}
