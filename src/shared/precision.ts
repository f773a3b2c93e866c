/**
 * The model's numerics, as the user sees them. "exact" is fp32, as the checkpoint has it (parity
 * with Hugging Face and TransformerLens). "int8" runs the weight matmuls on int8 weights: faster,
 * approximate, and every result it produces says so.
 */
import { isRecord } from './guards';

export type Precision = 'exact' | 'int8';

export const PRECISIONS: readonly Precision[] = ['exact', 'int8'];

/** The badge every view shows next to the model name of an int8 run. */
export const INT8_LABEL = 'int8 approximate';

/** What the int8 mode means for the numbers, in one sentence (badge tooltips, hovers, the CLI). */
export const INT8_NOTE =
  'Weights quantized to int8 (circuitInspector.precision): logits, hook values and patching tables are approximate and differ from Hugging Face and TransformerLens.';

/** The model name shown with the run's precision: `gpt2 · int8 approximate` for int8, the name alone otherwise. */
export function labelModelName(name: string, precision: Precision | undefined): string {
  return precision === 'int8' ? `${name} · ${INT8_LABEL}` : name;
}

/** Splits a name made by `labelModelName` back into the model name and whether the run was int8. */
export function splitModelLabel(label: string): { readonly name: string; readonly int8: boolean } {
  const suffix = ` · ${INT8_LABEL}`;
  return label.endsWith(suffix) ? { name: label.slice(0, -suffix.length), int8: true } : { name: label, int8: false };
}

/** How far the int8 logits are from fp32 on one prompt (every position, every vocabulary entry). */
export interface LogitsError {
  readonly positions: number;
  readonly maxAbs: number;
  readonly meanAbs: number;
  /** Positions where the int8 argmax is the fp32 argmax. */
  readonly top1Agree: number;
  /** Mean over positions of KL(fp32 ‖ int8) of the next-token distributions, in nats. */
  readonly meanKl: number;
  readonly maxKl: number;
  /** The mean over positions of the fp32 logits' max − min: the scale the errors compare against. */
  readonly meanLogitRange: number;
}

export function isLogitsError(v: unknown): v is LogitsError {
  if (!isRecord(v)) return false;
  return ['positions', 'maxAbs', 'meanAbs', 'top1Agree', 'meanKl', 'maxKl', 'meanLogitRange'].every((k) => typeof v[k] === 'number');
}

function num(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 0.01 ? x.toFixed(Math.abs(x) >= 10 ? 1 : 3) : x.toExponential(1);
}

/** One line: `int8 vs fp32 logits: max |Δ| 0.12, mean 0.021 (logit range 14.3); top-1 agrees at 63/64 positions; KL 1.2e-3 nats`. */
export function formatLogitsError(e: LogitsError): string {
  return (
    `int8 vs fp32 logits: max |Δ| ${num(e.maxAbs)}, mean ${num(e.meanAbs)} (logit range ${num(e.meanLogitRange)}); ` +
    `top-1 agrees at ${e.top1Agree}/${e.positions} positions; KL ${num(e.meanKl)} nats (max ${num(e.maxKl)})`
  );
}

/** One patching table of an int8 run recomputed with the fp32 weights, and how far the two are apart. */
export interface PatchTableCheck {
  readonly cells: number;
  /** Max over the cells of |int8 − fp32| of the patched metric. */
  readonly maxAbs: number;
  /** The same, as a share of fp32's |clean − corrupt| metric gap; null when that gap is 0. */
  readonly maxAbsShare: number | null;
  /** The metric of the unpatched runs in each precision (the gap the views normalise by). */
  readonly metric: { readonly fp32: MetricPair; readonly int8: MetricPair };
  /** The strongest cells (largest |patched − unpatched|) of each table, strongest first, and how many both share. */
  readonly top: { readonly k: number; readonly shared: number; readonly fp32: readonly number[]; readonly int8: readonly number[] };
}

export interface MetricPair {
  readonly clean: number;
  readonly corrupt: number;
}

function isMetricPair(v: unknown): v is MetricPair {
  return isRecord(v) && typeof v.clean === 'number' && typeof v.corrupt === 'number';
}
const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);

export function isPatchTableCheck(v: unknown): v is PatchTableCheck {
  if (!isRecord(v) || typeof v.cells !== 'number' || typeof v.maxAbs !== 'number') return false;
  if (!(v.maxAbsShare === null || typeof v.maxAbsShare === 'number')) return false;
  const m = v.metric;
  const t = v.top;
  return (
    isRecord(m) &&
    isMetricPair(m.fp32) &&
    isMetricPair(m.int8) &&
    isRecord(t) &&
    typeof t.k === 'number' &&
    typeof t.shared === 'number' &&
    isIndexList(t.fp32) &&
    isIndexList(t.int8)
  );
}

/** One line: `int8 vs fp32 on this table: max |Δ| 0.031 (2.1% of the gap) over 40 cells; strongest 5 cells: 5 of 5 shared`. */
export function formatTableCheck(c: PatchTableCheck): string {
  const share = c.maxAbsShare !== null ? ` (${pctText(c.maxAbsShare)} of the gap)` : '';
  return `int8 vs fp32 on this table: max |Δ| ${num(c.maxAbs)}${share} over ${c.cells} cells; strongest ${c.top.k} cells: ${c.top.shared} of ${c.top.k} shared`;
}

function pctText(x: number): string {
  const p = 100 * x;
  return `${p >= 10 ? p.toFixed(0) : p >= 0.1 ? p.toFixed(1) : p === 0 ? '0' : p.toExponential(0)}%`;
}
