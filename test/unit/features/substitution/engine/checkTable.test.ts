/**
 * The substitution's int8 check on the shipped model, through the real EngineClient and
 * EngineServer: an int8 comparison reports its logits error on the clean prompt, and `checkTable`
 * recomputes one table with the fp32 weights of the int8-loaded model. That table must equal the
 * one an fp32-loaded model computes, and the reported max |Δ| must be the int8 table's difference
 * from it (not zero: a recompute that used the int8 weights again would report 0).
 */
import * as assert from 'node:assert/strict';
import { isCancelled, type EngineError } from '../../../../../src/engine/protocol';
import type { EngineClient, TypedEngine } from '../../../../../src/engine/client';
import { isPatchSweepsDetail, type SubstitutionEngineMethods } from '../../../../../src/features/substitution/shared/engineMethods';
import type { MetricSpec, PatchTable, SweepKind } from '../../../../../src/features/substitution/shared/protocol';
import { shippedModelDir } from '../../../../../src/model/shippedModel';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { isPatchTableCheck } from '../../../../../src/shared/precision';
import { inProcessClient } from '../../../engine/inProcessEngine';

const exactSpec: ModelSpec = { dir: shippedModelDir(), displayName: 'mini', layerNorm: 'as_configured', prependBos: true };
const int8Spec: ModelSpec = { ...exactSpec, displayName: 'mini · int8 approximate', precision: 'int8' };

const clean = 'def area(self, width, height):\n    return width *';
const corrupt = 'def area(self, width, length):\n    return width *';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('substitution engine: int8 check against fp32 (shipped model)', function () {
  this.timeout(120_000);
  let owner: EngineClient;
  let client: TypedEngine<SubstitutionEngineMethods>;
  before(() => {
    ({ owner } = inProcessClient());
    client = owner.methods<SubstitutionEngineMethods>();
  });
  after(() => owner.dispose(100));

  let ids: { clean: number[]; corrupt: number[] };
  let metric: MetricSpec;

  async function exactTables(model: ModelSpec, sweeps: SweepKind[]): Promise<{ tables: PatchTable[]; metricClean: number; metricCorrupt: number }> {
    const tables: PatchTable[] = [];
    const r = await client.call('patchSweeps', { model, ...ids, metric, sweeps }, (_p, _m, d) => {
      if (isPatchSweepsDetail(d) && d.kind === 'table') tables.push(d.table);
    }).result;
    return { tables, metricClean: r.metricClean, metricCorrupt: r.metricCorrupt };
  }

  it('an int8 comparison reports its logits error on the clean prompt; an exact one does not', async () => {
    const i8 = await client.call('openComparison', { model: int8Spec, comparisonId: 'i8', clean }).result;
    assert.ok(i8.precisionError, 'int8: measured');
    assert.equal(i8.precisionError.positions, i8.clean.length);
    assert.ok(i8.precisionError.maxAbs > 0, 'int8 does change the logits');
    const fp = await client.call('openComparison', { model: exactSpec, comparisonId: 'fp', clean }).result;
    assert.equal(fp.precisionError, undefined);
    const c = await client.call('tokenizeCorrupt', { comparisonId: 'fp', corrupt }).result;
    assert.ok(c.diff.aligned && c.diff.differingPositions.length === 1);
    ids = { clean: fp.clean.map((t) => t.id), corrupt: c.corrupt.map((t) => t.id) };
    // fp32's own prediction on each prompt: the answer and the wrong token.
    const answer = fp.topClean[0];
    const wrong = c.topCorrupt!.find((t) => t.id !== answer.id)!;
    metric = { kind: 'logit_diff', answer: { id: answer.id, text: answer.text }, wrong: { id: wrong.id, text: wrong.text } };
  });

  for (const sweep of ['z', 'resid_pre'] as const) {
    for (const direction of ['denoise', 'noise'] as const) {
      it(`${sweep} ${direction}: the fp32 recompute is the fp32-loaded model's table, and max |Δ| is the int8 table's distance from it`, async () => {
        const fp32 = await exactTables(exactSpec, [sweep]);
        const int8 = await exactTables(int8Spec, [sweep]);
        const shown = int8.tables.find((t) => t.direction === direction)!;
        const reference = fp32.tables.find((t) => t.direction === direction)!;
        const progress: number[] = [];
        const r = await client.call(
          'checkTable',
          {
            model: int8Spec,
            ...ids,
            metric,
            sweep,
            direction,
            int8: { patched: shown.patched, metricClean: int8.metricClean, metricCorrupt: int8.metricCorrupt },
          },
          (_p, _m, d) => progress.push((d as { done: number; total: number }).done / (d as { done: number; total: number }).total),
        ).result;
        assert.ok(isPatchTableCheck(r.check));
        assert.deepEqual([r.fp32.sweep, r.fp32.direction, r.fp32.source], [sweep, direction, 'exact']);
        assert.ok(maxAbsDiff(r.fp32.patched, reference.patched) < 1e-5, `fp32 recompute vs fp32 model: ${maxAbsDiff(r.fp32.patched, reference.patched)}`);
        assert.ok(Math.abs(r.check.metric.fp32.clean - fp32.metricClean) < 1e-5 && Math.abs(r.check.metric.fp32.corrupt - fp32.metricCorrupt) < 1e-5);
        assert.deepEqual(r.check.metric.int8, { clean: int8.metricClean, corrupt: int8.metricCorrupt });
        const delta = maxAbsDiff(shown.patched, reference.patched);
        assert.ok(Math.abs(r.check.maxAbs - delta) < 1e-5, `reported ${r.check.maxAbs}, int8 − fp32 model ${delta}`);
        // Sensitivity: int8 moves this table, so a recompute on the int8 weights (Δ 0) would fail here.
        assert.ok(r.check.maxAbs > 1e-4, `max |Δ| ${r.check.maxAbs}: the recompute ran on the fp32 weights`);
        assert.ok(Math.abs(r.check.maxAbsShare! - delta / Math.abs(fp32.metricClean - fp32.metricCorrupt)) < 1e-5);
        assert.equal(r.check.cells, shown.patched.length);
        assert.ok(r.check.top.k >= 1 && r.check.top.k <= 5 && r.check.top.fp32.length === r.check.top.k && r.check.top.int8.length === r.check.top.k);
        assert.equal(r.check.top.shared, r.check.top.fp32.filter((i) => r.check.top.int8.includes(i)).length);
        assert.equal(progress.at(-1), 1, 'progress reaches the whole table');
      });
    }
  }

  it('a table of another size, an exact model, and a cancel are refused', async () => {
    const base = { model: int8Spec, ...ids, metric, sweep: 'z' as const, direction: 'denoise' as const };
    const int8 = { patched: new Float32Array(3), metricClean: 1, metricCorrupt: 0 };
    await assert.rejects(client.call('checkTable', { ...base, int8 }).result, (e: EngineError) => e.code === 'bad-request' && /cells/.test(e.message));
    await assert.rejects(client.call('checkTable', { ...base, model: exactSpec, int8 }).result, (e: EngineError) => /exact mode/.test(e.message));
    const call = client.call('checkTable', { ...base, sweep: 'z_by_pos', maxBatch: 1, int8: { ...int8, patched: new Float32Array(1) } }, () => call.cancel());
    await assert.rejects(call.result, (e) => isCancelled(e));
  });
});
