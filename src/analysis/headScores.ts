/**
 * Per-head attention scores on one prompt, computed from a layer's pattern
 * `blocks.{l}.attn.hook_pattern` with the batch axis dropped: [head_index, query_pos, key_pos].
 *
 * Every score averages over query positions q ≥ 1: row 0 can only attend to itself, so it would
 * pull every score towards "all attention on position 0" for short prompts.
 */
import type { Float32Tensor } from '../model/tensor';

/** One layer's attention pattern, batch dropped: [head_index, query_pos, key_pos]. */
export type LayerPattern = Float32Tensor<'head_index query_pos key_pos'>;

export interface PatternShape {
  readonly nHeads: number;
  readonly nTokens: number;
}

/** Checks that `p` is [head, q, k] with q == k and returns its sizes. */
export function patternShape(p: LayerPattern): PatternShape {
  if (p.dims.length !== 3) throw new Error(`attention pattern must be [head, query, key], got dims [${p.dims.join(', ')}]`);
  const [nHeads, nq, nk] = p.dims;
  if (nq !== nk) throw new Error(`attention pattern must be square in query × key, got ${nq} × ${nk}`);
  if (p.data.length !== nHeads * nq * nk) {
    throw new Error(`attention pattern data has ${p.data.length} elements but dims [${p.dims.join(', ')}] need ${nHeads * nq * nk}`);
  }
  return { nHeads, nTokens: nq };
}

/** Mean attention from position q to q − 1, per head. NaN for a one-token prompt. */
export function previousTokenScores(p: LayerPattern): number[] {
  const { nHeads, nTokens: n } = patternShape(p);
  const out: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    if (n < 2) {
      out.push(NaN);
      continue;
    }
    const base = h * n * n;
    let sum = 0;
    for (let q = 1; q < n; q++) sum += p.data[base + q * n + q - 1];
    out.push(sum / (n - 1));
  }
  return out;
}

/**
 * For each query position q, the key positions j + 1 that follow an earlier occurrence j < q of
 * token[q] (the positions an induction head attends to). BOS tokens neither match nor are matched.
 * q itself is never a target: in a run of one token (indentation spaces), the occurrence at q − 1 is
 * followed by q, and a head that attends to the current token would pass for an induction head.
 */
export function inductionTargets(tokenIds: readonly number[], isBos: readonly boolean[] = []): number[][] {
  const seen = new Map<number, number[]>();
  const targets: number[][] = [];
  for (let q = 0; q < tokenIds.length; q++) {
    const id = tokenIds[q];
    if (isBos[q]) {
      targets.push([]);
      continue;
    }
    const earlier = seen.get(id);
    targets.push(earlier ? earlier.map((j) => j + 1).filter((k) => k !== q) : []);
    if (earlier) earlier.push(q);
    else seen.set(id, [q]);
  }
  return targets;
}

/**
 * Induction score on this prompt, per head: the attention from q to the tokens right after the
 * earlier occurrences of token[q] (summed over occurrences), averaged over the queries that have
 * an earlier occurrence. NaN when no token repeats.
 */
export function inductionScores(p: LayerPattern, tokenIds: readonly number[], isBos: readonly boolean[] = []): number[] {
  const { nHeads, nTokens: n } = patternShape(p);
  if (tokenIds.length !== n) throw new Error(`induction score needs ${n} token ids, got ${tokenIds.length}`);
  const targets = inductionTargets(tokenIds, isBos);
  const queries = targets.map((t, q) => (t.length > 0 ? q : -1)).filter((q) => q >= 0);
  const out: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    if (queries.length === 0) {
      out.push(NaN);
      continue;
    }
    const base = h * n * n;
    let sum = 0;
    for (const q of queries) {
      const row = base + q * n;
      for (const k of targets[q]) sum += p.data[row + k];
    }
    out.push(sum / queries.length);
  }
  return out;
}

/** Mean attention from q ≥ 1 to position `sinkIndex` (the BOS token, 0 by default), per head. */
export function bosAttentionScores(p: LayerPattern, sinkIndex = 0): number[] {
  const { nHeads, nTokens: n } = patternShape(p);
  if (sinkIndex < 0 || sinkIndex >= n) throw new RangeError(`sink index ${sinkIndex} outside 0..${n - 1}`);
  const out: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    const base = h * n * n;
    let sum = 0;
    let count = 0;
    for (let q = Math.max(1, sinkIndex); q < n; q++) {
      sum += p.data[base + q * n + sinkIndex];
      count++;
    }
    out.push(count > 0 ? sum / count : NaN);
  }
  return out;
}

/** Mean entropy (nats) of the query rows q ≥ 1, per head; 0 for a one-token prompt. */
export function meanEntropies(p: LayerPattern): number[] {
  const { nHeads, nTokens: n } = patternShape(p);
  const out: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    if (n < 2) {
      out.push(0);
      continue;
    }
    const base = h * n * n;
    let total = 0;
    for (let q = 1; q < n; q++) {
      const row = base + q * n;
      let e = 0;
      for (let k = 0; k <= q; k++) {
        const a = p.data[row + k];
        if (a > 0) e -= a * Math.log(a);
      }
      total += e;
    }
    out.push(total / (n - 1));
  }
  return out;
}
