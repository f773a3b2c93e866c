/**
 * The Inspect Features panel's pure logic: the active-features table's sort, how densities read,
 * and the reconstruction-quality verdict with the thresholds it rests on.
 */
import type { ActiveFeature, ReconstructionQuality } from '../../../src/features/sae/shared/protocol.js';

export type StripMode = 'chips' | 'compact';

export type FeatureSortKey = 'feature' | 'act' | 'density';
export type SortDir = 'asc' | 'desc';

/** Rows sorted by `key`; unknown densities always last; ties by feature index. Does not mutate `rows`. */
export function sortFeatures(rows: readonly ActiveFeature[], key: FeatureSortKey, dir: SortDir): ActiveFeature[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === 'density') {
      if (a.density === null || b.density === null) return a.density === b.density ? a.feature - b.feature : a.density === null ? 1 : -1;
      return sign * (a.density - b.density) || a.feature - b.feature;
    }
    return sign * (a[key] - b[key]) || a.feature - b.feature;
  });
}

/** The default direction when a column is first sorted: activation and density high first, feature ids ascending. */
export function defaultDir(key: FeatureSortKey): SortDir {
  return key === 'feature' ? 'asc' : 'desc';
}

/** A density (fraction of tokens) as a percentage and a rate: "0.41% · 1 in 244 tokens"; "unknown" for null. */
export function fmtDensity(d: number | null): string {
  if (d === null || !Number.isFinite(d)) return 'unknown';
  if (d <= 0) return 'never active';
  const pct = d * 100;
  const p = pct >= 1 ? pct.toFixed(1) : pct.toPrecision(2);
  return d >= 0.5 ? `${p}%` : `${p}% · 1 in ${Math.round(1 / d).toLocaleString('en-US')} tokens`;
}

/**
 * Thresholds of the reconstruction verdict, chosen from what an SAE achieves on the text it was
 * trained on (the shipped SAE's card, and published GPT-2 small residual SAEs: 80–95% of the
 * variance explained, next-token loss up by 0.05–0.2 nats when spliced in):
 * - fewer than 8 scored positions: variance explained is taken over positions, and with a handful
 *   of them one token decides it, so no verdict is given;
 * - poor: under 60% of the variance explained (the error term carries over 40% of the activation:
 *   the features describe less of this prompt than they leave out), or next-token loss up by more
 *   than 0.5 nats (perplexity × 1.65: the spliced model no longer predicts like the model), or the
 *   top-1 prediction changed at over 30% of the positions;
 * - good: at least 80% explained, loss up by at most 0.15 nats and the top-1 kept at 90% of positions;
 * - in between: the numbers alone, no verdict.
 */
export const QUALITY_THRESHOLDS = {
  minScored: 8,
  poorVarianceExplained: 0.6,
  poorDeltaCe: 0.5,
  poorTop1: 0.7,
  goodVarianceExplained: 0.8,
  goodDeltaCe: 0.15,
  goodTop1: 0.9,
} as const;

export type QualityLevel = 'poor' | 'good' | 'mixed' | 'too-short';

export interface QualityVerdict {
  readonly level: QualityLevel;
  /** One sentence; empty for 'mixed' (the numbers speak). */
  readonly headline: string;
  /** Which measurements made it poor, in plain words. */
  readonly reasons: readonly string[];
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function qualityVerdict(q: ReconstructionQuality): QualityVerdict {
  const t = QUALITY_THRESHOLDS;
  if (q.nScored < t.minScored) {
    return {
      level: 'too-short',
      headline: `Too few tokens to judge: ${q.nScored} scored position${q.nScored === 1 ? '' : 's'} (at least ${t.minScored} needed).`,
      reasons: [],
    };
  }
  const dCe = q.ceSpliced - q.ceClean;
  const reasons: string[] = [];
  if (q.varianceExplained < t.poorVarianceExplained) reasons.push(`only ${pct(q.varianceExplained)} of the activations' variance is explained`);
  if (dCe > t.poorDeltaCe) reasons.push(`next-token loss rises by ${dCe.toFixed(2)} nats when the reconstruction is spliced in`);
  if (q.top1Agreement < t.poorTop1) reasons.push(`the top prediction changes at ${pct(1 - q.top1Agreement)} of positions`);
  if (reasons.length) {
    // Say what the numbers show: a large error term, or a small one that still matters downstream.
    const headline =
      q.varianceExplained < t.poorVarianceExplained
        ? 'The SAE explains this prompt badly: read its features with caution, the error term carries much of the activation.'
        : 'The reconstruction is close, but what it misses matters here: splicing it in changes the model’s predictions. Read its features with caution.';
    return { level: 'poor', headline, reasons };
  }
  if (q.varianceExplained >= t.goodVarianceExplained && dCe <= t.goodDeltaCe && q.top1Agreement >= t.goodTop1) {
    return { level: 'good', headline: 'The SAE reconstructs this prompt well.', reasons: [] };
  }
  return { level: 'mixed', headline: '', reasons: [] };
}

/** Fraction of the loss gap closed by the reconstruction: (CE_zero − CE_spliced) / (CE_zero − CE_clean); undefined without the zero-ablated loss. */
export function lossRecovered(q: ReconstructionQuality): number | undefined {
  if (q.ceZeroAblated === undefined) return undefined;
  const gap = q.ceZeroAblated - q.ceClean;
  return gap > 0 ? (q.ceZeroAblated - q.ceSpliced) / gap : undefined;
}

/** The `n` scored positions (BOS skipped) where splicing moves the prediction most (KL), largest first. */
export function worstPositions(q: ReconstructionQuality, isBos: (i: number) => boolean, n = 3): { position: number; kl: number; relError: number }[] {
  const out: { position: number; kl: number; relError: number }[] = [];
  q.kl_pos.forEach((kl, position) => {
    if (!isBos(position)) out.push({ position, kl, relError: q.rel_error_pos[position] });
  });
  return out.sort((a, b) => b.kl - a.kl || a.position - b.position).slice(0, n);
}

/** The mean of a per-position array over non-BOS positions. */
export function meanExcept(values: Float32Array, isBos: (i: number) => boolean): number {
  let s = 0;
  let c = 0;
  values.forEach((v, i) => {
    if (!isBos(i)) {
      s += v;
      c++;
    }
  });
  return c ? s / c : 0;
}

/** The view's own choices, kept across the webview being hidden and shown again (vscode.setState). */
export interface SaeViewState {
  readonly mode: StripMode;
  readonly sortKey: FeatureSortKey;
  readonly sortDir: SortDir;
}

/** The persisted state, if it is one (anything else is ignored). */
export function asSaeViewState(v: unknown): Partial<SaeViewState> {
  if (typeof v !== 'object' || v === null) return {};
  const out: { mode?: StripMode; sortKey?: FeatureSortKey; sortDir?: SortDir } = {};
  if ('mode' in v && (v.mode === 'chips' || v.mode === 'compact')) out.mode = v.mode;
  if ('sortKey' in v && (v.sortKey === 'feature' || v.sortKey === 'act' || v.sortKey === 'density')) out.sortKey = v.sortKey;
  if ('sortDir' in v && (v.sortDir === 'asc' || v.sortDir === 'desc')) out.sortDir = v.sortDir;
  return out;
}
