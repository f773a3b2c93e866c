/** How token text is shown: whitespace and control characters made visible, nothing interpreted. */

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

/** Whether the strip should break the line after this token (it contains a newline). */
export function endsLine(text: string): boolean {
  return text.includes('\n');
}

/** A short label for axes and lists: visible text, cut to `max` characters with an ellipsis. */
export function shortLabel(text: string, max = 12): string {
  const v = visibleText(text);
  const chars = [...v];
  return chars.length <= max ? v : chars.slice(0, max - 1).join('') + '…';
}

/** Colour level 0..levels of an attention weight (0 = none; > 0 at any visible weight). */
export function weightLevel(w: number, levels = 10): number {
  if (!(w > 0.005)) return 0;
  return Math.min(levels, Math.max(1, Math.ceil(w * levels)));
}
