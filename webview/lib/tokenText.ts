/** How token text is shown in the webviews: labels, line breaks and colour levels. */
import { visibleText } from '../../src/shared/tokens';

export { visibleText };

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
