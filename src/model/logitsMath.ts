/** Small numeric helpers over one row of logits [d_vocab]. */

export function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
}

export interface TopToken {
  readonly id: number;
  readonly logit: number;
  readonly prob: number;
}

/** The k highest logits of a row, best first, with softmax probabilities. */
export function topK(row: Float32Array, k: number): TopToken[] {
  const lse = logSumExp(row);
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    if (best.length < k || row[i] > row[best[best.length - 1]]) {
      let j = best.length < k ? best.length : best.length - 1;
      if (best.length < k) best.push(i);
      while (j > 0 && row[best[j - 1]] < row[i]) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = i;
    }
  }
  return best.map((id) => ({ id, logit: row[id], prob: Math.exp(row[id] - lse) }));
}
