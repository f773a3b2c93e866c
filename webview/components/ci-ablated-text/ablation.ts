/** The ablated text's numbers: the change at the target per ablated token, its colour scale and readout. */
import type { AblationParams } from '../../../src/features/sae/shared/protocol.js';
import { fmtAct } from '../ci-feature-strip/featurePaint.js';

/** ablated − clean for each earlier position j (negative: the feature at the target needs token j). [position + 1] */
export function ablationDeltas(a: AblationParams): Float32Array {
  return a.ablated_pos.map((v) => v - a.clean);
}

/** The colour scale: the largest |change|, at least 1% of the clean activation (so noise is not painted as signal). */
export function ablationScale(deltas: Float32Array, clean: number): number {
  let m = 0;
  for (const d of deltas) m = Math.max(m, Math.abs(d));
  return Math.max(m, 0.01 * Math.abs(clean), 1e-6);
}

/** Legend ticks from −scale to +scale. */
export function legendTicks(scale: number): number[] {
  return [-scale, -scale / 2, 0, scale / 2, scale];
}

/** Signed number with its sign always written: "+0.42", "−1.30", "0". */
export function fmtSigned(v: number): string {
  if (v === 0 || Object.is(v, -0)) return '0';
  return (v > 0 ? '+' : '−') + fmtAct(Math.abs(v));
}

/** The hover line for ablating token j. */
/** `label` names token j, e.g. "#3 ' open'". */
export function ablationReadout(a: AblationParams, j: number, label: string): string {
  const after = a.ablated_pos[j];
  const d = after - a.clean;
  const rel = a.clean !== 0 ? ` (${fmtSigned((d / Math.abs(a.clean)) * 100).replace(/(\.\d)\d*/, '$1')}%)` : '';
  return `Ablating ${label}: feature ${a.feature} at #${a.position} goes ${fmtAct(a.clean)} → ${fmtAct(after)}, ${fmtSigned(d)}${rel}`;
}
