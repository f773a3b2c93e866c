/**
 * A closed subset of GPT-2's byte-level BPE vocabulary (no I/O, so the tests can check the shipped files).
 *
 * GPT-2's vocabulary is the 256 byte tokens, then one token per merge (id 256 + merge rank), then
 * `<|endoftext|>`. A subset is closed when BPE with only its merges can produce only its tokens:
 * every byte token is kept, a merge is kept iff its result is kept, and both parts of every kept
 * merge are kept. Renumbering the kept tokens in their original id order keeps that layout (bytes,
 * then merge results in merge order, then `<|endoftext|>`).
 */
export const END_OF_TEXT = '<|endoftext|>';

export interface VocabSubset {
  /** token → new id, ids 0..size−1 */
  readonly vocab: Record<string, number>;
  /** kept merges "left right", in their original order */
  readonly merges: string[];
  /** how many tokens the closure added beyond the requested ones */
  readonly addedByClosure: number;
}

/** Splits a merge line "left right" (byte-level tokens never contain a space). */
export function mergeParts(merge: string): [string, string] {
  const space = merge.indexOf(' ');
  return [merge.slice(0, space), merge.slice(space + 1)];
}

/**
 * @param vocab the full vocabulary (token → id)
 * @param merges the full merges, best first
 * @param wanted tokens to keep (in the full vocabulary's byte-level form); bytes and `<|endoftext|>` are
 *   always kept
 */
export function closedSubset(vocab: Record<string, number>, merges: readonly string[], wanted: Iterable<string>): VocabSubset {
  const partsOf = new Map<string, [string, string]>();
  for (const merge of merges) {
    const [left, right] = mergeParts(merge);
    partsOf.set(left + right, [left, right]);
  }
  const kept = new Set<string>();
  const keep = (token: string): void => {
    if (kept.has(token)) return;
    if (!(token in vocab)) throw new Error(`${JSON.stringify(token)} is not in the vocabulary`);
    kept.add(token);
    const parts = partsOf.get(token);
    if (parts !== undefined) {
      keep(parts[0]);
      keep(parts[1]);
    }
  };
  let requested = 0;
  const requestedSet = new Set<string>();
  const byteTokens = Object.keys(vocab).filter((t) => t !== END_OF_TEXT && !partsOf.has(t));
  if (byteTokens.length !== 256) throw new Error(`expected 256 byte tokens (tokens no merge produces), found ${byteTokens.length}`);
  for (const token of [...byteTokens, END_OF_TEXT, ...wanted]) {
    if (!requestedSet.has(token)) {
      requestedSet.add(token);
      requested++;
    }
    keep(token);
  }
  const order = [...kept].sort((a, b) => vocab[a] - vocab[b]);
  const newVocab: Record<string, number> = {};
  order.forEach((token, id) => (newVocab[token] = id));
  const keptMerges = merges.filter((merge) => {
    const [left, right] = mergeParts(merge);
    return kept.has(left + right);
  });
  return { vocab: newVocab, merges: keptMerges, addedByClosure: kept.size - requested };
}

export interface ClosureProblem {
  readonly merge: string;
  readonly problem: string;
}

/**
 * Checks that `vocab` + `merges` are self-consistent and closed: ids are 0..n−1, every merge's parts
 * and result are in the vocabulary, every non-byte token (other than `<|endoftext|>`) is the result of
 * exactly one merge, and there are exactly 256 byte tokens. Returns the problems (empty when fine).
 */
export function closureProblems(vocab: Record<string, number>, merges: readonly string[]): ClosureProblem[] {
  const problems: ClosureProblem[] = [];
  const ids = Object.values(vocab).sort((a, b) => a - b);
  ids.forEach((id, i) => {
    if (id !== i) problems.push({ merge: '', problem: `ids are not 0..${ids.length - 1}: position ${i} holds ${id}` });
  });
  const produced = new Map<string, number>();
  for (const merge of merges) {
    const [left, right] = mergeParts(merge);
    for (const [role, token] of [
      ['left part', left],
      ['right part', right],
      ['result', left + right],
    ] as const) {
      if (!(token in vocab)) problems.push({ merge, problem: `${role} ${JSON.stringify(token)} is not in the vocabulary` });
    }
    produced.set(left + right, (produced.get(left + right) ?? 0) + 1);
  }
  let byteTokens = 0;
  for (const token of Object.keys(vocab)) {
    if (token === END_OF_TEXT) continue;
    const n = produced.get(token) ?? 0;
    if (n === 0) {
      byteTokens++;
      if ([...token].length !== 1) problems.push({ merge: '', problem: `${JSON.stringify(token)} is neither a byte token nor the result of a merge` });
    }
    if (n > 1) problems.push({ merge: '', problem: `${JSON.stringify(token)} is produced by ${n} merges` });
  }
  if (byteTokens !== 256) problems.push({ merge: '', problem: `${byteTokens} tokens are produced by no merge; expected the 256 byte tokens` });
  return problems.slice(0, 20);
}
