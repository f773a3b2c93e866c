/**
 * Which source ranges to paint, and how strongly, for a focused head and token. No `vscode`
 * import: the editor side maps each bucket to a decoration type (background opacity by weight).
 */
import type { OffsetRange } from '../../platform/offsets';

export const WEIGHT_BUCKETS = 8;
/** Weights below this are not painted (noise; and every key of a long row would be tinted). */
export const MIN_PAINTED_WEIGHT = 0.02;

export interface PaintedRange {
  /** Document offsets. */
  readonly range: OffsetRange;
  /** 1..WEIGHT_BUCKETS, higher = more attention. */
  readonly bucket: number;
  readonly weight: number;
}

export interface DecorationPlan {
  readonly painted: readonly PaintedRange[];
  /** The focused token's range (outlined), when it is in the document (not BOS). */
  readonly focus?: OffsetRange;
}

export function weightBucket(w: number): number {
  return Math.max(1, Math.min(WEIGHT_BUCKETS, Math.ceil(w * WEIGHT_BUCKETS)));
}

/** Background alpha of a bucket: faint but visible at 1, strong but text still readable at max. */
export function bucketAlpha(bucket: number): number {
  return Number((0.15 + (0.55 * bucket) / WEIGHT_BUCKETS).toFixed(3));
}

export function planDecorations(ranges: readonly OffsetRange[], weights: ArrayLike<number>, focusIndex: number | undefined): DecorationPlan {
  if (weights.length !== ranges.length) throw new Error(`${weights.length} weights for ${ranges.length} tokens`);
  const painted: PaintedRange[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    const w = weights[i];
    if (r.end <= r.start || !(w >= MIN_PAINTED_WEIGHT)) continue;
    painted.push({ range: r, bucket: weightBucket(w), weight: w });
  }
  const f = focusIndex !== undefined ? ranges[focusIndex] : undefined;
  return { painted, focus: f && f.end > f.start ? f : undefined };
}
