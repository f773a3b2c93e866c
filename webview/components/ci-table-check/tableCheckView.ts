/**
 * What the fp32 check of one table says, as view data: pure, so the unit tests read it without a
 * DOM. The element renders it; the numbers come from the engine's `PatchTableCheck`.
 */
import type { PatchTableCheck } from '../../../src/shared/precision.js';

/** Above this share of the gap, or with a strongest cell not shared, the table reads differently in int8. */
export const NOTABLE_SHARE = 0.05;

export interface TableCheckView {
  /** `max |Δ| 0.031` */
  readonly maxAbs: string;
  /** `2.1% of the fp32 gap`, or undefined when the gap is 0. */
  readonly share?: string;
  /** `4 of 5 strongest cells shared` */
  readonly top: string;
  /** The strongest cells that only one precision has, labelled. */
  readonly fp32Only: readonly string[];
  readonly int8Only: readonly string[];
  /** The unpatched metrics in each precision: `fp32 clean 3.21, corrupt −0.98 · int8 3.19, −1.01`. */
  readonly metrics: string;
  /** The int8 table reads differently: a strongest cell differs, or max |Δ| is over NOTABLE_SHARE of the gap. */
  readonly notable: boolean;
  /** One sentence on what that means for reading the table. */
  readonly verdict: string;
}

function num(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(1) : Number(x.toPrecision(3)).toString();
}

export function pctOf(x: number): string {
  const p = 100 * x;
  return `${p >= 10 || Number.isInteger(p) ? p.toFixed(0) : p >= 0.1 ? p.toFixed(1) : p === 0 ? '0' : '<0.1'}%`;
}

export function tableCheckView(c: PatchTableCheck, label: (index: number) => string): TableCheckView {
  const fp32 = new Set(c.top.fp32);
  const int8 = new Set(c.top.int8);
  const fp32Only = c.top.fp32.filter((i) => !int8.has(i)).map(label);
  const int8Only = c.top.int8.filter((i) => !fp32.has(i)).map(label);
  const large = c.maxAbsShare !== null && c.maxAbsShare > NOTABLE_SHARE;
  const notable = large || c.top.shared < c.top.k;
  const verdict = !notable
    ? `int8 reads this table as fp32 does: every cell within ${pctOf(NOTABLE_SHARE)} of the gap, the same strongest cells.`
    : c.top.shared < c.top.k
      ? 'The strongest cells differ between int8 and fp32: read this table in the exact mode before drawing conclusions from them.'
      : `Some cells move by more than ${pctOf(NOTABLE_SHARE)} of the gap in int8: read their values in the exact mode.`;
  const m = c.metric;
  return {
    maxAbs: `max |Δ| ${num(c.maxAbs)}`,
    share: c.maxAbsShare !== null ? `${pctOf(c.maxAbsShare)} of the fp32 gap` : undefined,
    top: `${c.top.shared} of ${c.top.k} strongest cells shared`,
    fp32Only,
    int8Only,
    metrics: `unpatched: fp32 clean ${num(m.fp32.clean)}, corrupt ${num(m.fp32.corrupt)} · int8 ${num(m.int8.clean)}, ${num(m.int8.corrupt)}`,
    notable,
    verdict,
  };
}
