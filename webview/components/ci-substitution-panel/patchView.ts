/**
 * What the substitution panel shows, derived from the comparison and its tables: pure, so the unit
 * tests read it without a DOM. The root element keeps the state; this turns it into view data.
 */
import {
  cellAddress,
  DEFAULT_SIGNIFICANCE,
  isSmallGap,
  smallGapNote,
  cellValue,
  componentHints,
  formatValue,
  gapShare,
  normalised,
  positionLabels,
  tableGrid,
  targetMetric,
  type ComparisonParams,
  type ComponentHint,
  type PatchTable,
  type SweepKind,
  type TableGrid,
  unpatchedValue,
  type ValueMode,
} from '../../../src/features/substitution/shared/protocol.js';
import { headLabel } from '../../../src/shared/inspection.js';
import { tableKey, type TableKey } from '../../../src/features/substitution/shared/tables.js';
import { visibleText } from '../../../src/shared/tokens.js';
import { sweepStatus } from '../../../src/shared/patchTables.js';

/** Effect and normalised modes are undefined when clean and corrupt give the same metric. */
export function availableModes(c: ComparisonParams): ValueMode[] {
  return c.metric.clean === c.metric.corrupt ? ['change', 'raw'] : ['effect', 'normalised', 'raw', 'change'];
}

/** The gap is small against the metric's scale: shares of it mislead, so read raw values and no AND/OR verdicts. */
export function smallGap(c: ComparisonParams): boolean {
  return isSmallGap(c.metric.spec.kind, c.metric.clean, c.metric.corrupt);
}

/** The mode a new comparison opens in: effect, or the raw metric when the gap is small. */
export function defaultMode(c: ComparisonParams): ValueMode {
  return smallGap(c) ? 'raw' : 'effect';
}

/** The small-gap warning: the gap, the stated threshold and what the panel does about it. */
export function smallGapText(c: ComparisonParams): string {
  return smallGapNote(c.metric);
}

export const MODE_LABELS: Readonly<Record<ValueMode, string>> = {
  effect: 'Effect',
  normalised: 'Normalised',
  raw: 'Raw metric',
  change: 'Change',
};

export const MODE_LEGENDS: Readonly<Record<ValueMode, string>> = {
  effect: 'share of the gap moved: 0 = no effect, 1 = whole gap restored (denoising) / removed (noising)',
  normalised: '(patched − corrupt) / (clean − corrupt); neutral = unpatched',
  raw: 'metric of the patched run; neutral = unpatched',
  change: 'patched − unpatched run',
};

export interface HeatmapView {
  readonly table: PatchTable;
  readonly grid: TableGrid;
  readonly values: (number | null)[];
  /** The unpatched run's value: the colour scale's neutral point. */
  readonly centre: number;
}

export function heatmapView(c: ComparisonParams, t: PatchTable, mode: ValueMode): HeatmapView {
  const { clean, corrupt } = c.metric;
  return {
    table: t,
    grid: tableGrid(t, positionLabels(c)),
    values: Array.from(t.patched, (v) => cellValue(mode, v, t.direction, clean, corrupt)),
    centre: unpatchedValue(mode, t.direction, clean, corrupt),
  };
}

/**
 * |value − centre| that gets full colour, shared by the views so they compare. Effect mode is
 * fixed at 1 (the whole gap), so a colour means the same share in every sweep.
 */
export function sharedScale(views: readonly HeatmapView[], mode?: ValueMode): number {
  if (mode === 'effect') return 1;
  let m = 0;
  let floor = 1e-9;
  for (const v of views) {
    // Float32 tables against float64 metrics: differences below ~1e-6 relative are rounding, not effects.
    floor = Math.max(floor, 1e-5 * Math.max(1, Math.abs(v.centre)));
    for (const x of v.values) if (x !== null && Number.isFinite(x)) m = Math.max(m, Math.abs(x - v.centre));
  }
  return Math.max(m, floor);
}

/** Hover text of one cell: where it is, and the value in every mode. */
export function describeCell(c: ComparisonParams, t: PatchTable, index: number): string {
  const a = cellAddress(t, index);
  const labels = positionLabels(c);
  const where = [
    `layer ${a.layer}`,
    a.head !== undefined ? `head ${headLabel({ layer: a.layer, head: a.head })}` : '',
    a.pos !== undefined ? `pos ${a.pos} ${labels[a.pos] ?? ''}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const v = t.patched[index];
  const { clean, corrupt } = c.metric;
  const n = normalised(v, clean, corrupt);
  const e = gapShare(v, t.direction, clean, corrupt);
  const change = v - targetMetric(t.direction, clean, corrupt);
  return [
    where,
    `effect ${e === null ? 'undefined (clean = corrupt)' : `${formatValue(e)} of the gap ${t.direction === 'denoise' ? 'restored' : 'removed'}`}`,
    `patched ${formatValue(v)}   normalised ${n === null ? 'undefined (clean = corrupt)' : formatValue(n)}`,
    `change ${change >= 0 ? '+' : ''}${formatValue(change)}   ${t.source === 'exact' ? 'exact' : 'estimate (attribution patching)'}`,
  ].join('\n');
}

export interface HintView extends ComponentHint {
  readonly label: string;
}

/**
 * The OR/AND reading aid for a two-axis sweep whose both directions are present; `threshold` is
 * the share of the gap that counts as significant. No verdicts when the gap is small.
 */
export function hintsFor(
  c: ComparisonParams,
  sweep: SweepKind,
  tables: ReadonlyMap<TableKey, PatchTable>,
  threshold = DEFAULT_SIGNIFICANCE,
): HintView[] | undefined {
  const d = tables.get(tableKey(sweep, 'denoise'));
  const n = tables.get(tableKey(sweep, 'noise'));
  if (!d || !n || d.dims.length !== 2) return undefined;
  if (smallGap(c)) return [];
  const byPos = d.axes[1] === 'pos';
  return componentHints(d, n, c.metric.clean, c.metric.corrupt, threshold).map((h) => ({
    ...h,
    label: byPos ? `L${h.layer} pos ${h.index} ‘${visibleText(c.clean.tokens[h.index]?.text ?? '')}’` : `head ${headLabel({ layer: h.layer, head: h.index })}`,
  }));
}

export const HINT_TEXT: Readonly<Record<HintView['hint'], string>> = {
  'and-like': 'necessary (noising breaks it), not sufficient alone (denoising it alone does not restore)',
  'or-like': 'sufficient alone (denoising restores), not necessary (noising it alone does not break)',
  both: 'necessary and sufficient: matters in both directions',
};

export { sweepStatus };
