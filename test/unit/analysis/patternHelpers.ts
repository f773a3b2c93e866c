/** Test helpers: causal attention patterns built from per-head score functions. */
import { float32Tensor } from '../../../src/model/tensor';
import type { LayerPattern } from '../../../src/analysis/headScores';

/** A [nHeads, n, n] causal pattern: row q is softmax over k ≤ q of score(h, q, k). */
export function causalPattern(nHeads: number, n: number, score: (h: number, q: number, k: number) => number): LayerPattern {
  const data = new Float32Array(nHeads * n * n);
  for (let h = 0; h < nHeads; h++) {
    for (let q = 0; q < n; q++) {
      const row = (h * n + q) * n;
      let max = -Infinity;
      for (let k = 0; k <= q; k++) max = Math.max(max, score(h, q, k));
      let sum = 0;
      for (let k = 0; k <= q; k++) {
        const e = Math.exp(score(h, q, k) - max);
        data[row + k] = e;
        sum += e;
      }
      for (let k = 0; k <= q; k++) data[row + k] /= sum;
    }
  }
  return float32Tensor([nHeads, n, n], data);
}

/** A [nHeads, n, n] pattern from explicit rows (one array of rows per head). */
export function patternFromRows(rowsPerHead: number[][][]): LayerPattern {
  const nHeads = rowsPerHead.length;
  const n = rowsPerHead[0].length;
  const data = new Float32Array(nHeads * n * n);
  rowsPerHead.forEach((rows, h) => rows.forEach((row, q) => row.forEach((v, k) => (data[(h * n + q) * n + k] = v))));
  return float32Tensor([nHeads, n, n], data);
}
