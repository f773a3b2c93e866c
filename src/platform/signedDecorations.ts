/**
 * Paints signed values over source ranges in the editors that show a document: one decoration type
 * per (sign, strength bucket), a diverging pair of hues (red positive, blue negative, as the
 * webviews' diverging scales; each theme kind its own shade), plus an outline on a focus range.
 * Any feature can use it; it knows no analysis.
 */
import type * as vscode from 'vscode';
import type { OffsetRange } from './offsets';
import { RangeDecorations, type RangeBackground, type ShownRanges } from './rangeDecorations';

export interface SignedPaint {
  readonly range: OffsetRange;
  readonly sign: 1 | -1;
  /** 1..buckets. */
  readonly bucket: number;
  /** Shown when hovering the painted text. */
  readonly hover: string;
}

interface PaintedSigned {
  readonly range: vscode.Range;
  readonly sign: 1 | -1;
  readonly bucket: number;
  readonly hover: string;
}

export type ShownSignedDecorations = ShownRanges<PaintedSigned>;

/** Background alpha of a bucket: faint but visible at 1, strong with the text still readable at the top. */
export function signedAlpha(bucket: number, buckets: number): number {
  return Number((0.12 + (0.5 * bucket) / buckets).toFixed(3));
}

function signedStyles(buckets: number): Map<string, RangeBackground> {
  const styles = new Map<string, RangeBackground>();
  for (const sign of [1, -1] as const) {
    for (let b = 1; b <= buckets; b++) {
      const a = signedAlpha(b, buckets);
      // VS Code's charts.red / charts.blue defaults, as the webviews' diverging scales use them.
      styles.set(`${sign}:${b}`, {
        dark: sign > 0 ? `rgba(241, 76, 76, ${a})` : `rgba(55, 148, 255, ${a})`,
        light: sign > 0 ? `rgba(229, 20, 0, ${a})` : `rgba(26, 133, 255, ${a})`,
      });
    }
  }
  return styles;
}

export class SignedDecorations extends RangeDecorations<PaintedSigned> {
  /**
   * `contextKey` (a `when`-clause key) is true while something is painted, so a keybinding such
   * as Escape can clear it.
   */
  constructor(
    readonly buckets: number,
    contextKey?: string,
  ) {
    super(signedStyles(buckets), contextKey);
  }

  paint(document: vscode.TextDocument, painted: readonly SignedPaint[], focus?: OffsetRange): void {
    this.show(
      document,
      (toRange) => painted.map((p) => ({ range: toRange(p.range), sign: p.sign, bucket: Math.max(1, Math.min(this.buckets, p.bucket)), hover: p.hover })),
      focus,
    );
  }

  protected styleOf(p: PaintedSigned): string {
    return `${p.sign}:${p.bucket}`;
  }

  protected hoverOf(p: PaintedSigned): string {
    return p.hover;
  }
}
