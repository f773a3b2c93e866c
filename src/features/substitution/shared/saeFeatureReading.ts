/**
 * How the panel reads one SAE feature of a comparison: its estimate and exact patch in each
 * direction as a share of the clean–corrupt gap (or as the raw change when the gap is small), the
 * notes where estimate and exact disagree, and a verdict only where the data supports one. Pure:
 * shared by the webview and the tests.
 */
import {
  formatValue,
  gapShare,
  isSmallGap,
  METRIC_UNIT,
  PATCH_DIRECTIONS,
  targetMetric,
  type ComparisonParams,
  type PatchDirection,
  type SaeFeatureRow,
} from './protocol';

type MetricValues = Pick<ComparisonParams['metric'], 'spec' | 'clean' | 'corrupt'>;

const DIRECTION_WORD: Readonly<Record<PatchDirection, string>> = { denoise: 'Denoising', noise: 'Noising' };

/** An exact effect below this share of the gap is "no measurable effect". */
export const FEATURE_NEGLIGIBLE_SHARE = 0.02;
/** A feature "carries" the substitution when its exact patch moves at least this share of the gap in a direction. */
export const FEATURE_CARRIES_SHARE = 0.2;

export interface FeatureCell {
  /** Estimated change of the metric (patched − target). */
  readonly estimate: number;
  /** Exact change; undefined until the exact patch ran. */
  readonly exact?: number;
  /** The same as shares of the gap (denoise: restored, noise: removed); null when the gap is small or zero. */
  readonly estimateShare: number | null;
  readonly exactShare?: number | null;
  /** Estimate and exact disagree in sign, both beyond noise. */
  readonly signDisagrees: boolean;
}

export type FeatureVerdict = 'carries' | 'negligible';

export interface FeatureReading {
  readonly cells: Readonly<Record<PatchDirection, FeatureCell>>;
  readonly verdict?: FeatureVerdict;
  /** Sentences for the row's tooltip/notes. */
  readonly notes: readonly string[];
  /** The position with the largest |attribution| (denoise), if any. */
  readonly peakPosition?: number;
}

/** How far from zero a change must be to have a sign worth reading: 1% of the gap, and at least 1e-4 (float32 noise on a metric of logits). */
function signFloor(m: MetricValues): number {
  return Math.max(0.01 * Math.abs(m.clean - m.corrupt), 1e-4);
}

export function readFeature(row: SaeFeatureRow, m: MetricValues): FeatureReading {
  const small = isSmallGap(m.spec.kind, m.clean, m.corrupt);
  const floor = signFloor(m);
  const share = (change: number, d: PatchDirection) => (small ? null : gapShare(targetMetric(d, m.clean, m.corrupt) + change, d, m.clean, m.corrupt));
  const notes: string[] = [];
  const cells = {} as Record<PatchDirection, FeatureCell>;
  for (const d of PATCH_DIRECTIONS) {
    const estimate = row.attribution[d];
    const exact = row.exact ? row.exact[d] - targetMetric(d, m.clean, m.corrupt) : undefined;
    const signDisagrees = exact !== undefined && Math.abs(estimate) > floor && Math.abs(exact) > floor && Math.sign(estimate) !== Math.sign(exact);
    const cell = { estimate, exact, estimateShare: share(estimate, d), exactShare: exact === undefined ? undefined : share(exact, d), signDisagrees };
    if (signDisagrees) {
      const est = formatFeatureChange(estimate, cell.estimateShare, m);
      const ex = formatFeatureChange(exact, cell.exactShare, m);
      notes.push(
        `${DIRECTION_WORD[d]}: the estimate (${est}) and the exact patch (${ex}) disagree in sign: the metric is far from linear along this patch; trust the exact value.`,
      );
    }
    cells[d] = cell;
  }
  let verdict: FeatureVerdict | undefined;
  if (row.exact && !small) {
    const shares = PATCH_DIRECTIONS.map((d) => cells[d].exactShare ?? 0);
    const agree = PATCH_DIRECTIONS.every((d) => !cells[d].signDisagrees);
    if (agree && shares.some((s) => s >= FEATURE_CARRIES_SHARE)) verdict = 'carries';
    else if (shares.every((s) => Math.abs(s) < FEATURE_NEGLIGIBLE_SHARE)) verdict = 'negligible';
  }
  let peak: number | undefined;
  row.denoise_pos.forEach((v, p) => {
    if (v !== 0 && (peak === undefined || Math.abs(v) > Math.abs(row.denoise_pos[peak]))) peak = p;
  });
  return { cells, verdict, notes, peakPosition: peak };
}

/** A cell's value as text: a percentage of the gap, or the raw change with its unit when there is no share. */
export function formatFeatureChange(change: number, share: number | null | undefined, m: MetricValues): string {
  const sign = (v: number) => (v > 0 ? '+' : '');
  if (share !== null && share !== undefined) return `${sign(share)}${formatValue(share * 100)}%`;
  return `${sign(change)}${formatValue(change)}${METRIC_UNIT[m.spec.kind] === 'nats' ? ' nats' : ''}`;
}
