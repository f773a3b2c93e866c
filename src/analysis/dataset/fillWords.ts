/**
 * The words a prompt-set generator fills slots with: identifier-like lowercase English words that
 * are one token both with a leading space (` width`, as after a comma or in `:param width:`) and
 * without (`width`, as after `(`), so a fill keeps the template's token count wherever the slot sits.
 *
 * From the vocabulary in id order (a BPE's ids follow merge order: common words first), a word is
 * kept when it is in the English word list (`englishWords.ts`), looks like a standalone name in the
 * vocabulary (`isVocabularyWord`: at least 4 letters, one token spaced and bare), is no piece of
 * longer words (`isPrefixPiece`, `isSuffixPiece`: ` con`, `ring`), not a function word, a Python
 * keyword or builtin, not `self`/`cls` (names heads treat apart), and not a whole word of the
 * template (a fill never collides with the fixed text). The same choice as the substitution's
 * identifier candidates, so a generated set and a single comparison corrupt with the same kind of word.
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { ENGLISH_WORDS } from '../substitution/englishWords';
import { FUNCTION_WORDS, PYTHON_BUILTINS } from '../substitution/functionWords';
import { isPrefixPiece, isSuffixPiece, isVocabularyWord, wordsOf } from '../substitution/substituteCandidates';
import { KEYWORDS } from '../tokenKinds';

/** How many pool words the generator draws from (and the special-word probe checks) by default. */
export const DEFAULT_FILL_POOL_SIZE = 300;
const CONVENTION_NAMES = new Set(['self', 'cls']);
const LOWER = /^[a-z]+$/;

export interface FillPoolOptions {
  /** The template: its whole words are left out. */
  readonly template?: string;
  /** At most this many words (default `DEFAULT_FILL_POOL_SIZE`). */
  readonly limit?: number;
}

/** The fill words, commonest first (see the module doc for what is kept). */
export function fillWordPool(tokenizer: Gpt2Tokenizer, options: FillPoolOptions = {}): string[] {
  const limit = options.limit ?? DEFAULT_FILL_POOL_SIZE;
  const fixed = wordsOf(options.template ?? '');
  const out: string[] = [];
  for (let id = 0; id < tokenizer.vocabSize && out.length < limit; id++) {
    const t = tokenizer.displayText(id);
    if (!t.startsWith(' ')) continue;
    const w = t.slice(1);
    if (!isFillWord(w) || fixed.has(w)) continue;
    if (!isVocabularyWord(tokenizer, w) || isPrefixPiece(tokenizer, w) || isSuffixPiece(w)) continue;
    out.push(w);
  }
  return out;
}

/** Whether `w` is the kind of word a slot may be filled with (before the tokenizer's say). */
export function isFillWord(w: string): boolean {
  return LOWER.test(w) && ENGLISH_WORDS.has(w) && !FUNCTION_WORDS.has(w) && !PYTHON_BUILTINS.has(w) && !KEYWORDS.has(w) && !CONVENTION_NAMES.has(w);
}
