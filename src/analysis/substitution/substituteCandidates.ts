/**
 * Candidate substitutes for a token: single tokens that are a whole word of the same kind, with the
 * leading space kept or absent as in the original. A corruption that swaps a name for a word
 * fragment (`ct`, `ername`), a content word for a function word (` low` → ` the`) or a name for a
 * builtin is no counterfactual a reader would write.
 *
 * The original's role decides what "the same kind" is (`substituteRole`):
 *  - a function word (`functionWords.ts`) gets function words;
 *  - an English word of the prose (in the word list, `englishWords.ts`, and not a name in the code
 *    of the document) gets English content words;
 *  - anything else of the identifier kind is an identifier: it gets names, never a function word,
 *    never a Python builtin unless it is one.
 * Other token kinds (numbers, punctuation, keywords) get tokens of their kind, as before.
 *
 * Where candidates come from, in this order:
 *  1. the document (`text`, the prompt, and `context`, the rest of the file): for an identifier,
 *     the names of its code (outside comments and strings); for an English word, the listed words of
 *     its prose (comments and strings; so not `param` of `:param x:`). Each is bounded by characters that are not letters, digits or
 *     `_`, so it is a whole word there, never a piece of a longer one (`ername` of `username`);
 *  2. the vocabulary, in id order (GPT-2's ids follow merge order, so common tokens first): an
 *     English word of the list, or, for an identifier, a token that looks like a standalone name
 *     (`isVocabularyWord`); either way not a prefix piece (`isPrefixPiece`), and, without a leading
 *     space, a name held spaced too and not a suffix piece (`isSuffixPiece`). The word list
 *     decides what a word is: the vocabulary (a BPE's merges) has no word boundaries of its own.
 * A token whose lowercase text equals another's is one word: only the one with the original's case
 * pattern (else the first) is kept, and none with the original's own word.
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { KEYWORDS, tokenKind } from '../tokenKinds';
import { ENGLISH_WORDS } from './englishWords';
import { FUNCTION_WORDS, PYTHON_BUILTINS } from './functionWords';

export type SubstituteRole = 'identifier' | 'word' | 'function word' | 'other';

export interface CandidateOptions {
  /** How many vocabulary candidates to keep (default 200). */
  readonly limit?: number;
  /** Also consider these ids first (e.g. the prompt's other tokens), when they are words of the document. */
  readonly preferred?: readonly number[];
  /** The prompt: its whole words come first. */
  readonly text?: string;
  /** The rest of the document (or workspace text): its whole words come first too. */
  readonly context?: string;
}

export interface Candidate {
  readonly id: number;
  /** `document`: a whole word of the prompt or its document; `vocabulary`: a word of the vocabulary. */
  readonly source: 'document' | 'vocabulary';
}

const hasLeadingSpace = (t: string) => t.startsWith(' ');
const WORD_IN_TEXT = /[\p{L}\p{N}_]+/gu;
const LETTERS = /^\p{L}+$/u;
const VOWEL = /[aeiouy]/i;
/** Shortest vocabulary name that counts without occurring in the text or the word list. */
export const MIN_WORD_LENGTH = 4;
/** How much rarer (by id) the spaced form of a vocabulary word may be than the bare form. */
const SPACED_RARITY = 2.5;
/** A token extended by letters into this many other listed words is a prefix piece (` cont`, `vers`). */
export const PIECE_EXTENSIONS = 2;
/** A bare token that ends this many listed words is a suffix piece (`cent`, `ring`, `ident`). */
export const SUFFIX_ENDINGS = 3;
/** Endings that make a form of the same word (`scale` → `scaled`), not a longer word. */
const INFLECTIONS = new Set(['s', 'es', 'd', 'ed', 'ing', 'er', 'ers', 'est', 'ly', 'y', 'ies', 'ied', 'ness']);

/** The whole words of `text`: runs of letters, digits and `_` bounded by anything else. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.match(WORD_IN_TEXT) ?? []);
}

/**
 * `text` split into its code and its prose (comments after `#`, and string literals, triple-quoted
 * or not), each with the other part blanked to spaces. A Python-shaped scan: good enough to tell a
 * docstring's words from the code's names.
 */
export function splitCodeAndProse(text: string): { code: string; prose: string } {
  const code = text.split('');
  const prose: string[] = text.split('').map((c) => (c === '\n' ? c : ' '));
  const toProse = (from: number, to: number) => {
    for (let j = from; j < to; j++) {
      prose[j] = text[j];
      if (text[j] !== '\n') code[j] = ' ';
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      toProse(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < text.length && !text.startsWith(quote, j) && (triple || text[j] !== '\n')) j += text[j] === '\\' ? 2 : 1;
      const stop = Math.min(text.length, j + (text.startsWith(quote, j) ? quote.length : 0));
      toProse(i, stop);
      i = stop;
    } else i++;
  }
  return { code: code.join(''), prose: prose.join('') };
}

/** The names of `text`'s code (whole identifiers outside comments and strings, not keywords). */
export function codeNamesOf(text: string): Set<string> {
  const names = new Set<string>();
  for (const w of splitCodeAndProse(text).code.match(WORD_IN_TEXT) ?? []) if (/^[\p{L}_]/u.test(w) && !KEYWORDS.has(w)) names.add(w);
  return names;
}

/** The words of `text`'s prose (comments and strings): letters only. */
export function proseWordsOf(text: string): Set<string> {
  return new Set((splitCodeAndProse(text).prose.match(WORD_IN_TEXT) ?? []).filter((w) => LETTERS.test(w)));
}

/** Whether `word` (no leading space) looks like a standalone name in the vocabulary. */
export function isVocabularyWord(tokenizer: Gpt2Tokenizer, word: string): boolean {
  if (word.length < MIN_WORD_LENGTH || !LETTERS.test(word) || !VOWEL.test(word)) return false;
  const bare = tokenizer.encode(word).ids;
  const spaced = tokenizer.encode(` ${word}`).ids;
  return bare.length === 1 && spaced.length === 1 && spaced[0] <= SPACED_RARITY * bare[0];
}

/** Per tokenizer and space form: the sorted lowercase words of its tokens that are in the word list. */
const listedCache = new WeakMap<Gpt2Tokenizer, Map<boolean, string[]>>();
function listedWords(tokenizer: Gpt2Tokenizer, space: boolean): string[] {
  let byForm = listedCache.get(tokenizer);
  if (!byForm) listedCache.set(tokenizer, (byForm = new Map()));
  let words = byForm.get(space);
  if (!words) {
    const set = new Set<string>();
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      const t = tokenizer.displayText(id);
      if (hasLeadingSpace(t) !== space) continue;
      const w = (space ? t.slice(1) : t).toLowerCase();
      if (ENGLISH_WORDS.has(w)) set.add(w);
    }
    words = [...set].sort();
    byForm.set(space, words);
  }
  return words;
}

/** The listed words of the vocabulary (same space form) that extend `word` by letters into another word. */
export function longerWords(tokenizer: Gpt2Tokenizer, word: string, space: boolean): string[] {
  const w = word.toLowerCase();
  const words = listedWords(tokenizer, space);
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid] < w) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < words.length && words[i].startsWith(w); i++) {
    let rest = words[i].slice(w.length);
    if (rest.length >= 2 && rest[0] === w[w.length - 1] && INFLECTIONS.has(rest.slice(1))) rest = ''; // stop → stopped
    if (rest.length >= 2 && !INFLECTIONS.has(rest)) out.push(words[i]);
  }
  return out;
}

const reversedList = [...ENGLISH_WORDS].map((w) => [...w].reverse().join('')).sort();

/** The listed words that end with `word` after at least two letters of their own (`recent`, `percent` for `cent`). */
export function wordsEndingWith(word: string): string[] {
  const r = [...word.toLowerCase()].reverse().join('');
  let lo = 0;
  let hi = reversedList.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reversedList[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < reversedList.length && reversedList[i].startsWith(r); i++)
    if (reversedList[i].length >= r.length + 2) out.push([...reversedList[i]].reverse().join(''));
  return out;
}

/**
 * A suffix piece: a token without a leading space is read as the continuation of a word, and this
 * one ends at least `SUFFIX_ENDINGS` listed words (`cent`: recent, percent, decent; `ring`: during,
 * string; `angle`: triangle, rectangle), so in that form it mostly stands for their ends.
 */
export function isSuffixPiece(word: string, threshold = SUFFIX_ENDINGS): boolean {
  return wordsEndingWith(word).length >= threshold;
}

/**
 * A prefix piece: the vocabulary holds the same text extended by letters into at least
 * `PIECE_EXTENSIONS` other listed words (not its own inflections), so the token mostly stands for
 * the start of those (` comp`, ` cont`, `vers`); a name the list lacks, into one (`pret` → `pretty`).
 * A word of the document is never one (it stands alone there).
 */
export function isPrefixPiece(tokenizer: Gpt2Tokenizer, word: string, threshold = PIECE_EXTENSIONS): boolean {
  return new Set([...longerWords(tokenizer, word, true), ...longerWords(tokenizer, word, false)]).size >= threshold;
}

const casePattern = (w: string): 'lower' | 'upper' | 'title' | 'mixed' =>
  w === w.toLowerCase() ? 'lower' : w === w.toUpperCase() ? 'upper' : w[0] + w.slice(1).toLowerCase() === w ? 'title' : 'mixed';

/** What kind of word the original is (see the file comment); `code` names the document's code. */
export function substituteRole(word: string, kind: string, codeNames: ReadonlySet<string>): SubstituteRole {
  if (kind !== 'identifier') return 'other';
  const lower = word.toLowerCase();
  if (FUNCTION_WORDS.has(lower)) return 'function word';
  if (LETTERS.test(word) && ENGLISH_WORDS.has(lower) && !codeNames.has(word)) return 'word';
  return 'identifier';
}

export interface SubstituteCandidates {
  readonly role: SubstituteRole;
  /** Document words first, then vocabulary words. */
  readonly candidates: readonly Candidate[];
}

export function substituteCandidates(tokenizer: Gpt2Tokenizer, original: number, options: CandidateOptions = {}): SubstituteCandidates {
  const text = tokenizer.displayText(original);
  const kind = tokenKind(text);
  const space = hasLeadingSpace(text);
  const word0 = space ? text.slice(1) : text;
  const limit = options.limit ?? 200;
  const all = [options.text ?? '', options.context ?? ''];
  const codeNames = new Set(all.flatMap((t) => [...codeNamesOf(t)]));
  const role = substituteRole(word0, kind, codeNames);
  const documentWords =
    role === 'identifier'
      ? codeNames
      : role === 'word' || role === 'function word'
        ? new Set(all.flatMap((t) => [...proseWordsOf(t)]))
        : new Set(all.flatMap((t) => [...wordsOf(t)]));
  const pattern = casePattern(word0);
  const sameKind = (id: number): string | undefined => {
    if (id === original || tokenizer.isSpecialToken(id)) return undefined;
    const t = tokenizer.displayText(id);
    if (hasLeadingSpace(t) !== space || tokenKind(t) !== kind || t.includes('\\x') || t.trim().length === 0) return undefined;
    const word = space ? t.slice(1) : t;
    const lower = word.toLowerCase();
    if (lower === word0.toLowerCase()) return undefined;
    if (role === 'function word') return FUNCTION_WORDS.has(lower) ? word : undefined;
    if (role === 'other') return word;
    if (FUNCTION_WORDS.has(lower)) return undefined;
    if (role === 'identifier' && PYTHON_BUILTINS.has(word) && !PYTHON_BUILTINS.has(word0)) return undefined;
    if (role === 'word' && (!ENGLISH_WORDS.has(lower) || (pattern === 'lower' && casePattern(word) !== 'lower'))) return undefined;
    return word;
  };
  const fromVocabulary = (word: string): boolean => {
    const lower = word.toLowerCase();
    if (role === 'function word') return true;
    if (role === 'other') return isVocabularyWord(tokenizer, word);
    // A listed word may start one other word (`line` → `linear`) and, bare, end two; a name the
    // list lacks, none (`pret` of `interpret`).
    const listed = ENGLISH_WORDS.has(lower);
    if (!space && (!isVocabularyWord(tokenizer, word) || isSuffixPiece(word, listed ? SUFFIX_ENDINGS : 1))) return false;
    if (listed) return word.length >= 3 && !isPrefixPiece(tokenizer, word);
    return role === 'identifier' && isVocabularyWord(tokenizer, word) && !isPrefixPiece(tokenizer, word, 1);
  };
  const out: Candidate[] = [];
  const byLower = new Map<string, number>();
  const take = (id: number | undefined, source: Candidate['source']) => {
    if (id === undefined) return;
    const word = sameKind(id);
    if (word === undefined) return;
    if (source === 'document' ? !documentWords.has(word) : !fromVocabulary(word)) return;
    const key = word.toLowerCase();
    const at = byLower.get(key);
    if (at === undefined) {
      byLower.set(key, out.length);
      out.push({ id, source });
    } else {
      const kept = tokenizer.displayText(out[at].id);
      if (casePattern(space ? kept.slice(1) : kept) !== pattern && casePattern(word) === pattern) out[at] = { id, source };
    }
  };
  for (const id of options.preferred ?? []) take(id, 'document');
  for (const word of documentWords) {
    const ids = tokenizer.encode(space ? ` ${word}` : word).ids;
    if (ids.length === 1) take(ids[0], 'document');
  }
  const cap = limit + out.length;
  for (let id = 0; id < tokenizer.vocabSize && out.length < cap; id++) take(id, 'vocabulary');
  return { role, candidates: out };
}

/** The candidates' ids (document words first): see `substituteCandidates`. */
export function sameKindSubstitutes(tokenizer: Gpt2Tokenizer, original: number, options: CandidateOptions = {}): number[] {
  return substituteCandidates(tokenizer, original, options).candidates.map((c) => c.id);
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
