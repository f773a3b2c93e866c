/**
 * The patching benchmark's work count (tools/bench/suffixWork.ts) on the shipped model (2 layers):
 * the rows it records for a run are the rows that run computes, it does not change what a run
 * returns, and over a whole comparison it sees every live cell once.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../src/model/loadHookedGpt2';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { blockHook } from '../../../src/shared/hookNames';
import { logitDifference } from '../../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../../src/analysis/patching/runPatchingSweeps';
import { SWEEP_KINDS } from '../../../src/shared/patchingVocabulary';
import { extrapolateRuns, recordPatchedRuns, spreadIndices } from '../../../tools/bench/suffixWork';

const SHIPPED = join(__dirname, '..', '..', '..', 'models', 'gpt2-python-mini');

describe('patching benchmark: rows counted per run', function () {
  this.timeout(120_000);
  let loaded: LoadedModel;
  before(async () => (loaded = await loadHookedGpt2(SHIPPED)));
  after(() => loaded?.dispose());

  const prompts = () => {
    const clean = loaded.toPrompt('def add(self, a, b):\n    return a + b\n').ids.slice(0, 12);
    const corrupt = clean.map((t, i) => (i === 4 ? (t + 1) % loaded.model.config.dVocab : t));
    return { clean, corrupt };
  };

  it('counts (layers before the last × suffix + logit positions) per element for a trimmed run, the minimum per element from its own patch, and returns the same logits', async () => {
    const { clean, corrupt } = prompts();
    const n = clean.length;
    assert.equal(loaded.model.config.nLayers, 2);
    const hooks = [0, 1].flatMap((l) => [
      blockHook(l, 'hook_resid_pre'),
      blockHook(l, 'attn.hook_k'),
      blockHook(l, 'attn.hook_v'),
      blockHook(l, 'attn.hook_z'),
      blockHook(l, 'hook_mlp_out'),
    ]);
    const target = (await loaded.model.runWithCache(corrupt, hooks)).cache;
    const source = (await loaded.model.runWithCache(clean, hooks)).cache;
    const options = (layer: number, hook: 'attn.hook_z' | 'hook_mlp_out') => ({
      startAt: { layer, residPre: target.get(blockHook(layer, 'hook_resid_pre')) },
      patches: [4, 7].map((p, i) => ({
        hook: blockHook(layer, hook),
        values: source.get(blockHook(layer, hook)),
        positions: [p],
        heads: hook === 'attn.hook_z' ? [i] : undefined,
        batch: [i],
      })),
      logits: 'last' as const,
      trimLastBlock: true,
      reusePrefix: { length: 4, from: target },
    });
    const plain = await loaded.model.run(corrupt, options(0, 'attn.hook_z'));
    const rec = recordPatchedRuns(loaded.model);
    let recorded;
    try {
      recorded = await loaded.model.run(corrupt, options(0, 'attn.hook_z'));
      // A patch in the last layer after its attention: the last block is not trimmed.
      await loaded.model.run(corrupt, options(1, 'hook_mlp_out'));
    } finally {
      rec.restore();
    }
    assert.equal(loaded.model.run, HookedGpt2.prototype.run, 'restore() puts the model back');
    assert.deepEqual(recorded.logits!.data, plain.logits!.data, 'a recorded run returns what the run returns');
    const [z, late] = rec.runs;
    assert.equal(z.batch, 2);
    assert.equal(z.trimmed, true);
    assert.equal(z.rows, 2 * (1 * (n - 4) + 1), 'layer 0 on the 8 positions from 4, the last layer at the last position');
    assert.deepEqual(z.starts, [4, 7]);
    assert.equal(z.minRows, n - 4 + 1 + (n - 7 + 1), 'each element from its own position');
    assert.equal(late.trimmed, false);
    assert.equal(late.rows, 2 * (n - 4), 'an untrimmed last block computes every suffix position');
  });

  it('over a comparison, each live cell is one batch element, the plan-only pass makes the same runs, and the engine never computes less than the minimum', async () => {
    const { clean, corrupt } = prompts();
    const req = { clean, corrupt, metric: logitDifference(clean[4], corrupt[4]), sweeps: SWEEP_KINDS, maxBatch: 5 };
    const count = async (run: boolean) => {
      const rec = recordPatchedRuns(loaded.model, () => run);
      try {
        const r = await runPatchingSweeps(loaded.model, req);
        return { runs: rec.runs, live: r.tables.reduce((k, t) => k + t.values.length - t.skippedCells, 0) };
      } finally {
        rec.restore();
      }
    };
    const real = await count(true);
    const planned = await count(false);
    assert.equal(
      real.runs.reduce((k, r) => k + r.batch, 0),
      real.live,
    );
    assert.ok(real.runs.every((r) => r.ran) && planned.runs.every((r) => !r.ran));
    const strip = (rs: typeof real.runs) => rs.map((r) => [r.variant, r.batch, r.prefix, r.rows, r.minRows]);
    assert.deepEqual(strip(planned.runs), strip(real.runs));
    assert.ok(real.runs.every((r) => r.rows >= r.minRows && r.minRows >= r.batch));
    assert.ok(
      real.runs.some((r) => r.rows > r.minRows),
      'some batch starts before one of its cells',
    );
  });
});

describe('patching benchmark: sampling helpers', () => {
  it('spreads sampled indices evenly, at least two, never past the end', () => {
    assert.deepEqual(spreadIndices(10, 2), [2, 7]);
    assert.deepEqual(spreadIndices(3, 1), [0, 2]);
    assert.deepEqual(spreadIndices(1, 5), [0]);
  });

  it('extrapolates the runs not run as a fixed cost plus the per-work cost of those that ran', () => {
    const runs = [
      { ran: true, work: 100, ms: 12 },
      { ran: false, work: 300, ms: 0 },
      { ran: true, work: 100, ms: 12 },
    ];
    const r = extrapolateRuns(runs, 2);
    assert.equal(r.perWorkMs, 0.1);
    assert.equal(r.extraMs, 2 + 30);
  });
});
