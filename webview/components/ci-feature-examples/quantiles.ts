/** Uniform examples grouped by activation quantile, and how each group is labelled. */
import type { ScanExample } from '../../../src/features/sae/shared/protocol.js';

/** The decile a quantile falls in, 0..9 (1 counts in the top decile). */
export function decile(q: number): number {
  return Math.min(9, Math.max(0, Math.floor(q * 10)));
}

/** "90–100%": the decile's range of activation quantiles. */
export function decileLabel(d: number): string {
  return `${d * 10}–${d * 10 + 10}%`;
}

export interface QuantileGroup {
  readonly decile: number;
  readonly label: string;
  readonly examples: readonly ScanExample[];
}

/** Uniform examples by decile, highest first (as the forum's "uniform examples" intervals); examples without a quantile are left out. */
export function groupByDecile(examples: readonly ScanExample[]): QuantileGroup[] {
  const groups = new Map<number, ScanExample[]>();
  for (const e of examples) {
    if (e.quantile === undefined) continue;
    const d = decile(e.quantile);
    const list = groups.get(d) ?? [];
    list.push(e);
    groups.set(d, list);
  }
  return [...groups.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([d, list]) => ({ decile: d, label: decileLabel(d), examples: list.sort((a, b) => b.act - a.act) }));
}

/** "1,234 tokens/s" style counts. */
export function fmtCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
