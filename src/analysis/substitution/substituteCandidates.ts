/**
 * Candidate substitutes for a token: single tokens of the same kind (identifier-like names stay
 * names, keywords stay keywords), with the leading space kept or absent as in the original, and
 * each one a whole word, never a piece of a longer one (`ct`, `ed`, `ername`): a corruption that
 * swaps a name for a word fragment is no counterfactual a reader would write.
 *
 * The whole-word rule, for a BPE vocabulary that has no word boundaries of its own: a candidate
 * (its text without the leading space) is a whole word when either
 *  - it occurs as a whole word in the given text (the prompt or document: bounded by characters
 *    that are not letters, digits or `_`, as after a space, `(`, `.` or `,`), or
 *  - it looks like a standalone word in the vocabulary: letters only, at least 4 of them (most
 *    3-letter tokens are pieces: ` con`, ` pro`, `ind`, `iss`), with a vowel (a, e, i, o, u or y);
 *    the vocabulary holds it both bare (`value`) and after a space (` value`); and the spaced form
 *    is not much rarer than the bare one (its id at most 2.5 times the bare one's). BPE ids follow
 *    merge order, i.e. how often the pair was seen, so this reads "the training text has it
 *    standing alone about as often as glued to something". A piece of a longer word fails: `ct`,
 *    `ed`, ` n` are too short, `ername` has no ` ername`, and a suffix like `ment` is glued far
 *    more often than spaced. Some common prefixes (` cont`, ` comp`) still pass; the text's own
 *    words come first so that they rarely make the list.
 * Words from the text come first (the `preferred` ids, then the text's other words); then the
 * vocabulary in id order. GPT-2's ids follow merge order, so low ids are the common tokens: the scan
 * keeps the first `limit`.
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { tokenKind } from '../tokenKinds';

export interface CandidateOptions {
  /** How many vocabulary candidates to keep (default 200). */
  readonly limit?: number;
  /** Also consider these ids first (e.g. the prompt's other tokens of the same kind). */
  readonly preferred?: readonly number[];
  /** The prompt or document: its whole words count as words, and come first. */
  readonly text?: string;
}

const hasLeadingSpace = (t: string) => t.startsWith(' ');
const WORD_IN_TEXT = /[\p{L}\p{N}_]+/gu;
const LETTERS = /^\p{L}+$/u;
const VOWEL = /[aeiouy]/i;
/** Shortest vocabulary word that counts without occurring in the text. */
export const MIN_WORD_LENGTH = 4;
/** How much rarer (by id) the spaced form of a vocabulary word may be than the bare form. */
const SPACED_RARITY = 2.5;

/** The whole words of `text`: runs of letters, digits and `_` bounded by anything else. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.match(WORD_IN_TEXT) ?? []);
}

/** Whether `word` (no leading space) looks like a standalone word in the vocabulary (see the file comment). */
export function isVocabularyWord(tokenizer: Gpt2Tokenizer, word: string): boolean {
  if (word.length < MIN_WORD_LENGTH || !LETTERS.test(word) || !VOWEL.test(word)) return false;
  const bare = tokenizer.encode(word).ids;
  const spaced = tokenizer.encode(` ${word}`).ids;
  return bare.length === 1 && spaced.length === 1 && spaced[0] <= SPACED_RARITY * bare[0];
}

export function sameKindSubstitutes(tokenizer: Gpt2Tokenizer, original: number, options: CandidateOptions = {}): number[] {
  const text = tokenizer.displayText(original);
  const kind = tokenKind(text);
  const space = hasLeadingSpace(text);
  const limit = options.limit ?? 200;
  const inText = wordsOf(options.text ?? '');
  const ok = (id: number): boolean => {
    if (id === original || tokenizer.isSpecialToken(id)) return false;
    const t = tokenizer.displayText(id);
    if (hasLeadingSpace(t) !== space || tokenKind(t) !== kind || t.includes('\\x') || t.trim().length === 0) return false;
    const word = space ? t.slice(1) : t;
    return inText.has(word) || isVocabularyWord(tokenizer, word);
  };
  const out: number[] = [];
  const seen = new Set<number>();
  const take = (id: number | undefined) => {
    if (id !== undefined && !seen.has(id) && ok(id)) {
      out.push(id);
      seen.add(id);
    }
  };
  for (const id of options.preferred ?? []) take(id);
  for (const word of inText) {
    const ids = tokenizer.encode(space ? ` ${word}` : word).ids;
    if (ids.length === 1) take(ids[0]);
  }
  const cap = limit + out.length;
  for (let id = 0; id < tokenizer.vocabSize && out.length < cap; id++) take(id);
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
 * single tokens of the original's kind, by spelling (edit distance, then common prefix). They are
 * whole words by the same rule as `sameKindSubstitutes` (`text`: the prompt, whose words count).
 */
export function nearestSingleTokenAlternatives(
  tokenizer: Gpt2Tokenizer,
  original: number,
  requested: string,
  count = 5,
  text?: string,
): { id: number; text: string }[] {
  const space = hasLeadingSpace(tokenizer.displayText(original));
  const exact = space && !requested.startsWith(' ') ? ` ${requested}` : requested;
  const target = exact.toLowerCase();
  const candidates = sameKindSubstitutes(tokenizer, original, { limit: Infinity, text });
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
