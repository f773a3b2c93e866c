/**
 * Dataset sweeps on a small random GPT-2: batching across pairs gives each pair the table that a
 * single-pair sweep gives it; a cancel keeps whole pairs; position sweeps over pairs of different
 * lengths are left out with a note; the attribution preview matches the single-pair preview.
 */
import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import { runPatchingSweeps } from '../../../../src/analysis/patching/runPatchingSweeps';
import { runAttributionPatching } from '../../../../src/analysis/patching/attributionPatching';
import { logitDifference } from '../../../../src/analysis/patching/patchingMetric';
import { SWEEP_KINDS } from '../../../../src/shared/patchingVocabulary';
import { runDatasetSweeps, type DatasetPair, type DatasetProgress } from '../../../../src/analysis/dataset/datasetSweeps';
import { runDatasetAttribution } from '../../../../src/analysis/dataset/datasetAttribution';
import { mulberry32 } from '../../../../src/shared/seededRandom';
import { maxAbsDiff, randomWeights, tinyConfig } from '../../model/randomGpt2';

const c = tinyConfig();

/** A pair of `n` tokens whose corrupt prompt differs at `at` (none: identical prompts, a zero gap). */
function pair(seed: number, n: number, at: readonly number[]): DatasetPair {
  const rand = mulberry32(seed);
  const clean = Array.from({ length: n }, (_, i) => (i === 0 ? c.bosTokenId : Math.floor(rand() * (c.dVocab - 1))));
  const corrupt = clean.map((t, i) => (at.includes(i) ? (t + 1 + Math.floor(rand() * 10)) % (c.dVocab - 1) : t));
  return { clean, corrupt, answer: 3 + (seed % 7), wrong: 20 + (seed % 5) };
}

const EQUAL: DatasetPair[] = [pair(1, 9, [3]), pair(2, 9, [1, 6]), pair(3, 9, []), pair(4, 9, [8]), pair(5, 9, [5])];
const MIXED: DatasetPair[] = [pair(6, 7, [2]), pair(7, 11, [5]), pair(8, 7, [6]), pair(9, 11, [1]), pair(10, 12, [4])];

describe('dataset sweeps: batching across pairs', function () {
  this.timeout(120_000);
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c, 11), { threads: 1 });
  });
  after(() => model.dispose());

  async function perPairTables(pairs: readonly DatasetPair[], sweeps = SWEEP_KINDS) {
    return Promise.all(
      pairs.map((p) => runPatchingSweeps(model, { clean: p.clean, corrupt: p.corrupt, metric: logitDifference(p.answer, p.wrong), sweeps, maxBatch: 5 })),
    );
  }

  for (const [name, pairs, sweeps] of [
    ['equal lengths, every sweep', EQUAL, SWEEP_KINDS],
    ['mixed lengths, head sweeps', MIXED, ['z', 'q', 'k', 'v', 'pattern'] as const],
  ] as const) {
    it(`${name}: each pair's row equals its single-pair sweep (mixed batches of pairs, small blocks)`, async () => {
      const single = await perPairTables(pairs, sweeps);
      // maxBatch 7 with 4 heads: batches mix pairs and cells, and split pairs across batches
      const result = await runDatasetSweeps(model, { pairs, sweeps, maxBatch: 7 });
      assert.deepEqual(result.notes, []);
      assert.equal(result.tables.length, 2 * sweeps.length);
      assert.deepEqual(result.pairIndices, [0, 1, 2, 3, 4]);
      let worst = 0;
      let scale = 0;
      for (const t of result.tables) {
        const cells = t.perPair.length / pairs.length;
        single.forEach((s, i) => {
          const want = s.tables.find((x) => x.sweep === t.sweep && x.direction === t.direction)!.values;
          const got = t.perPair.subarray(i * cells, (i + 1) * cells);
          worst = Math.max(worst, maxAbsDiff(got, want));
          for (const v of want) scale = Math.max(scale, Math.abs(v));
        });
      }
      single.forEach((s, i) => {
        worst = Math.max(worst, Math.abs(result.summary.metricClean[i] - s.metricClean), Math.abs(result.summary.metricCorrupt[i] - s.metricCorrupt));
      });
      // not bit-equal: batches of other shapes and prefix lengths round differently (measured ≤ 5e-7 of the scale)
      assert.ok(worst <= 1e-5 * scale, `largest difference ${worst} at scale ${scale}`);
    });
  }

  it('the identical pair (zero gap) is a row of its own metric, and the set still normalises', async () => {
    const result = await runDatasetSweeps(model, { pairs: EQUAL, sweeps: ['z'] });
    const z = result.tables[0];
    const cells = z.perPair.length / EQUAL.length;
    for (let k = 0; k < cells; k++) assert.equal(z.perPair[2 * cells + k], result.summary.metricCorrupt[2]);
    assert.equal(result.summary.metricClean[2], result.summary.metricCorrupt[2]);
    assert.equal(result.summary.zeroGap, false);
    assert.ok(z.normalised && z.restoredFraction);
  });

  it('lengths differ: position sweeps are left out with a note, head sweeps run', async () => {
    const result = await runDatasetSweeps(model, { pairs: MIXED, sweeps: ['resid_pre', 'z', 'z_by_pos'], directions: ['denoise'] });
    assert.deepEqual(
      result.tables.map((t) => t.sweep),
      ['z'],
    );
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0], /resid_pre, z_by_pos.*same token count.*7 to 12 tokens/);
  });

  it('cancel: keeps the finished pairs, labelled partial N of M, with their statistics', async () => {
    const ctrl = new AbortController();
    const seen: DatasetProgress[] = [];
    const result = await runDatasetSweeps(model, {
      pairs: MIXED,
      sweeps: ['z', 'v'],
      maxBatch: 4,
      signal: ctrl.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.pairsDone >= 2) ctrl.abort();
      },
    });
    assert.ok(result.partial, 'partial');
    assert.equal(result.partial.total, 5);
    assert.ok(result.partial.done >= 2 && result.partial.done < 5, JSON.stringify(result.partial));
    assert.equal(result.summary.pairs, result.partial.done);
    assert.equal(result.pairIndices.length, result.partial.done);
    // the finished pairs are whole: their rows equal the full run's
    const full = await runDatasetSweeps(model, { pairs: MIXED, sweeps: ['z', 'v'] });
    for (const [t, ft] of result.tables.map((t, i) => [t, full.tables[i]] as const)) {
      const cells = ft.perPair.length / 5;
      result.pairIndices.forEach((pi, r) => {
        assert.ok(maxAbsDiff(t.perPair.subarray(r * cells, (r + 1) * cells), ft.perPair.subarray(pi * cells, (pi + 1) * cells)) < 1e-4);
      });
    }
    assert.ok(seen.every((p) => p.pairsTotal === 5 && p.tablesTotal === 4 && p.fraction >= 0 && p.fraction <= 1));
    const fractions = seen.map((p) => p.fraction);
    assert.deepEqual(
      fractions,
      [...fractions].sort((a, b) => a - b),
      'progress never goes back',
    );
  });

  it('only position sweeps over pairs of different lengths: no tables, the note and the summary (exact and attribution)', async () => {
    for (const run of [runDatasetSweeps, runDatasetAttribution]) {
      const seen: DatasetProgress[] = [];
      const result = await run(model, { pairs: MIXED, sweeps: ['mlp_out'], onProgress: (p) => seen.push(p) });
      assert.deepEqual(result.tables, []);
      assert.equal(result.notes.length, 1);
      assert.equal(result.summary.pairs, 5);
      assert.deepEqual(seen, []);
    }
  });

  it('progress ends at every pair done, fraction 1', async () => {
    const seen: DatasetProgress[] = [];
    await runDatasetSweeps(model, { pairs: MIXED, sweeps: ['z'], onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1];
    assert.equal(last.pairsDone, 5);
    assert.equal(last.tablesDone, 2);
    assert.equal(last.fraction, 1);
  });

  it('cancel before any pair finished: rejects', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(runDatasetSweeps(model, { pairs: EQUAL, sweeps: ['z'], signal: ctrl.signal }));
  });

  it('bad input: an empty set, a pair of unequal lengths', async () => {
    await assert.rejects(runDatasetSweeps(model, { pairs: [], sweeps: ['z'] }), /empty/);
    await assert.rejects(runDatasetSweeps(model, { pairs: [EQUAL[0], { ...EQUAL[1], corrupt: [1, 2] }], sweeps: ['z'] }), /pair 2: .*9 tokens.*2/);
  });

  it('the attribution preview: each pair equals target metric + its single-pair AtP estimate', async () => {
    const result = await runDatasetAttribution(model, { pairs: MIXED, sweeps: ['z', 'q', 'k', 'v', 'pattern'] });
    assert.ok(result.tables.every((t) => t.source === 'attribution'));
    let worst = 0;
    let scale = 0;
    for (const [i, p] of MIXED.entries()) {
      const atp = await runAttributionPatching(model, {
        clean: p.clean,
        corrupt: p.corrupt,
        metric: logitDifference(p.answer, p.wrong),
        sweeps: ['z', 'q', 'k', 'v', 'pattern'],
      });
      for (const t of result.tables) {
        const want = atp.tables.find((x) => x.sweep === t.sweep && x.direction === t.direction)!.values;
        const base = t.direction === 'denoise' ? atp.metricCorrupt : atp.metricClean;
        const cells = want.length;
        const got = t.perPair.subarray(i * cells, (i + 1) * cells).map((v) => v - base);
        worst = Math.max(worst, maxAbsDiff(got, want));
        for (const v of want) scale = Math.max(scale, Math.abs(v), Math.abs(base));
      }
    }
    assert.ok(worst <= 1e-5 * scale, `largest difference ${worst} at scale ${scale}`);
  });
});
