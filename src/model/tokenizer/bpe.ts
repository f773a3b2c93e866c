import { NumberMinHeap } from './numberMinHeap';
import { TokenizerDataError } from './tokenizerDataError';

/** One merge rule: two adjacent tokens (in byte-level form) that BPE joins into one. */
export type MergePair = readonly [left: string, right: string];

/** Merge ranks are packed with a symbol position into one heap key: rank · POSITION_SPAN + position. */
const POSITION_SPAN = 2 ** 32;
const MAX_MERGES = 2 ** 20; // keeps rank · POSITION_SPAN + position below 2^53

/**
 * The merge rules as token ids: for a pair of adjacent token ids, its rank (earlier merges win) and the
 * id of the token it merges into. All three tokens of every merge must be in the vocabulary.
 */
export class MergeTable {
  private constructor(
    private readonly rankByPair: Map<number, number>,
    private readonly resultIdByRank: Int32Array,
    private readonly idSpan: number,
  ) {}

  /**
   * @param idOf looks up a token's id in the vocabulary
   * @param idSpan one more than the largest token id
   */
  static build(merges: readonly MergePair[], idOf: (token: string) => number | undefined, idSpan: number): MergeTable {
    if (merges.length > MAX_MERGES) {
      throw new TokenizerDataError('merges', `${merges.length} merges is more than the ${MAX_MERGES} supported`);
    }
    const rankByPair = new Map<number, number>();
    const resultIdByRank = new Int32Array(merges.length);
    merges.forEach(([left, right], rank) => {
      const describe = (): string => `merge ${rank + 1} of ${merges.length} (${JSON.stringify(`${left} ${right}`)})`;
      const leftId = idOf(left);
      if (leftId === undefined) throw new TokenizerDataError('merges', `${describe()}: ${JSON.stringify(left)} is not in the vocabulary`);
      const rightId = idOf(right);
      if (rightId === undefined) throw new TokenizerDataError('merges', `${describe()}: ${JSON.stringify(right)} is not in the vocabulary`);
      const resultId = idOf(left + right);
      if (resultId === undefined) {
        throw new TokenizerDataError('merges', `${describe()}: its result ${JSON.stringify(left + right)} is not in the vocabulary`);
      }
      // A repeated merge takes the later rank, as in GPT-2's encoder.py and HF tokenizers.
      rankByPair.set(leftId * idSpan + rightId, rank);
      resultIdByRank[rank] = resultId;
    });
    return new MergeTable(rankByPair, resultIdByRank, idSpan);
  }

  get size(): number {
    return this.resultIdByRank.length;
  }

  /** The rank of merging `leftId` with `rightId`, or -1 if no merge joins them. */
  rankOf(leftId: number, rightId: number): number {
    return this.rankByPair.get(leftId * this.idSpan + rightId) ?? -1;
  }

  /** The token id that the merge of this rank produces. */
  resultOf(rank: number): number {
    return this.resultIdByRank[rank];
  }
}

/**
 * BPE over one piece: starting from its byte tokens, repeatedly merge the adjacent pair with the lowest
 * rank (the leftmost one among equals) until no adjacent pair has a merge. This is GPT-2's algorithm; a
 * heap over (rank, position) and a linked list of symbols keep it O(n log n) for long pieces.
 */
export function bytePairMerge(byteTokenIds: readonly number[], merges: MergeTable): number[] {
  const n = byteTokenIds.length;
  if (n < 2) return byteTokenIds.slice();
  /** The token at each position; -1 once it has been merged into its left neighbour. */
  const ids = Int32Array.from(byteTokenIds);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const candidates = new NumberMinHeap();
  const pushPairAt = (pos: number): void => {
    const right = next[pos];
    if (right < 0) return;
    const rank = merges.rankOf(ids[pos], ids[right]);
    if (rank >= 0) candidates.push(rank * POSITION_SPAN + pos);
  };
  for (let i = 0; i + 1 < n; i++) pushPairAt(i);

  for (let key = candidates.pop(); key !== undefined; key = candidates.pop()) {
    const rank = Math.floor(key / POSITION_SPAN);
    const pos = key - rank * POSITION_SPAN;
    const right = next[pos];
    // Skip candidates made stale by an earlier merge.
    if (ids[pos] < 0 || right < 0 || merges.rankOf(ids[pos], ids[right]) !== rank) continue;
    ids[pos] = merges.resultOf(rank);
    ids[right] = -1;
    const afterRight = next[right];
    next[pos] = afterRight;
    if (afterRight >= 0) prev[afterRight] = pos;
    if (prev[pos] >= 0) pushPairAt(prev[pos]);
    pushPairAt(pos);
  }

  const merged: number[] = [];
  for (let pos = 0; pos >= 0; pos = next[pos]) merged.push(ids[pos]);
  return merged;
}
