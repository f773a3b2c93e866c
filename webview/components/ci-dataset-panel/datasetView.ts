/**
 * What the prompt-set panel shows, derived from the set's summary and its mean tables: pure, so the
 * unit tests read it without a DOM. Every mean comes with its standard error, and every reading
 * (colour, AND/OR label, ranking) says how far the standard errors let it go.
 */
import { cellAddress, formatValue, SMALL_GAP, tableGrid, type PatchDirection, type TableGrid } from '../../../src/features/substitution/shared/protocol.js';
import { headLabel } from '../../../src/shared/inspection.js';
import { pairOfRow, pairRows, type DatasetSummary, type DatasetTable, type PairInfo } from '../../../src/features/dataset/shared/protocol.js';
import { sweepStatus } from '../../../src/shared/patchTables.js';
import { gapSummary } from '../../../src/shared/datasetGap.js';

/** How the heatmaps read a cell's mean. */
export type DatasetMode = 'effect' | 'normalised' | 'raw';

export const DATASET_MODE_LABELS: Readonly<Record<DatasetMode, string>> = {
  effect: 'Effect',
  normalised: 'Normalised',
  raw: 'Raw mean',
};

export const DATASET_MODE_LEGENDS: Readonly<Record<DatasetMode, string>> = {
  effect: 'mean share of the mean gap moved: 0 = no effect, 1 = whole gap restored (denoising) / removed (noising)',
  normalised: '(mean patched − mean corrupt) / (mean clean − mean corrupt); neutral = unpatched',
  raw: 'mean logit difference of the patched runs; neutral = the unpatched run’s mean',
};

/** Below this many pairs no AND/OR reading is given: the standard error itself is too unsure. */
export const MIN_PAIRS_FOR_READING = 5;
/** A mean counts as clear of a threshold when it is this many standard errors past it (about 95%). */
export const SE_MULTIPLE = 2;

/** The mean gap, mean clean − mean corrupt. */
export function meanGap(s: DatasetSummary): number {
  return s.meanClean - s.meanCorrupt;
}

/** The mean gap is below the single-pair panel's small-gap threshold (0.5 nats): shares of it mislead. */
export function isSmallMeanGap(s: DatasetSummary): boolean {
  const g = Math.abs(meanGap(s));
  return !Number.isFinite(g) || g < SMALL_GAP.logit_diff;
}

/** Normalised and effect modes need a gap to divide by. */
export function availableDatasetModes(s: DatasetSummary): DatasetMode[] {
  return s.zeroGap ? ['raw'] : ['normalised', 'effect', 'raw'];
}

/** The mode a new set opens in: normalised, or the raw mean when the gap is zero or small. */
export function defaultDatasetMode(s: DatasetSummary): DatasetMode {
  return s.zeroGap || isSmallMeanGap(s) || gapView(s).noisy ? 'raw' : 'normalised';
}

export interface GapNote {
  /** 'warning' where the normalised views mislead (noisy or negative gap), 'info' for what only limits them (one pair). */
  readonly level: 'warning' | 'info';
  readonly text: string;
}

export interface GapView {
  /** "mean gap 3.95 ± 0.21 (SE)", or "mean gap 3.95 (1 pair: no SE)". */
  readonly text: string;
  /** The gap is within SE_MULTIPLE standard errors of zero (and not zero). */
  readonly noisy: boolean;
  readonly notes: readonly GapNote[];
}

/**
 * The set's mean gap with its standard error and the warnings the CLI and the JSON export give
 * (`gapSummary`), for the header and the notes above the maps. The zero-gap warning is left out:
 * the host's zero-gap note says it already. A noisy gap gets the panel's advice: the raw view, since
 * the normalised and effect views both divide by the gap (and `defaultDatasetMode` opens on it).
 */
export function gapView(s: DatasetSummary): GapView {
  const g = gapSummary(s.metricClean, s.metricCorrupt, s.zeroGap);
  const noisy = !s.zeroGap && g.gapStandardError !== null && Math.abs(g.gap) < SE_MULTIPLE * g.gapStandardError;
  const text =
    g.gapStandardError === null
      ? `mean gap ${formatValue(g.gap)} (${s.pairs} pair${s.pairs === 1 ? '' : 's'}: no SE)`
      : `mean gap ${formatValue(g.gap)} ± ${formatValue(g.gapStandardError)} (SE)`;
  // gapSummary lists the gap's own warning (zero, noisy or negative) first, the one-pair note last.
  const ws = [...g.warnings];
  const onePair = g.gapStandardError === null ? ws.pop() : undefined;
  if (s.zeroGap) ws.shift();
  const sentence = (w: string) => `${w.charAt(0).toUpperCase()}${w.slice(1)}.`;
  const notes: GapNote[] = ws.map((w) => ({
    level: 'warning',
    text: noisy
      ? `${sentence(w)} The Normalised and Effect views divide by this gap, so the panel opens on the Raw mean (the patched runs in nats).`
      : sentence(w),
  }));
  if (onePair) notes.push({ level: 'info', text: sentence(onePair) });
  return { text, noisy, notes };
}

/** Pairs a table covers. */
export function pairCount(t: Pick<DatasetTable, 'dims' | 'perPair'>): number {
  return pairRows(t);
}

/** The unpatched run's mean in a direction: denoising runs the corrupt prompts, noising the clean ones. */
function targetMean(direction: PatchDirection, s: DatasetSummary): number {
  return direction === 'denoise' ? s.meanCorrupt : s.meanClean;
}

/** One mean read in a mode (null where the mode is undefined: no gap). */
export function meanValue(mode: DatasetMode, mean: number, direction: PatchDirection, s: DatasetSummary): number | null {
  if (mode === 'raw') return mean;
  const gap = meanGap(s);
  if (s.zeroGap || gap === 0 || !Number.isFinite(gap)) return null;
  const n = (mean - s.meanCorrupt) / gap;
  if (mode === 'normalised') return n;
  return direction === 'denoise' ? n : 1 - n;
}

/** A standard error of the raw mean in the mode's units (|gap| divides it in normalised and effect). */
export function seValue(mode: DatasetMode, se: number, s: DatasetSummary): number | null {
  if (mode === 'raw') return se;
  const gap = Math.abs(meanGap(s));
  return s.zeroGap || gap === 0 || !Number.isFinite(gap) ? null : se / gap;
}

/** The neutral value of a mode (the unpatched run's): the colour scale's centre. */
export function meanCentre(mode: DatasetMode, direction: PatchDirection, s: DatasetSummary): number {
  return meanValue(mode, targetMean(direction, s), direction, s) ?? 0;
}

export interface MeanHeatmapView {
  readonly table: DatasetTable;
  readonly grid: TableGrid;
  /** The shown value per cell; null where undefined (or faded: within SE_MULTIPLE SE of no effect). */
  readonly values: (number | null)[];
  /** Standard error per cell in the mode's units. */
  readonly errors: (number | null)[];
  readonly centre: number;
  /** Cells whose mean is within SE_MULTIPLE standard errors of the unpatched value. */
  readonly unclear: number;
}

/**
 * A mean table as heatmap data. With `fade`, cells whose mean is within SE_MULTIPLE standard
 * errors of the unpatched value are drawn neutral, so the colours claim only what the set holds.
 */
export function meanHeatmapView(s: DatasetSummary, t: DatasetTable, mode: DatasetMode, posLabels: readonly string[], fade = false): MeanHeatmapView {
  const centre = meanCentre(mode, t.direction, s);
  const values: (number | null)[] = [];
  const errors: (number | null)[] = [];
  let unclear = 0;
  for (let i = 0; i < t.mean.length; i++) {
    const v = meanValue(mode, t.mean[i], t.direction, s);
    const e = seValue(mode, t.standardError[i], s);
    const within = v !== null && e !== null && Math.abs(v - centre) < SE_MULTIPLE * e;
    if (within) unclear++;
    values.push(fade && within ? centre : v);
    errors.push(e);
  }
  return { table: t, grid: tableGrid(t, posLabels), values, errors, centre, unclear };
}

/** |value − centre| that gets full colour, shared by the two directions; effect mode is fixed at the whole gap. */
export function sharedMeanScale(views: readonly MeanHeatmapView[], mode: DatasetMode): number {
  if (mode === 'effect') return 1;
  let m = 0;
  let floor = 1e-9;
  for (const v of views) {
    floor = Math.max(floor, 1e-5 * Math.max(1, Math.abs(v.centre)));
    for (const x of v.values) if (x !== null && Number.isFinite(x)) m = Math.max(m, Math.abs(x - v.centre));
  }
  return Math.max(m, floor);
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Resolution {
  /** Median and largest standard error over the shown cells, in the mode's units. */
  readonly medianSe: number;
  readonly maxSe: number;
  /** 2 × median SE against the colour scale: above 0.25 the colours are rough. */
  readonly rough: boolean;
  readonly text: string;
}

/**
 * How finely the set resolves the shown heatmaps: the standard errors in the mode's units, against
 * the colour scale, and what that means for reading colours apart.
 */
export function resolution(views: readonly MeanHeatmapView[], scale: number, n: number, mode: DatasetMode): Resolution {
  const se = views.flatMap((v) => v.errors.filter((e): e is number => e !== null && Number.isFinite(e)));
  const unclear = views.reduce((a, v) => a + v.unclear, 0);
  const cells = views.reduce((a, v) => a + v.values.length, 0);
  const unit = mode === 'raw' ? ' nats' : mode === 'effect' ? ' of the gap' : '';
  if (n < 2 || !se.length) {
    return {
      medianSe: NaN,
      maxSe: NaN,
      rough: true,
      text: `${n} pair${n === 1 ? '' : 's'}: no standard error, so these means cannot be told from noise; read them as one anecdote.`,
    };
  }
  const medianSe = median(se);
  const maxSe = Math.max(...se);
  const rough = (SE_MULTIPLE * medianSe) / Math.max(scale, 1e-12) > 0.25;
  const parts = [
    `Standard error per cell over ${n} pairs: median ±${formatValue(medianSe)}${unit}, largest ±${formatValue(maxSe)}${unit}.`,
    `Cells whose means differ by less than about ${formatValue(SE_MULTIPLE * medianSe)}${unit} are not told apart by this set.`,
    `${unclear} of ${cells} cells are within ${SE_MULTIPLE} standard errors of no effect.`,
  ];
  if (rough) parts.push(`That is large against the colour scale (±${formatValue(scale)}${unit}): read the colours as rough.`);
  if (n < MIN_PAIRS_FOR_READING) parts.push(`Only ${n} pairs: the standard errors themselves are unsure.`);
  return { medianSe, maxSe, rough, text: parts.join(' ') };
}

/** Where a cell is, in words: "head 3.5", "L3 pos 12 ‘x’", "head 3.5 at pos 12 ‘x’". */
export function cellLabel(t: Pick<DatasetTable, 'dims' | 'axes'>, index: number, posLabels: readonly string[]): string {
  const a = cellAddress(t, index);
  const pos = (p: number) => `pos ${p}${posLabels[p] ? ` ‘${posLabels[p]}’` : ''}`;
  if (a.head !== undefined && a.pos !== undefined) return `head ${headLabel({ layer: a.layer, head: a.head })} at ${pos(a.pos)}`;
  if (a.head !== undefined) return `head ${headLabel({ layer: a.layer, head: a.head })}`;
  return `L${a.layer} ${pos(a.pos ?? 0)}`;
}

/** Hover text of one cell: where, the mean in the shown units and raw, its standard error, n and the restored fraction. */
export function describeMeanCell(s: DatasetSummary, t: DatasetTable, index: number, posLabels: readonly string[]): string {
  const n = pairCount(t);
  const mean = t.mean[index];
  const se = t.standardError[index];
  const norm = meanValue('normalised', mean, t.direction, s);
  const normSe = seValue('normalised', se, s);
  const rf = t.restoredFraction?.[index];
  const verb = t.direction === 'denoise' ? 'restore' : 'remove';
  return [
    cellLabel(t, index, posLabels),
    `mean ${formatValue(mean)} ± ${n < 2 ? '— (n < 2)' : formatValue(se)} (SE)   n = ${n} pairs`,
    norm === null ? 'normalised: undefined (zero mean gap)' : `normalised ${formatValue(norm)} ± ${n < 2 ? '—' : formatValue(normSe)}`,
    rf === undefined || rf === null || !Number.isFinite(rf)
      ? `${verb}s ≥ half the gap: undefined (no pair has a gap)`
      : `${verb}s ≥ half its gap in ${Math.round(rf * 100)}% of pairs`,
    t.source === 'exact' ? 'exact' : 'estimate (attribution patching)',
  ].join('\n');
}

export type Significance = 'yes' | 'no' | 'unsure';

/** Whether |share| clears `threshold` by SE_MULTIPLE standard errors (yes), falls short by as much (no), or neither. */
export function significance(share: number, se: number, threshold: number): Significance {
  const a = Math.abs(share);
  if (a - SE_MULTIPLE * se >= threshold) return 'yes';
  if (a + SE_MULTIPLE * se < threshold) return 'no';
  return 'unsure';
}

export interface MeanHint {
  readonly layer: number;
  /** Head (head sweeps) or position (position sweeps). */
  readonly index: number;
  readonly label: string;
  readonly denoiseShare: number;
  readonly denoiseSe: number;
  readonly noiseShare: number;
  readonly noiseSe: number;
  readonly hint: 'and-like' | 'or-like' | 'both';
}

export interface MeanHints {
  /** Why no readings are given at all, when none are. */
  readonly withheld?: string;
  /** Cells read with confidence, strongest first. */
  readonly rows: readonly MeanHint[];
  /** Cells whose mean share reaches the threshold in a direction but whose standard error leaves the reading open. */
  readonly unsure: readonly Omit<MeanHint, 'hint'>[];
  /** What was compared, in words. */
  readonly rule: string;
}

/**
 * The AND/OR reading aid on the means: a cell is significant in a direction when its mean share of
 * the mean gap clears `threshold` by SE_MULTIPLE standard errors, and not significant when it falls
 * short by as much; only cells decided in both directions get a reading. Nothing is read with fewer
 * than MIN_PAIRS_FOR_READING pairs or a small or zero mean gap.
 */
export function meanHints(s: DatasetSummary, denoise: DatasetTable, noise: DatasetTable, threshold: number, posLabels: readonly string[]): MeanHints {
  const pct = `${Math.round(threshold * 100)}%`;
  const rule = `A cell counts as significant in a direction when its mean share of the mean gap, minus ${SE_MULTIPLE} standard errors, is at least ${pct}; as not significant when the mean share plus ${SE_MULTIPLE} standard errors is below ${pct}. A reading needs both directions decided.`;
  const n = Math.min(pairCount(denoise), pairCount(noise));
  if (s.zeroGap) return { withheld: 'The mean gap is zero: there are no shares of it to read.', rows: [], unsure: [], rule };
  if (isSmallMeanGap(s))
    return {
      withheld: `The mean gap is ${formatValue(meanGap(s))} nats, below ${SMALL_GAP.logit_diff} nats: shares of so small a gap are dominated by noise.`,
      rows: [],
      unsure: [],
      rule,
    };
  if (n < MIN_PAIRS_FOR_READING)
    return {
      withheld: `Not enough pairs to tell: ${n} of the ${MIN_PAIRS_FOR_READING} needed for a standard error to be trusted.`,
      rows: [],
      unsure: [],
      rule,
    };
  if (denoise.dims.length !== 2 || noise.dims.length !== 2 || denoise.mean.length !== noise.mean.length)
    return { withheld: 'The reading is given for two-axis sweeps (heads or positions by layer).', rows: [], unsure: [], rule };
  const w = denoise.dims[1];
  const rows: MeanHint[] = [];
  const unsure: Omit<MeanHint, 'hint'>[] = [];
  for (let i = 0; i < denoise.mean.length; i++) {
    const ds = meanValue('effect', denoise.mean[i], 'denoise', s);
    const ns = meanValue('effect', noise.mean[i], 'noise', s);
    const de = seValue('effect', denoise.standardError[i], s);
    const ne = seValue('effect', noise.standardError[i], s);
    if (ds === null || ns === null || de === null || ne === null) continue;
    const cell = {
      layer: Math.floor(i / w),
      index: i % w,
      label: cellLabel(denoise, i, posLabels),
      denoiseShare: ds,
      denoiseSe: de,
      noiseShare: ns,
      noiseSe: ne,
    };
    const d = significance(ds, de, threshold);
    const m = significance(ns, ne, threshold);
    if (d === 'yes' && m === 'yes') rows.push({ ...cell, hint: 'both' });
    else if (d === 'yes' && m === 'no') rows.push({ ...cell, hint: 'or-like' });
    else if (d === 'no' && m === 'yes') rows.push({ ...cell, hint: 'and-like' });
    // Unsure: within SE_MULTIPLE standard errors of the threshold, so it might reach it or not.
    else if (d === 'unsure' || m === 'unsure') unsure.push(cell);
  }
  const strength = (h: Omit<MeanHint, 'hint'>) => Math.max(Math.abs(h.denoiseShare), Math.abs(h.noiseShare));
  rows.sort((a, b) => strength(b) - strength(a));
  unsure.sort((a, b) => strength(b) - strength(a));
  return { rows, unsure, rule };
}

/**
 * Whether two neighbours of a ranking are told apart: their difference is at least SE_MULTIPLE
 * combined standard errors. The view marks rank ties it cannot resolve.
 */
export function toldApart(a: number, aSe: number, b: number, bSe: number): boolean {
  return Math.abs(a - b) >= SE_MULTIPLE * Math.hypot(aSe, bSe);
}

/** "40 tokens" when every pair has that length, else "31–44 tokens (lengths differ)". */
export function lengthsText(lengths: readonly number[]): string {
  if (!lengths.length) return 'no pairs';
  const lo = Math.min(...lengths);
  const hi = Math.max(...lengths);
  return lo === hi ? `${lo} tokens each` : `${lo}–${hi} tokens (lengths differ)`;
}

/** "47 of 50 pairs (94%)" for the fraction of pairs where clean beats corrupt. */
export function beatsText(s: DatasetSummary): string {
  const k = Math.round(s.cleanBeatsCorrupt * s.pairs);
  return `${k} of ${s.pairs} pairs (${Math.round(s.cleanBeatsCorrupt * 100)}%)`;
}

/** "exact", "estimate", "partial" (one direction exact) or "none" for a sweep's two mean tables. */
export const meanSweepStatus = sweepStatus;

/**
 * The words where a pair's two prompts differ, "self→rect, factor→x" (the first `max`, then "…"):
 * compared word by word when both have as many words, else from the first difference.
 */
export function pairDiff(clean: string, corrupt: string, max = 2): string {
  const words = (t: string) => t.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
  const a = words(clean);
  const b = words(corrupt);
  const out: string[] = [];
  if (a.length === b.length) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(`${a[i]}→${b[i]}`);
  } else {
    const i = a.findIndex((w, k) => w !== b[k]);
    if (i >= 0) out.push(`${a[i]}→${b[i] ?? '∅'}`);
  }
  if (!out.length) return 'same text';
  return out.length > max ? `${out.slice(0, max).join(', ')}, …` : out.join(', ');
}

/** A pair's short row label: "line 12 · self→rect". */
export function pairLabel(p: PairInfo): string {
  return `line ${p.line} · ${pairDiff(p.clean, p.corrupt)}`;
}

/** The end of a prompt (where the answer is predicted), whitespace made visible, at most `n` characters. */
export function promptTail(text: string, n = 64): string {
  const t = text.length > n ? `…${text.slice(-n)}` : text;
  return t.replace(/\n/g, '⏎').replace(/\t/g, '→');
}

/**
 * Row `row` of a table's perPair: the pair's own clean and corrupt metric (NaN when the summary does
 * not cover it). `summaryPairs` is the summary's pair order (SummaryParams.pairIndex; absent: in order).
 */
export function rowMetrics(
  s: DatasetSummary,
  summaryPairs: readonly number[] | undefined,
  t: Pick<DatasetTable, 'pairIndex'>,
  row: number,
): { clean: number; corrupt: number } {
  const pair = pairOfRow(t, row);
  const i = summaryPairs ? summaryPairs.indexOf(pair) : pair;
  const ok = i >= 0 && i < s.metricClean.length;
  return { clean: ok ? s.metricClean[i] : NaN, corrupt: ok ? s.metricCorrupt[i] : NaN };
}

/** A pair's hover text in the distribution: which pair, the prompts' ends, its value against its own gap. */
export function describePairRow(
  p: PairInfo | undefined,
  index: number,
  total: number,
  value: number,
  clean: number,
  corrupt: number,
  direction: PatchDirection,
): string {
  const head = p ? `line ${p.line} (pair ${index + 1} of ${total}) · answer ‘${p.answer}’ vs ‘${p.wrong}’` : `pair ${index + 1} of ${total}`;
  const lines = [head];
  if (p) lines.push(`clean   ${promptTail(p.clean)}`, `corrupt ${promptTail(p.corrupt)}`);
  lines.push(`patched ${formatValue(value)} · its clean ${formatValue(clean)} · its corrupt ${formatValue(corrupt)}`);
  const gap = clean - corrupt;
  if (Number.isFinite(gap) && gap !== 0) {
    const share = direction === 'denoise' ? (value - corrupt) / gap : (clean - value) / gap;
    lines.push(`${direction === 'denoise' ? 'restores' : 'removes'} ${Math.round(share * 100)}% of its own gap`);
  } else lines.push('its own gap is zero: no share to read');
  lines.push('click (or Enter): open this pair as a single comparison');
  return lines.join('\n');
}
