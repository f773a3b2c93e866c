/**
 * Pieces every canvas figure with a title and a hover tooltip draws the same way: a label clipped
 * with an ellipsis, the title line (heading, a muted `· badge`, and in an exported PNG a caption
 * line below it), and the tooltip placed beside the pointer but inside the figure.
 */
import { toCss } from './color.js';
import type { CanvasTheme } from './theme.js';

/** `s` cut to `n` characters, the last one an ellipsis when it was longer. */
export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The figure's title band from the top left: the heading (semibold), the badge after it, the caption on a second line. */
export function drawFigureTitle(
  ctx: CanvasRenderingContext2D,
  t: CanvasTheme,
  text: { heading: string; badge: string; caption: string },
  fontPx: number,
  titlePx: number,
): void {
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillStyle = toCss(t.foreground);
  ctx.font = `600 ${fontPx + 1}px ${t.fontFamily}`;
  ctx.fillText(text.heading, 0, titlePx / 2);
  if (text.badge) {
    const w = ctx.measureText(text.heading).width;
    ctx.font = `${fontPx}px ${t.fontFamily}`;
    ctx.fillStyle = toCss(t.muted);
    ctx.fillText(`· ${text.badge}`, w + 6, titlePx / 2);
  }
  if (text.caption) {
    ctx.font = `${fontPx}px ${t.fontFamily}`;
    ctx.fillStyle = toCss(t.muted);
    ctx.fillText(text.caption, 0, titlePx / 2 + 16);
  }
}

/** Puts `tip` below and right of the pointer (above it near the bottom), never past the figure's edges. */
export function placeTooltip(tip: HTMLElement, hover: { x: number; y: number }, figure: { width: number; height: number }): void {
  const x = Math.max(0, Math.min(hover.x + 14, figure.width - tip.offsetWidth - 2));
  const y = hover.y + 16 + tip.offsetHeight > figure.height ? hover.y - tip.offsetHeight - 8 : hover.y + 16;
  tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(Math.max(0, y))}px)`;
}
