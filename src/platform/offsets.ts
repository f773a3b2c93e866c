/**
 * From the selected text to the prompt the model sees, and from prompt offsets back to document
 * offsets. No `vscode` import.
 *
 * The prompt is the selection with CRLF turned into LF (the model never saw "\r"); token ranges
 * are UTF-16 offsets into that prompt. A document offset is the selection's start offset plus the
 * prompt offset plus one for every "\r" dropped before it, so a "\n" token covers "\r\n" in a CRLF
 * document.
 */

export interface PromptText {
  /** The text given to the tokenizer. */
  readonly text: string;
  /** Prompt positions (in `text`) of each "\n" that was "\r\n" in the source, ascending. */
  readonly crlfAt: readonly number[];
}

export function normalizeEol(source: string): PromptText {
  if (!source.includes('\r\n')) return { text: source, crlfAt: [] };
  const crlfAt: number[] = [];
  let text = '';
  let from = 0;
  for (;;) {
    const i = source.indexOf('\r\n', from);
    if (i < 0) break;
    text += source.slice(from, i);
    crlfAt.push(text.length);
    text += '\n';
    from = i + 2;
  }
  text += source.slice(from);
  return { text, crlfAt };
}

/** How many entries of the ascending `xs` are < `v`. */
function countBelow(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The source offset (relative to the selection start) of prompt offset `offset`. */
export function sourceOffset(p: PromptText, offset: number): number {
  return offset + countBelow(p.crlfAt, offset);
}

export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Document ranges of prompt tokens: `base` is the document offset of the selection start. BOS
 * (empty range) maps to the empty range at `base`.
 */
export function documentRanges(p: PromptText, base: number, tokens: readonly OffsetRange[]): OffsetRange[] {
  return tokens.map((t) => ({ start: base + sourceOffset(p, t.start), end: base + sourceOffset(p, t.end) }));
}

/** Index of the token whose range contains document offset `offset` (start inclusive, end exclusive), or -1. */
export function tokenAtOffset(ranges: readonly OffsetRange[], offset: number): number {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.start < r.end && offset >= r.start && offset < r.end) return i;
  }
  return -1;
}

/** Reasons not to inspect a selection; undefined when it is fine. */
export type SelectionProblem = 'empty' | 'binary' | 'too-large';

export const MAX_SELECTION_CHARS = 1_000_000;

export function selectionProblem(text: string, maxChars = MAX_SELECTION_CHARS): SelectionProblem | undefined {
  if (text.length > maxChars) return 'too-large';
  if (text.includes('\u0000')) return 'binary';
  if (text.trim().length === 0) return 'empty';
  return undefined;
}
