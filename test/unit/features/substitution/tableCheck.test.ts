/**
 * The host half of "Check against fp32" that carries no `vscode`: the runner against the real
 * engine (in this thread) on the shipped model loaded int8, recording each state with the results;
 * a replaced comparison drops its check; cancel; the JSON export with and without a check; the
 * message guards.
 */
import * as assert from 'node:assert/strict';
import type { EngineClient, TypedEngine } from '../../../../src/engine/client';
import { comparisonToJson } from '../../../../src/features/substitution/export';
import { ComparisonResults } from '../../../../src/features/substitution/results';
import { isPatchSweepsDetail, type SubstitutionEngineMethods } from '../../../../src/features/substitution/shared/engineMethods';
import {
  CheckTable,
  isSubstitutionHostToWebview,
  isSubstitutionWebviewToHost,
  TableCheck,
  type ComparisonParams,
  type MetricSpec,
  type PatchTable,
  type TableCheckParams,
} from '../../../../src/features/substitution/shared/protocol';
import { TableCheckRunner, type TableCheckRun } from '../../../../src/features/substitution/tableCheck';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import type { ModelSpec } from '../../../../src/shared/modelSpec';
import { inProcessClient } from '../../engine/inProcessEngine';

const model: ModelSpec = { dir: shippedModelDir(), displayName: 'mini · int8 approximate', layerNorm: 'as_configured', prependBos: true, precision: 'int8' };

describe('substitution: Check against fp32 (host side, shipped model int8)', function () {
  this.timeout(120_000);
  let owner: EngineClient;
  let engine: TypedEngine<SubstitutionEngineMethods>;
  let comparison: ComparisonParams;
  let run: Omit<TableCheckRun, 'runId'>;
  before(async () => {
    ({ owner } = inProcessClient());
    engine = owner.methods<SubstitutionEngineMethods>();
    const plan = await engine.call('openComparison', { model, comparisonId: 'c', clean: 'def area(self, width, height):\n    return width *' }).result;
    const c = await engine.call('tokenizeCorrupt', { comparisonId: 'c', corrupt: 'def area(self, width, length):\n    return width *' }).result;
    const metric: MetricSpec = { kind: 'logit_diff', answer: plan.topClean[0], wrong: c.topCorrupt!.find((t) => t.id !== plan.topClean[0].id)! };
    const clean = plan.clean.map((t) => t.id);
    const corrupt = c.corrupt.map((t) => t.id);
    const tables: PatchTable[] = [];
    const r = await engine.call('patchSweeps', { model, clean, corrupt, metric, sweeps: ['z'] }, (_p, _m, d) => {
      if (isPatchSweepsDetail(d) && d.kind === 'table') tables.push(d.table);
    }).result;
    comparison = {
      runId: 'r1',
      modelName: model.displayName,
      clean: { text: '', tokens: plan.clean.map((t) => ({ id: t.id, text: t.text, isBos: t.isBos })) },
      corrupt: { text: '', tokens: c.corrupt.map((t) => ({ id: t.id, text: t.text, isBos: t.isBos })) },
      diff: { ops: [], differingPositions: c.diff.differingPositions },
      metric: { spec: metric, label: 'logit diff', clean: r.metricClean, corrupt: r.metricCorrupt },
      n_layers: plan.n_layers,
      n_heads: plan.n_heads,
      sweeps: ['z'],
      notes: [],
      stale: false,
      precisionError: plan.precisionError,
    };
    run = { model, clean, corrupt, metric, table: tables[1], metricClean: r.metricClean, metricCorrupt: r.metricCorrupt };
  });
  after(() => owner.dispose(100));

  function setup() {
    const results = new ComparisonResults();
    results.start(comparison);
    const seen: TableCheckParams[] = [];
    const runner = new TableCheckRunner(engine, (p, fp32) => {
      if (results.setTableCheck(p, fp32)) seen.push(p);
    });
    return { results, runner, seen };
  }

  it('records running then done, with the fp32 table; the JSON export carries the check and the logits error', async () => {
    const { results, runner, seen } = setup();
    const done = await runner.run({ ...run, runId: 'r1' });
    assert.equal(done.state, 'done');
    assert.deepEqual([done.sweep, done.direction], ['z', 'noise']);
    assert.equal(seen[0].state, 'running');
    assert.ok(
      seen.every((p) => TableCheck.is(TableCheck.create(p))),
      'every state passes the guard',
    );
    assert.ok(done.check!.maxAbs > 0);
    const [rec] = results.snapshot()!.tableChecks;
    assert.equal(rec.fp32?.patched.length, run.table.patched.length);
    assert.equal(runner.running, false);
    const json = comparisonToJson(comparison, [run.table], undefined, results.snapshot()!.tableChecks) as {
      precision: {
        logits: { maxAbs: number };
        tableChecks: { sweep: string; direction: string; maxAbs: number; strongestCells: { k: number }; fp32: { patched: number[][] } }[];
      };
    };
    assert.ok(json.precision.logits.maxAbs > 0);
    assert.equal(json.precision.tableChecks.length, 1);
    const t = json.precision.tableChecks[0];
    assert.deepEqual([t.sweep, t.direction, t.strongestCells.k], ['z', 'noise', 5]);
    assert.ok(Math.abs(t.maxAbs - done.check!.maxAbs) < 1e-6);
    assert.equal(t.fp32.patched.length, comparison.n_layers);
  });

  it('an exact comparison with no check exports no precision block', () => {
    const exact = { ...comparison, precisionError: undefined };
    assert.equal((comparisonToJson(exact, [run.table]) as { precision?: unknown }).precision, undefined);
  });

  it('a comparison re-run mid-check drops the check; a cancelled check is recorded as cancelled', async () => {
    const { results, runner, seen } = setup();
    const pending = runner.run({ ...run, runId: 'r1' });
    results.start({ ...comparison, runId: 'r2' }); // the comparison re-run
    runner.cancel();
    const last = await pending;
    assert.equal(last.state, 'cancelled');
    assert.equal(results.snapshot()!.tableChecks.length, 0, 'nothing of the replaced comparison is kept');
    assert.equal(seen.length, 1, 'only the first running state, before the re-run');

    const again = setup();
    const call = again.runner.run({ ...run, runId: 'r1' });
    again.runner.cancel('r1');
    assert.equal((await call).state, 'cancelled');
    assert.equal(again.results.snapshot()!.tableChecks[0].params.state, 'cancelled');
    assert.equal(again.results.snapshot()!.tables.length, 0, 'the tables are untouched');
  });

  it('messages: the check command and notification pass the guards; malformed ones do not', () => {
    assert.ok(isSubstitutionWebviewToHost(CheckTable.create({ runId: 'r', sweep: 'z', direction: 'noise' })));
    assert.ok(!isSubstitutionWebviewToHost(CheckTable.create({ runId: 'r', sweep: 'nope' as 'z', direction: 'noise' })));
    assert.ok(isSubstitutionHostToWebview(TableCheck.create({ runId: 'r', sweep: 'z', direction: 'noise', state: 'running', progress: 0.5 })));
    assert.ok(!isSubstitutionHostToWebview(TableCheck.create({ runId: 'r', sweep: 'z', direction: 'noise', state: 'running', progress: 2 })));
    assert.ok(!isSubstitutionHostToWebview(TableCheck.create({ runId: 'r', sweep: 'z', direction: 'noise', state: 'done', check: { cells: 1 } as never })));
  });
});
