/**
 * Tokens as every part of the product passes them around, and how token text is shown. One base
 * record (`TokenRef`); the others are derived from it, so a field is declared once.
 */

export interface TokenRef {
  readonly id: number;
  /** Decoded text exactly as tokenized (real spaces and newlines, e.g. ' param'). */
  readonly text: string;
}

/** A token of a prompt: where it is in the prompt text ([start, end), UTF-16; BOS is empty at 0). */
export interface PromptToken extends TokenRef {
  readonly isBos: boolean;
  /**
   * A special (added) token such as `<|endoftext|>` written in the text and read as itself, as
   * TransformerLens and Hugging Face read it (`circuitInspector.specialTokensInText`). The prepended
   * BOS is `isBos` instead. Absent for ordinary tokens.
   */
  readonly isSpecial?: boolean;
  readonly start: number;
  readonly end: number;
}

/** A prompt token without its offsets (what a comparison shows per position; `isSpecial` marks a literal `<|endoftext|>`). */
export type PositionToken = Pick<PromptToken, 'id' | 'text' | 'isBos' | 'isSpecial'>;

/** A next-token prediction. */
export interface TopToken extends TokenRef {
  readonly logit: number;
  readonly prob: number;
}

const GLYPHS: Readonly<Record<string, string>> = { ' ': '·', '\t': '→', '\n': '⏎', '\r': '␍' };

/**
 * Token text with whitespace visible: space → ·, tab → →, newline → ⏎, CR → ␍, other C0 controls
 * → their Unicode control pictures (␀…␟). Markup stays text: callers bind the result as text.
 */
export function visibleText(text: string): string {
  let out = '';
  for (const ch of text) {
    const g = GLYPHS[ch];
    if (g !== undefined) out += g;
    else {
      const c = ch.codePointAt(0) ?? 0;
      out += c < 0x20 ? String.fromCodePoint(0x2400 + c) : c === 0x7f ? '␡' : ch;
    }
  }
  return out;
}

/** Inverse of `visibleText` for the glyphs it introduces (used by tests and copy actions). */
export function fromVisibleText(shown: string): string {
  let out = '';
  for (const ch of shown) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '·') out += ' ';
    else if (ch === '→') out += '\t';
    else if (ch === '⏎') out += '\n';
    else if (ch === '␍') out += '\r';
    else if (ch === '␡') out += '\x7f';
    else if (c >= 0x2400 && c < 0x2420) out += String.fromCodePoint(c - 0x2400);
    else out += ch;
  }
  return out;
}
