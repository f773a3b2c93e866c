/**
 * A token-level diff of two prompts (longest common subsequence on token ids), so the user sees
 * exactly which tokens a substitution changed, and whether position-wise patching is possible.
 */

export type TokenDiffOp =
  | { readonly kind: 'equal'; readonly a: number; readonly b: number }
  | { readonly kind: 'replace'; readonly a: number; readonly b: number }
  | { readonly kind: 'delete'; readonly a: number }
  | { readonly kind: 'insert'; readonly b: number };

export interface TokenDiff {
  readonly ops: readonly TokenDiffOp[];
  /** Equal token counts: position-wise patching is possible. */
  readonly aligned: boolean;
  /** Positions whose tokens differ, when aligned. */
  readonly differingPositions: readonly number[];
  /** The first position whose token differs (length of the shared prefix). */
  readonly firstDifference: number;
}

export function diffTokens(a: readonly number[], b: readonly number[]): TokenDiff {
  const n = a.length;
  const m = b.length;
  let prefix = 0;
  while (prefix < n && prefix < m && a[prefix] === b[prefix]) prefix++;
  if (n === m) {
    const differing = a.map((t, i) => (t !== b[i] ? i : -1)).filter((i) => i >= 0);
    const ops: TokenDiffOp[] = a.map((t, i) => (t === b[i] ? { kind: 'equal', a: i, b: i } : { kind: 'replace', a: i, b: i }));
    return { ops, aligned: true, differingPositions: differing, firstDifference: prefix };
  }
  // LCS table on the remaining parts (prompts are at most n_positions long).
  const A = a.slice(prefix);
  const B = b.slice(prefix);
  const lcs = Array.from({ length: A.length + 1 }, () => new Int32Array(B.length + 1));
  for (let i = A.length - 1; i >= 0; i--) {
    for (let j = B.length - 1; j >= 0; j--) lcs[i][j] = A[i] === B[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: TokenDiffOp[] = Array.from({ length: prefix }, (_, i) => ({ kind: 'equal' as const, a: i, b: i }));
  let i = 0;
  let j = 0;
  while (i < A.length || j < B.length) {
    if (i < A.length && j < B.length && A[i] === B[j]) ops.push({ kind: 'equal', a: prefix + i++, b: prefix + j++ });
    else if (i < A.length && j < B.length && lcs[i + 1][j + 1] === lcs[i][j]) ops.push({ kind: 'replace', a: prefix + i++, b: prefix + j++ });
    else if (j < B.length && (i === A.length || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ kind: 'insert', b: prefix + j++ });
    else ops.push({ kind: 'delete', a: prefix + i++ });
  }
  return { ops, aligned: false, differingPositions: [], firstDifference: prefix };
}
