/**
 * A painted token text drawn on a canvas for a PNG export (the strip painted by a feature, the
 * ablated text): export colours (white background, fixed orange / blue-red), wrapped to `width`,
 * a title and a legend line. Browser only.
 */
import { mix, toCss, type Rgba } from '../../lib/color.js';
import { EXPORT_NEG, EXPORT_POS, EXPORT_THEME } from '../../lib/exportTheme.js';
import { visibleText } from '../../lib/tokenText.js';

export interface PaintedToken {
  readonly text: string;
  readonly value: number;
  readonly bos?: boolean;
}

export interface PaintOptions {
  readonly title: string;
  readonly legend: string;
  /** Diverging (blue/red) around 0, else one colour from 0 to `scale`. */
  readonly signed: boolean;
  readonly scale: number;
  /** Index of a token to outline. */
  readonly outline?: number;
  readonly width?: number;
}

const EXPORT_ACT: Rgba = { r: 217, g: 95, b: 2, a: 1 };

export function paintedTextPng(tokens: readonly PaintedToken[], o: PaintOptions): string {
  const width = o.width ?? 900;
  const font = `14px ${EXPORT_THEME.monoFamily}`;
  const pad = 16;
  const lineH = 24;
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) return '';
  measure.font = font;
  // Lay out: wrap at the width, break after a newline token.
  const boxes: { x: number; y: number; w: number; label: string; value: number; i: number }[] = [];
  let x = pad;
  let y = pad + 30;
  tokens.forEach((t, i) => {
    const label = t.bos ? 'BOS' : visibleText(t.text);
    const w = Math.ceil(measure.measureText(label).width) + 4;
    if (x + w > width - pad && x > pad) {
      x = pad;
      y += lineH;
    }
    boxes.push({ x, y, w, label, value: t.value, i });
    x += w + 2;
    if (t.text.includes('\n')) {
      x = pad;
      y += lineH;
    }
  });
  const height = y + lineH + 40;
  const dpr = 2;
  const c = document.createElement('canvas');
  c.width = width * dpr;
  c.height = height * dpr;
  const g = c.getContext('2d');
  if (!g) return '';
  g.scale(dpr, dpr);
  g.fillStyle = toCss(EXPORT_THEME.background);
  g.fillRect(0, 0, width, height);
  g.fillStyle = toCss(EXPORT_THEME.foreground);
  g.font = `600 15px ${EXPORT_THEME.fontFamily}`;
  g.textBaseline = 'middle';
  g.fillText(o.title, pad, pad + 8);
  g.font = font;
  for (const b of boxes) {
    const t = o.scale > 0 ? Math.min(1, Math.abs(b.value) / o.scale) : 0;
    if (t > 0.02) {
      const end = o.signed ? (b.value < 0 ? EXPORT_NEG : EXPORT_POS) : EXPORT_ACT;
      g.fillStyle = toCss(mix(EXPORT_THEME.background, end, 0.15 + 0.6 * t));
      g.fillRect(b.x, b.y - lineH / 2 + 2, b.w, lineH - 4);
    }
    if (b.i === o.outline) {
      g.strokeStyle = toCss(EXPORT_THEME.focus);
      g.lineWidth = 2;
      g.strokeRect(b.x, b.y - lineH / 2 + 2, b.w, lineH - 4);
    }
    g.fillStyle = toCss(tokens[b.i].bos ? EXPORT_THEME.muted : EXPORT_THEME.foreground);
    g.fillText(b.label, b.x + 2, b.y);
  }
  g.fillStyle = toCss(EXPORT_THEME.muted);
  g.font = `12px ${EXPORT_THEME.fontFamily}`;
  g.fillText(o.legend, pad, height - 18);
  return c.toDataURL('image/png');
}
