/**
 * Cells exact patching does not run because their value is known (see runPatchingSweeps): each
 * inferred value must equal the value of actually running the cell, within the parity tolerance.
 * Golden checkpoints (tiny GPT-2s) with their clean/corrupt pairs, plus a pair that differs at the
 * last position only, where every resid_pre cell at that position is the source run and every
 * whole-head z is one z_by_pos cell.
 */
import * as assert from 'node:assert/strict';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { runPatchingSweeps, type PatchingResult } from '../../../../src/analysis/patching/runPatchingSweeps';
import { logitDifference } from '../../../../src/analysis/patching/patchingMetric';
import { SWEEP_KINDS, type SweepKind } from '../../../../src/shared/patchingVocabulary';
import { compareToGolden, goldenCases } from '../../../golden/goldenCases';

describe('exact patching: inferred cells equal the cells run', function () {
  this.timeout(120_000);
  for (const name of ['f32-bare', 'wide-gelu']) {
    const gc = goldenCases().find((g) => g.name === name)!;
    let loaded: LoadedModel;
    before(async () => (loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm })));
    after(() => loaded?.dispose());

    const both = async (clean: number[], corrupt: number[]): Promise<[PatchingResult, PatchingResult]> => {
      const req = { clean, corrupt, metric: logitDifference(gc.answer, gc.wrong), sweeps: SWEEP_KINDS, maxBatch: 5 };
      return [await runPatchingSweeps(loaded.model, req), await runPatchingSweeps(loaded.model, { ...req, inferKnownCells: false })];
    };
    const inferred = (r: PatchingResult, sweep: SweepKind) => r.tables.filter((t) => t.sweep === sweep).reduce((n, t) => n + (t.inferredCells ?? 0), 0);
    const mismatches = (a: PatchingResult, b: PatchingResult) =>
      a.tables.flatMap((t, i) => {
        const r = compareToGolden(t.values, b.tables[i].values);
        return r.ok ? [] : [`${t.direction}.${t.sweep}: ${r.maxErr.toExponential(2)} > ${r.tol.toExponential(2)} at ${r.where}`];
      });

    it(`${name}: the golden pair, every table equal with and without inference`, async () => {
      const [fast, all] = await both(gc.clean_tokens, gc.corrupt_tokens);
      assert.deepEqual(mismatches(fast, all), []);
      const c = loaded.model.config;
      const n = gc.clean_tokens.length;
      let firstDiff = 0;
      while (gc.clean_tokens[firstDiff] === gc.corrupt_tokens[firstDiff]) firstDiff++;
      // At the last layer, z_by_pos at every differing position but the last is known (× 2 directions).
      assert.ok(inferred(fast, 'z_by_pos') >= 2 * c.nHeads * (n - 1 - firstDiff), `z_by_pos inferred: ${inferred(fast, 'z_by_pos')}`);
      for (const s of ['attn_out', 'mlp_out'] as const) assert.ok(inferred(fast, s) >= 2 * (n - 1 - firstDiff), `${s}: ${inferred(fast, s)}`);
      // Whole-head z at the last layer patches only the last position: z_by_pos's cell there is the same run.
      assert.ok(inferred(fast, 'z_by_pos') >= 2 * c.nHeads * (n - firstDiff));
      assert.equal(inferred(all, 'z_by_pos'), 0);
      const zLast = fast.tables.find((t) => t.sweep === 'z' && t.direction === 'denoise')!;
      const zbpLast = fast.tables.find((t) => t.sweep === 'z_by_pos' && t.direction === 'denoise')!;
      for (let h = 0; h < c.nHeads; h++) {
        assert.equal(zbpLast.values[((c.nLayers - 1) * c.nHeads + h) * n + n - 1], zLast.values[(c.nLayers - 1) * c.nHeads + h]);
      }
    });

    it(`${name}: a pair differing at the last position only`, async () => {
      const clean = gc.clean_tokens;
      const n = clean.length;
      const corrupt = clean.map((t, i) => (i === n - 1 ? (t === gc.wrong ? gc.answer : gc.wrong) : t));
      const [fast, all] = await both(clean, corrupt);
      assert.deepEqual(mismatches(fast, all), []);
      const c = loaded.model.config;
      // resid_pre at the last position, every layer: the source run.
      assert.equal(inferred(fast, 'resid_pre'), 2 * c.nLayers);
      const denoise = fast.tables.find((t) => t.sweep === 'resid_pre' && t.direction === 'denoise')!;
      for (let l = 0; l < c.nLayers; l++) assert.equal(denoise.values[l * n + n - 1], fast.metricClean);
      // Every whole-head z, q and pattern cell patches one position; z copies nothing before it, z_by_pos copies z.
      assert.equal(inferred(fast, 'z_by_pos'), 2 * c.nLayers * c.nHeads);
      assert.equal(fast.tables.find((t) => t.sweep === 'z_by_pos')!.skippedCells, c.nLayers * c.nHeads * n);
    });
  }
});
