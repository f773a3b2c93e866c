/**
 * Fixtures of the substitution panel's int8 mode: the comparison labelled int8 with a logits error,
 * and a table's check against fp32 computed by the real `checkPatchTable` from the shown table and
 * an fp32 table made from it ("close": every cell within 1% of the gap, the same order; "notable":
 * two cells moved by 9% of the gap, so the strongest cells differ).
 */
import { checkPatchTable } from '../../src/analysis/precisionCheck';
import type { ComparisonParams, PatchTable, TableCheckParams } from '../../src/features/substitution/shared/protocol';
import { labelModelName, type LogitsError } from '../../src/shared/precision';

export const FIXTURE_LOGITS_ERROR: LogitsError = {
  positions: 17,
  maxAbs: 0.412,
  meanAbs: 0.061,
  top1Agree: 16,
  meanKl: 0.0021,
  maxKl: 0.0113,
  meanLogitRange: 17.8,
};

export function int8Comparison(c: ComparisonParams): ComparisonParams {
  return { ...c, modelName: labelModelName(c.modelName, 'int8'), precisionError: FIXTURE_LOGITS_ERROR };
}

export function fixtureTableCheck(c: ComparisonParams, t: PatchTable, kind: 'close' | 'notable'): TableCheckParams {
  const gap = c.metric.clean - c.metric.corrupt;
  const target = t.direction === 'denoise' ? c.metric.corrupt : c.metric.clean;
  // fp32's unpatched runs a little apart from int8's, and its effects 1% larger: the same order, every cell within ~1% of the gap
  const metricClean = c.metric.clean + 0.021;
  const metricCorrupt = c.metric.corrupt - 0.013;
  const fp32Target = t.direction === 'denoise' ? metricCorrupt : metricClean;
  const fp32 = Float32Array.from(t.patched, (v) => fp32Target + (v - target) * 1.01);
  if (kind === 'notable') {
    // int8 weakened two cells just outside fp32's strongest five by 9% of the gap
    const order = Array.from(t.patched.keys()).sort((a, b) => Math.abs(t.patched[b] - target) - Math.abs(t.patched[a] - target));
    for (const i of order.slice(5, 7)) fp32[i] += Math.sign(t.patched[i] - target) * 0.09 * Math.abs(gap);
  }
  const check = checkPatchTable(
    { values: fp32, metricClean, metricCorrupt },
    { values: t.patched, metricClean: c.metric.clean, metricCorrupt: c.metric.corrupt },
    t.direction,
  );
  return { runId: c.runId, sweep: t.sweep, direction: t.direction, state: 'done', check };
}
