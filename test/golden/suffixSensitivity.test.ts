/**
 * The suffix recompute of exact patching (each batch computes only the positions from its earliest
 * patch on, with the earlier keys and values from the target run's cache) is checked by the parity
 * tests. This shows they would catch the careless versions: a suffix starting one position late
 * (the patched position's key and value stale, taken from the unpatched run), and one that ignores
 * the cells' positions and starts at the last position of the prompt.
 */
import * as assert from 'node:assert/strict';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import type { Float32Tensor } from '../../src/model/tensor';
import { runPatchingSweeps, suffixStart } from '../../src/analysis/patching/runPatchingSweeps';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import type { SweepKind } from '../../src/shared/patchingVocabulary';
import { compareToGolden, goldenCases } from './goldenCases';

const POSITIONAL: SweepKind[] = ['resid_pre', 'attn_out', 'mlp_out', 'z_by_pos'];

describe('exact patching: the parity tests catch a careless suffix recompute', function () {
  this.timeout(120_000);
  // f32-last (the pair differs at the last position only) is checked by parity.test.ts: every suffix
  // there starts at the last position, so no plan can start it late.
  for (const name of ['f32-bare', 'bf16-prefixed', 'f32-early', 'f32-late']) {
    const gc = goldenCases().find((g) => g.name === name)!;
    let loaded: LoadedModel;
    let golden: Map<string, Float32Tensor>;
    before(async () => {
      loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm });
      golden = await readSafetensorsFloat32(gc.goldenFile);
    });
    after(() => loaded?.dispose());

    /** How many (direction, sweep) tables miss the golden, and by how many tolerances at most. */
    async function misses(planSuffix: typeof suffixStart): Promise<{ tables: number; worst: number }> {
      const n = gc.clean_tokens.length;
      const result = await runPatchingSweeps(loaded.model, {
        clean: gc.clean_tokens,
        corrupt: gc.corrupt_tokens,
        metric: logitDifference(gc.answer, gc.wrong),
        sweeps: POSITIONAL,
        maxBatch: 3,
        planSuffix: (chunk, fd) => Math.min(n - 1, planSuffix(chunk, fd)),
      });
      let tables = 0;
      let worst = 0;
      for (const t of result.tables) {
        const r = compareToGolden(t.values, golden.get(`patch.${t.direction}.${t.sweep}`)!.data);
        if (!r.ok) tables++;
        worst = Math.max(worst, r.maxErr / r.tol);
      }
      return { tables, worst };
    }

    it(`${name}: the exact suffix passes; one starting a position late, or at the end, fails`, async () => {
      assert.equal((await misses(suffixStart)).tables, 0);
      const late = await misses((chunk, fd) => suffixStart(chunk, fd) + 1);
      assert.ok(late.tables > 0 && late.worst > 10, `a stale key/value at the patched position: ${JSON.stringify(late)}`);
      const end = await misses(() => gc.clean_tokens.length - 1);
      assert.ok(end.tables > 0 && end.worst > 10, `a suffix that ignores the patch: ${JSON.stringify(end)}`);
    });
  }
});
