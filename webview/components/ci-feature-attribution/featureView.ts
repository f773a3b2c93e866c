/**
 * What ci-feature-attribution draws for each feature, computed without the DOM: the text and the
 * bar length of the estimate and the exact patch in each direction (shares of the gap, or raw
 * changes scaled to the largest one when the gap is small), where the attribution peaks, the
 * verdict and the notes.
 */
import { formatFeatureChange, readFeature, type FeatureVerdict } from '../../../src/features/substitution/shared/saeFeatureReading.js';
import {
  isSmallGap,
  PATCH_DIRECTIONS,
  positionLabels,
  type ComparisonParams,
  type PatchDirection,
  type SaeFeaturesParams,
} from '../../../src/features/substitution/shared/protocol.js';

export interface FeatureCellView {
  readonly estimateText: string;
  /** Undefined until the exact patch ran. */
  readonly exactText?: string;
  /** Bar lengths in [-1, 1] (signed). */
  readonly estimateBar: number;
  readonly exactBar?: number;
  readonly signDisagrees: boolean;
}

export interface FeatureRowView {
  readonly feature: number;
  readonly peak?: string;
  readonly cells: Readonly<Record<PatchDirection, FeatureCellView>>;
  readonly verdict?: FeatureVerdict;
  readonly notes: readonly string[];
}

export const VERDICT_TEXT: Readonly<Record<FeatureVerdict, { label: string; title: string }>> = {
  carries: { label: 'carries', title: 'Its exact patch moves at least 20% of the gap in a direction, with the sign the estimate predicted.' },
  negligible: { label: 'negligible', title: 'Its exact patch moves less than 2% of the gap in both directions.' },
};

const clamp = (v: number) => Math.max(-1, Math.min(1, v));

export function featureRows(c: ComparisonParams, f: SaeFeaturesParams): FeatureRowView[] {
  const m = c.metric;
  const small = isSmallGap(m.spec.kind, m.clean, m.corrupt);
  const labels = positionLabels(c);
  // Raw changes (small gap) are scaled to the largest magnitude on screen.
  let maxRaw = 0;
  for (const r of f.features) {
    for (const d of PATCH_DIRECTIONS) {
      const read = readFeature(r, m).cells[d];
      maxRaw = Math.max(maxRaw, Math.abs(read.estimate), Math.abs(read.exact ?? 0));
    }
  }
  return f.features.map((r) => {
    const read = readFeature(r, m);
    const cells = {} as Record<PatchDirection, FeatureCellView>;
    for (const d of PATCH_DIRECTIONS) {
      const x = read.cells[d];
      const bar = (change: number, share: number | null | undefined) =>
        clamp(small || share === null || share === undefined ? (maxRaw ? change / maxRaw : 0) : share);
      cells[d] = {
        estimateText: formatFeatureChange(x.estimate, x.estimateShare, m),
        exactText: x.exact === undefined ? undefined : formatFeatureChange(x.exact, x.exactShare, m),
        estimateBar: bar(x.estimate, x.estimateShare),
        exactBar: x.exact === undefined ? undefined : bar(x.exact, x.exactShare),
        signDisagrees: x.signDisagrees,
      };
    }
    const peak = read.peakPosition;
    return {
      feature: r.feature,
      peak: peak === undefined ? undefined : `${peak} ${labels[peak] ?? ''}`.trim(),
      cells,
      verdict: read.verdict,
      notes: read.notes,
    };
  });
}

/** The unit line over the table: shares of the gap, or raw changes when the gap is small. */
export function valuesCaption(c: ComparisonParams): string {
  const m = c.metric;
  if (isSmallGap(m.spec.kind, m.clean, m.corrupt)) {
    return 'Changes of the metric (patched − unpatched): the gap is too small to read shares of, so no feature is called carrying or negligible.';
  }
  return 'Shares of the clean–corrupt gap: denoising restores (clean feature into the corrupt run), noising removes (corrupt feature into the clean run).';
}

/** The column titles of the two directions: what a share means, or plain changes when the gap is small. */
export function directionTitles(c: ComparisonParams): Readonly<Record<PatchDirection, string>> {
  const m = c.metric;
  return isSmallGap(m.spec.kind, m.clean, m.corrupt)
    ? { denoise: 'denoising: change', noise: 'noising: change' }
    : { denoise: 'denoising restores', noise: 'noising removes' };
}
