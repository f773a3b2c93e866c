/**
 * Compare Token Substitution's engine methods against the tiny golden checkpoint (2 layers × 4
 * heads), through the real EngineClient and EngineServer (in this thread, same message flow as the
 * engine process).
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EngineClient, TypedEngine } from '../../../../../src/engine/client';
import { isCancelled, type EngineError } from '../../../../../src/engine/protocol';
import { isPatchSweepsDetail, type PatchSweepsDetail, type SubstitutionEngineMethods } from '../../../../../src/features/substitution/shared/engineMethods';
import { isPatchTable, type PatchTable } from '../../../../../src/features/substitution/shared/protocol';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { inProcessClient, type InProcessEngine } from '../../../engine/inProcessEngine';
import { REPO_ROOT } from '../../../../repoRoot';

const ROOT = REPO_ROOT;
const spec: ModelSpec = { dir: join(ROOT, 'test/golden/checkpoints/f32-bare'), displayName: 'tiny', layerNorm: 'as_configured', prependBos: true };

const clean = 'def f(self, x):';
const corrupt = 'def f(self, a):';

describe('patchingUi: engine patching requests (tiny model)', function () {
  this.timeout(120_000);
  let engines: InProcessEngine[];
  let owner: EngineClient;
  let client: TypedEngine<SubstitutionEngineMethods>;
  beforeEach(() => {
    ({ owner, engines } = inProcessClient());
    client = owner.methods<SubstitutionEngineMethods>();
  });
  afterEach(() => owner.dispose(100));

  /** Opens a comparison of `clean` and tokenizes `corrupt` against it. */
  async function compare(corruptText = corrupt, replaced?: { position: number; text: string }) {
    const plan = await client.call('openComparison', { model: spec, comparisonId: `c${Math.random()}`, clean }).result;
    const c = await client.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt: corruptText, replaced }).result;
    return { plan, c };
  }

  it('a comparison: tokens, aligned diff, top predictions, ranked suggestions with findings, encoded answers', async () => {
    const { plan: r, c } = await compare();
    assert.equal(r.clean.length, 9);
    assert.equal(r.clean[0].isBos, true);
    assert.equal(r.clean[6].text, ' x');
    assert.deepEqual([r.clean[6].start, r.clean[6].end], [11, 13]);
    assert.ok(c.diff.aligned);
    assert.deepEqual(c.diff.differingPositions, [6]);
    assert.equal(r.topClean.length, 5);
    assert.equal(c.topCorrupt?.length, 5);
    const s = await client.call('rankSubstitutes', { comparisonId: r.comparisonId, position: 6, limit: 8 }).result;
    assert.equal(s.original.text, ' x');
    assert.ok(s.ranked.length > 0 && s.ranked.length <= 8);
    // The prompt's own words first, then the vocabulary's; each group best first.
    const doc = s.ranked.filter((x) => x.fromDocument);
    assert.deepEqual(s.ranked.slice(0, doc.length), doc, 'document words first');
    for (const group of [doc, s.ranked.filter((x) => !x.fromDocument)]) {
      const d = group.map((x) => x.distance);
      assert.deepEqual(
        d,
        [...d].sort((a, b) => a - b),
        'best first',
      );
    }
    assert.equal(s.role, 'identifier');
    assert.ok(
      s.ranked.every((x) => x.text.startsWith(' ')),
      'leading space kept',
    );
    const enc = await client.call('encode', { model: spec, texts: [' self x'] }).result;
    assert.deepEqual(
      enc[0].map((t) => t.text),
      [' self', ' x'],
    );
  });

  it('a literal <|endoftext|> reaches both prompts marked isSpecial (the token rows of the panel mark it); BOS is not', async () => {
    const eot = '<|endoftext|>';
    const plan = await client.call('openComparison', { model: spec, comparisonId: 'special', clean: `${eot}def f(self, x):` }).result;
    const c = await client.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt: `${eot}def f(self, a):` }).result;
    for (const tokens of [plan.clean, c.corrupt]) {
      assert.deepEqual(
        tokens.flatMap((t, i) => (t.isSpecial ? [i] : [])),
        [1],
        'the written one only',
      );
      assert.equal(tokens[1].text, eot);
      assert.equal(tokens[0].isBos, true);
    }
  });

  it('the clean prompt runs once per comparison: ranking and the corrupt prompt reuse it', async () => {
    const plan = await client.call('openComparison', { model: spec, comparisonId: 'once', clean }).result;
    assert.equal(engines[0].forwards, 1, 'the clean prompt');
    await client.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt }).result;
    assert.equal(engines[0].forwards, 2, 'only the corrupt prompt ran');
    await client.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt: 'def f(self, b):' }).result;
    assert.equal(engines[0].forwards, 2, 'a misaligned corrupt prompt is not run');
    await assert.rejects(client.call('tokenizeCorrupt', { comparisonId: 'never-opened', corrupt }).result, (e: EngineError) => e.code === 'unknown-context');
  });

  it('ranks only the given candidates when asked (checking a chosen replacement for special treatment)', async () => {
    const { plan, c } = await compare();
    const a = c.corrupt[6];
    const r = await client.call('rankSubstitutes', { comparisonId: plan.comparisonId, position: 6, limit: 1, candidates: [a.id] }).result;
    assert.deepEqual(
      r.ranked.map((s) => s.text),
      [' a'],
    );
    assert.equal(r.original.text, ' x');
    assert.equal(r.original.distance, 0, 'the original is treated exactly like itself');
    assert.ok(Number.isFinite(r.ranked[0].distance) && r.ranked[0].distance > 0, 'a different token is treated differently');
    assert.ok(
      r.ranked[0].special.every((f) => f.tokenId === a.id && f.tokenIndices.includes(6)),
      'findings are about the substitute, at its position',
    );
    // A candidate's score does not depend on which other candidates share its batch.
    const b = c.corrupt[4];
    const both = await client.call('rankSubstitutes', { comparisonId: plan.comparisonId, position: 6, limit: 2, candidates: [b.id, a.id] }).result;
    const again = both.ranked.find((x) => x.id === a.id);
    assert.ok(again && Math.abs(again.distance - r.ranked[0].distance) < 1e-6, `${again?.distance} vs ${r.ranked[0].distance}`);
    await assert.rejects(client.call('rankSubstitutes', { comparisonId: plan.comparisonId, position: 0, limit: 3 }).result, /BOS/);
  });

  it('never aligns different token counts: not aligned, with single-token alternatives', async () => {
    const { c: r } = await compare('def f(self, b):', { position: 6, text: ' b' });
    assert.equal(r.diff.aligned, false);
    assert.equal(r.corrupt.length, 10);
    assert.equal(r.topCorrupt, undefined);
    assert.ok((r.nearest?.length ?? 0) > 0);
    const encoded = await client.call('encode', { model: spec, texts: r.nearest!.map((t) => t.text) }).result;
    assert.ok(
      encoded.every((e) => e.length === 1),
      'each alternative is one token',
    );
  });

  it('attribution and exact sweeps: same-shaped tables, per-table progress, exact tables agree with the engine', async () => {
    const { plan, c } = await compare();
    const params = {
      model: spec,
      clean: plan.clean.map((t) => t.id),
      corrupt: c.corrupt.map((t) => t.id),
      metric: {
        kind: 'logit_diff' as const,
        answer: plan.topClean[0],
        wrong: c.topCorrupt![0].id === plan.topClean[0].id ? c.topCorrupt![1] : c.topCorrupt![0],
      },
      sweeps: ['z' as const, 'resid_pre' as const],
    };
    const atp = await client.call('attribution', params).result;
    assert.equal(atp.tables.length, 4);
    assert.ok(atp.tables.every((t) => isPatchTable(t) && t.source === 'attribution'));
    const details: PatchSweepsDetail[] = [];
    const exact = await client.call('patchSweeps', params, (_p, _m, d) => isPatchSweepsDetail(d) && details.push(d)).result;
    // different graph variants (embedded vs shared weights, batch 1 vs 2): equal up to float rounding
    assert.ok(Math.abs(exact.metricClean - atp.metricClean) < 1e-4, `${exact.metricClean} vs ${atp.metricClean}`);
    const tables = details.flatMap((d) => (d.kind === 'table' ? [d.table] : []));
    assert.deepEqual(
      tables.map((t) => `${t.sweep}/${t.direction}`),
      ['z/denoise', 'z/noise', 'resid_pre/denoise', 'resid_pre/noise'],
    );
    assert.ok(tables.every((t) => isPatchTable(t) && t.source === 'exact'));
    // Patching the whole residual stream at position 0 (BOS, identical in both runs) changes nothing.
    const resid = tables.find((t) => t.sweep === 'resid_pre' && t.direction === 'denoise')!;
    assert.ok(Math.abs(resid.patched[0] - exact.metricCorrupt) < 1e-4);
    // Patching resid_pre at the substituted position in layer 0 restores the clean run exactly.
    assert.ok(Math.abs(resid.patched[6] - exact.metricClean) < 1e-3, `${resid.patched[6]} vs ${exact.metricClean}`);
    const progress = details.filter((d) => d.kind === 'progress');
    assert.ok(progress.length >= 4);
    const last = progress.at(-1);
    assert.ok(last?.kind === 'progress' && last.progress.tablesTotal === 4);
    // The bar's work reaches its total.
    assert.ok(last.progress.workTotal! > 0 && last.progress.workDone === last.progress.workTotal && last.progress.elapsedMs! >= 0);
    // The memory budget reaches the sweeps: 1 byte means batches of one patch, the same tables.
    const small: PatchSweepsDetail[] = [];
    await client.call('patchSweeps', { ...params, memoryBudgetBytes: 1 }, (_p, _m, d) => isPatchSweepsDetail(d) && small.push(d)).result;
    assert.ok(small.filter((d) => d.kind === 'progress').length > progress.length, 'more, smaller batches');
    const smallTables = small.flatMap((d) => (d.kind === 'table' ? [d.table] : []));
    tables.forEach((t, i) => t.patched.forEach((v, j) => assert.ok(Math.abs(v - smallTables[i].patched[j]) < 1e-4, `${t.sweep} ${j}`)));
    await assert.rejects(client.call('patchSweeps', { ...params, memoryBudgetBytes: 0 }).result, /memoryBudgetBytes 0 must be a positive number/);
  });

  it('cancel mid-sweep: answered cancelled, no table arrives after the cancel, nothing half-filled', async () => {
    const { plan, c } = await compare();
    const params = {
      model: spec,
      clean: plan.clean.map((t) => t.id),
      corrupt: c.corrupt.map((t) => t.id),
      metric: { kind: 'kl' as const },
      sweeps: ['z' as const, 'z_by_pos' as const, 'pattern' as const],
      maxBatch: 2,
    };
    const got: PatchTable[] = [];
    let cancelledAt = -1;
    const call = client.call('patchSweeps', params, (_p, _m, d) => {
      if (!isPatchSweepsDetail(d)) return;
      if (d.kind === 'table') got.push(d.table);
      if (d.kind === 'table' && got.length === 1) {
        call.cancel();
        cancelledAt = got.length;
      }
    });
    await assert.rejects(call.result, (e) => isCancelled(e));
    assert.equal(cancelledAt, 1);
    assert.equal(got.length, 1, 'no table after the cancel');
    assert.ok(got.every((t) => isPatchTable(t) && t.patched.every(Number.isFinite)));
    // The worker stays usable.
    const again = await client.call('headPatterns', { model: spec, clean: params.clean, corrupt: params.corrupt, layer: 1, head: 3 }).result;
    assert.equal(again.n_tokens, 9);
    assert.equal(again.clean_q_k.length, 81);
    const rowSum = again.corrupt_q_k.slice(72, 81).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(rowSum - 1) < 1e-4);
  });

  it('rejects misaligned runs and heads outside the model with bad-request', async () => {
    const { plan } = await compare();
    const ids = plan.clean.map((t) => t.id);
    await assert.rejects(
      client.call('attribution', { model: spec, clean: ids, corrupt: ids.slice(1), metric: { kind: 'kl' }, sweeps: ['z'] }).result,
      /equal token counts/,
    );
    await assert.rejects(client.call('headPatterns', { model: spec, clean: ids, corrupt: ids, layer: 2, head: 0 }).result, /outside the model/);
  });
});
