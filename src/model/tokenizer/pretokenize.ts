/**
 * GPT-2's pre-tokenisation: the text is cut into pieces (contractions, words with their leading space,
 * numbers, runs of punctuation, whitespace) and BPE runs inside each piece only.
 *
 * The pattern is read with JavaScript's regex semantics (flags `gu`), as js-tiktoken does. JavaScript's
 * `\s` differs slightly from Python's: it includes U+FEFF but not U+001C..U+001F or U+0085, so texts with
 * those characters can split differently than in Python GPT-2 / tiktoken.
 */
export const GPT2_PRETOKENIZE_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

const PIECE = new RegExp(GPT2_PRETOKENIZE_PATTERN, 'gu');

/** One pre-token: its text and where it starts in the input, in UTF-16 code units. */
export interface Piece {
  readonly text: string;
  readonly start: number;
}

/**
 * The pieces of `text`, in order. They tile the text exactly (every character is in exactly one piece),
 * because every character is whitespace, a letter, a number or "other", and each class has an
 * alternative in the pattern; this is checked as we go.
 */
export function* pretokenize(text: string): Generator<Piece> {
  let expectedStart = 0;
  for (const match of text.matchAll(PIECE)) {
    if (match.index !== expectedStart) {
      throw new Error(`pre-tokenisation skipped text at offset ${expectedStart} (next piece starts at ${match.index})`);
    }
    yield { text: match[0], start: match.index };
    expectedStart = match.index + match[0].length;
  }
  if (expectedStart !== text.length) {
    throw new Error(`pre-tokenisation stopped at offset ${expectedStart} of ${text.length}`);
  }
}
