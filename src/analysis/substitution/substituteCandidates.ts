/**
 * Candidate substitutes for a token: single tokens of the same kind (identifier-like names stay
 * names, keywords stay keywords), with the leading space kept or absent as in the original. GPT-2's
 * ids follow merge order, so low ids are the common tokens: the scan keeps the first `limit`.
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { tokenKind } from '../tokenKinds';

export interface CandidateOptions {
  /** How many vocabulary candidates to keep (default 200). */
  readonly limit?: number;
  /** Also consider these ids first (e.g. the prompt's other tokens of the same kind). */
  readonly preferred?: readonly number[];
}

const hasLeadingSpace = (t: string) => t.startsWith(' ');

export function sameKindSubstitutes(tokenizer: Gpt2Tokenizer, original: number, options: CandidateOptions = {}): number[] {
  const text = tokenizer.displayText(original);
  const kind = tokenKind(text);
  const space = hasLeadingSpace(text);
  const limit = options.limit ?? 200;
  const ok = (id: number): boolean => {
    if (id === original || tokenizer.isSpecialToken(id)) return false;
    const t = tokenizer.displayText(id);
    return hasLeadingSpace(t) === space && tokenKind(t) === kind && !t.includes('\\x') && t.trim().length > 0;
  };
  const out: number[] = [];
  const seen = new Set<number>();
  for (const id of options.preferred ?? []) {
    if (!seen.has(id) && ok(id)) {
      out.push(id);
      seen.add(id);
    }
  }
  for (let id = 0; id < tokenizer.vocabSize && out.length < limit + (options.preferred?.length ?? 0); id++) {
    if (!seen.has(id) && ok(id)) {
      out.push(id);
      seen.add(id);
    }
  }
  return out;
}

/** Levenshtein distance, for "nearest alternatives" to a replacement that is not one token. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * When a requested replacement is not exactly as many tokens as what it replaces, the nearest
 * single tokens of the original's kind, by spelling (edit distance, then common prefix).
 */
export function nearestSingleTokenAlternatives(tokenizer: Gpt2Tokenizer, original: number, requested: string, count = 5): { id: number; text: string }[] {
  const space = hasLeadingSpace(tokenizer.displayText(original));
  const exact = space && !requested.startsWith(' ') ? ` ${requested}` : requested;
  const target = exact.toLowerCase();
  const candidates = sameKindSubstitutes(tokenizer, original, { limit: Infinity });
  const prefixLen = (s: string) => {
    let i = 0;
    while (i < s.length && i < target.length && s[i] === target[i]) i++;
    return i;
  };
  return candidates
    .map((id) => {
      const text = tokenizer.displayText(id);
      return { id, text, d: editDistance(text.toLowerCase(), target), e: editDistance(text, exact), p: prefixLen(text.toLowerCase()) };
    })
    .sort((x, y) => x.d - y.d || x.e - y.e || y.p - x.p || x.id - y.id)
    .slice(0, count)
    .map(({ id, text }) => ({ id, text }));
}
