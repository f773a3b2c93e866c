/**
 * Geometry of the per-pair plots, pure: the value axis both the hover strip and the distribution
 * share (padded, never empty, with round ticks), the order of the rows (highest value on top), where
 * the rows and the axis go, and which row a point is over.
 */

/** The value range a plot spans: every finite value and reference, padded by 6% a side; never zero-width. */
export function valueDomain(values: ArrayLike<number>, refs: readonly number[] = []): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number) => {
    if (!Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  for (let i = 0; i < values.length; i++) take(values[i]);
  refs.forEach(take);
  if (lo === Infinity) return [-1, 1];
  if (hi - lo < 1e-9) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** x of value `v` on an axis from `left` spanning `width` px over `domain`. */
export function xOf(domain: readonly [number, number], left: number, width: number, v: number): number {
  return left + ((v - domain[0]) / (domain[1] - domain[0])) * width;
}

/** Row order: indices by value, highest first; non-finite values last. */
export function sortedRows(values: ArrayLike<number>): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const key = (i: number) => (Number.isFinite(values[i]) ? values[i] : -Infinity);
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}

/** About `count` round tick values within [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

export interface DistributionLayout {
  readonly width: number;
  readonly height: number;
  /** Plot box: rows from `top`, `rowH` each. */
  readonly left: number;
  readonly plotW: number;
  readonly top: number;
  readonly rowH: number;
  readonly rows: number;
  /** Label every n-th row so labels never overlap. */
  readonly labelEvery: number;
  /** Top of the value axis (ticks and numbers) under the rows. */
  readonly axisTop: number;
  /** Top of the key line(s) under the axis. */
  readonly keyTop: number;
}

/** Row height bounds, CSS px: a few pairs get 16 px rows, hundreds get 3 px rows. */
export const MIN_ROW_H = 3;
export const MAX_ROW_H = 16;
/** The rows grow no taller than this together (down to MIN_ROW_H a row). */
export const TARGET_ROWS_H = 420;

export interface DistributionInput {
  readonly rows: number;
  readonly maxWidth: number;
  /** Widest row label, px. */
  readonly labelPx: number;
  readonly fontPx: number;
  /** Title band and the reference-line labels above the rows, px. */
  readonly headPx: number;
  /** Height of the key under the axis, px. */
  readonly keyPx: number;
}

export function distributionLayout(i: DistributionInput): DistributionLayout {
  const rowH = Math.max(MIN_ROW_H, Math.min(MAX_ROW_H, Math.floor(TARGET_ROWS_H / Math.max(1, i.rows))));
  const labelEvery = Math.max(1, Math.ceil((i.fontPx + 1) / rowH));
  const left = Math.ceil(Math.min(i.labelPx, 220)) + 12;
  const width = Math.max(320, Math.floor(i.maxWidth));
  const plotW = Math.max(120, width - left - 24);
  const top = i.headPx;
  const axisTop = top + i.rows * rowH + 4;
  const keyTop = axisTop + i.fontPx + 14;
  return { width, height: keyTop + i.keyPx, left, plotW, top, rowH, rows: i.rows, labelEvery, axisTop, keyTop };
}

/** The row (in drawing order) under y, or null outside the rows. */
export function rowAt(l: DistributionLayout, x: number, y: number): number | null {
  if (x < 0 || x > l.width || y < l.top) return null;
  const r = Math.floor((y - l.top) / l.rowH);
  return r >= 0 && r < l.rows ? r : null;
}

/** One tick per value on a strip of `width` px (non-finite values dropped), x rounded to half pixels. */
export function stripTicks(values: ArrayLike<number>, domain: readonly [number, number], width: number, pad = 4): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) out.push(Math.round(xOf(domain, pad, width - 2 * pad, values[i]) * 2) / 2);
  }
  return out;
}
