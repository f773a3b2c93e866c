/**
 * Paints the focused head's attention over the inspected source: one decoration type per weight
 * bucket (background opacity by weight, separate colours for light and dark themes), plus an
 * outline on the focused token. The `circuitInspector.decorationsShown` context key lets Escape
 * clear them.
 */
import type * as vscode from 'vscode';
import { bucketAlpha, WEIGHT_BUCKETS, type DecorationPlan } from './decorationPlan';
import { RangeDecorations, type RangeBackground, type ShownRanges } from '../../platform/rangeDecorations';

export const DECORATIONS_SHOWN_KEY = 'circuitInspector.decorationsShown';

interface PaintedWeight {
  readonly range: vscode.Range;
  readonly bucket: number;
  readonly weight: number;
}

export type ShownDecorations = ShownRanges<PaintedWeight>;

function weightStyles(): Map<string, RangeBackground> {
  const styles = new Map<string, RangeBackground>();
  for (let b = 1; b <= WEIGHT_BUCKETS; b++) {
    const a = bucketAlpha(b);
    // Warm orange on dark themes, deep blue on light ones; high contrast gets an outline too.
    styles.set(String(b), { dark: `rgba(255, 140, 0, ${a})`, light: `rgba(0, 102, 204, ${a})` });
  }
  return styles;
}

export class AttentionDecorations extends RangeDecorations<PaintedWeight> {
  constructor() {
    super(weightStyles(), DECORATIONS_SHOWN_KEY);
  }

  paint(document: vscode.TextDocument, plan: DecorationPlan): void {
    this.show(document, (toRange) => plan.painted.map((p) => ({ range: toRange(p.range), bucket: p.bucket, weight: p.weight })), plan.focus);
  }

  protected styleOf(p: PaintedWeight): string {
    return String(p.bucket);
  }

  protected hoverOf(p: PaintedWeight): string {
    return `attention ${p.weight.toFixed(3)}`;
  }
}
