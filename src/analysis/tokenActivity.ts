/**
 * Per-head activity of one token, for the editor hover: how strongly each head attends from the
 * token (as query) to some other non-BOS token, and how strongly later tokens attend to it.
 * No `vscode` import.
 */
import type { LayerPattern } from './headScores';
import type { HeadActivity } from '../shared/inspection';

/**
 * `layers[l]` is [head_index, query_pos, key_pos]. `isBos[k]` leaves key k out of `from` (the
 * BOS sink would otherwise top every head).
 */
export function tokenActivity(layers: readonly LayerPattern[], tokenIndex: number, isBos: readonly boolean[]): HeadActivity[] {
  const out: HeadActivity[] = [];
  layers.forEach((p, layer) => {
    const [nHeads, n] = [p.dims[0], p.dims[1]];
    if (!Number.isInteger(tokenIndex) || tokenIndex < 0 || tokenIndex >= n) throw new RangeError(`token ${tokenIndex} outside 0..${n - 1}`);
    const t = tokenIndex;
    for (let h = 0; h < nHeads; h++) {
      const base = h * n * n;
      let fromWeight = 0;
      let fromKey = -1;
      for (let k = 0; k <= t; k++) {
        if (isBos[k]) continue;
        const w = p.data[base + t * n + k];
        if (w > fromWeight) [fromWeight, fromKey] = [w, k];
      }
      let toWeight = 0;
      let toQuery = -1;
      if (!isBos[t]) {
        for (let q = t + 1; q < n; q++) {
          const w = p.data[base + q * n + t];
          if (w > toWeight) [toWeight, toQuery] = [w, q];
        }
      }
      out.push({ layer, head: h, fromWeight, fromKey, toWeight, toQuery });
    }
  });
  return out;
}

/** The k heads with the largest `key` weight (ties: lower layer, then head, first), weight > 0 only. */
export function topHeads(heads: readonly HeadActivity[], key: 'fromWeight' | 'toWeight', k: number): HeadActivity[] {
  return heads
    .filter((h) => h[key] > 0)
    .sort((a, b) => b[key] - a[key] || a.layer - b.layer || a.head - b.head)
    .slice(0, Math.max(0, k));
}
