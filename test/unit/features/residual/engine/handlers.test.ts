/**
 * Inspect Residual Stream's engine methods against the tiny golden checkpoint (2 layers × 4 heads,
 * n_ctx 32), through the real EngineClient and EngineServer (in this thread, same message flow as
 * the engine process). The forward counter is the point: one prompt, one forward, across panels.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, type TypedEngine } from '../../../../../src/engine/client';
import { isCancelled, type EngineError, type EngineToHost } from '../../../../../src/engine/protocol';
import type { AttentionEngineMethods } from '../../../../../src/features/attention/shared/engineMethods';
import type { AnalyseParams, AnalyseProgress, ResidualEngineMethods } from '../../../../../src/features/residual/shared/engineMethods';
import { DocumentNorms, ResidualStream } from '../../../../../src/features/residual/shared/protocol';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { readSafetensorsFloat32 } from '../../../../../src/model/checkpoint';
import { compareToGolden } from '../../../../golden/goldenCases';
import { InProcessEngine, inProcessClient } from '../../../engine/inProcessEngine';
import { REPO_ROOT } from '../../../../repoRoot';

const spec: ModelSpec = { dir: join(REPO_ROOT, 'test/golden/checkpoints/f32-bare'), displayName: 'tiny', layerNorm: 'as_configured', prependBos: true };
const text = 'def f(self, x):\n    return self.x';

describe('residual: engine methods (tiny model)', function () {
  this.timeout(120_000);
  let engines: InProcessEngine[];
  let owner: EngineClient;
  let client: TypedEngine<ResidualEngineMethods>;
  beforeEach(() => {
    ({ owner, engines } = inProcessClient());
    client = owner.methods<ResidualEngineMethods>();
  });
  afterEach(() => owner.dispose(100));

  const analyse = (extra: Partial<AnalyseParams> = {}) =>
    client.call('analyse', { model: spec, inspectionId: 'r1', text, variant: 'recompute', k: 5, ...extra }).result;

  it('one forward gives a record the panel accepts; answer, wrong, position and variant changes re-run only the analysis', async () => {
    const first = await analyse();
    assert.equal(engines[0].forwards, 1);
    assert.equal(first.forwardReused, false);
    const n = first.record.tokens.length;
    assert.ok(
      ResidualStream.is(ResidualStream.create({ record: first.record, stale: false, notes: [], answerText: '', wrongText: '' })),
      'the webview guard accepts it',
    );
    assert.equal(first.record.lens.n_boundaries, 3);
    assert.equal(first.record.dla.position, n - 1);
    const answer = first.record.lens.answer;
    const second = await analyse({ answer: ' self', wrong: ' x', position: 3, variant: 'cached-scale' });
    assert.equal(engines[0].forwards, 1, 'no second forward');
    assert.equal(second.forwardReused, true);
    assert.equal(second.record.dla.position, 3);
    assert.equal(second.record.lens.variant, 'cached-scale');
    assert.equal(second.record.dla.direction.answer.text, ' self');
    assert.equal(second.record.dla.direction.wrong?.text, ' x');
    assert.notEqual(answer.text, undefined);
    const d = second.record.dla;
    assert.ok(
      Math.abs(d.total - d.logitDiff) < 1e-3 * Math.max(1, Math.abs(d.logitDiff)),
      `components ${d.total} add up to the logit difference ${d.logitDiff}`,
    );
  });

  it('norms and DLA arrive as partial progress before the lens and the result, equal to the final record’s; the lens reports its rows', async () => {
    const events: { at: 'progress' | 'result'; detail?: AnalyseProgress }[] = [];
    const call = client.call('analyse', { model: spec, inspectionId: 'p1', text, variant: 'recompute', k: 5 }, (_ph, _m, detail) =>
      events.push({ at: 'progress', detail }),
    );
    const r = await call.result;
    events.push({ at: 'result' });
    const partials = events.filter((e) => e.detail?.kind === 'partial');
    assert.equal(partials.length, 1, 'one partial');
    const iPartial = events.findIndex((e) => e.detail?.kind === 'partial');
    const lens = events.flatMap((e, i) => (e.detail?.kind === 'lens' ? [{ i, ...e.detail }] : []));
    assert.ok(lens.length >= 2, 'lens progress at 0 and after each chunk');
    assert.ok(iPartial < lens[0].i, 'the partial comes before the lens starts');
    assert.ok(iPartial < events.length - 1, 'and before the result');
    const n = r.record.tokens.length;
    const rows = (r.record.n_layers + 1) * n;
    assert.deepEqual(
      lens.map((e) => e.rowsTotal),
      lens.map(() => rows),
      'rows are (n_layers + 1) × n_tokens',
    );
    assert.equal(lens[0].rowsDone, 0);
    assert.equal(lens[lens.length - 1].rowsDone, rows);
    assert.ok(lens.every((e, j) => j === 0 || e.rowsDone >= lens[j - 1].rowsDone));

    const detail = partials[0].detail;
    assert.ok(detail?.kind === 'partial');
    const p = detail.partial;
    assert.equal(p.record.lens, undefined);
    assert.equal(p.record.pendingVariant, 'recompute');
    assert.equal(p.record.inspectionId, 'p1');
    assert.deepEqual(p.record.tokens, r.record.tokens);
    assert.deepEqual(p.record.norms, r.record.norms, 'the same norms');
    assert.deepEqual(p.record.dla, r.record.dla, 'the same DLA');
    assert.deepEqual(p.notes, r.notes);
    assert.equal(p.forwardReused, r.forwardReused);
    assert.ok(
      ResidualStream.is(ResidualStream.create({ record: p.record, stale: false, notes: [], answerText: '', wrongText: '' })),
      'the webview guard accepts the partial record',
    );

    // A new position reuses the lens: no partial, no lens progress, only the result.
    const seen: (AnalyseProgress | undefined)[] = [];
    await client.call('analyse', { model: spec, inspectionId: 'p1', text, variant: 'recompute', k: 5, position: 2 }, (_ph, _m, d) => seen.push(d)).result;
    assert.deepEqual(
      seen.filter((d) => d !== undefined),
      [],
    );
  });

  it('cancelled once its partial is out, an analysis fails as cancelled in the engine too, and the engine serves the next one', async () => {
    const after: string[] = [];
    let partialAt = -1;
    const call = client.call('analyse', { model: spec, inspectionId: 'c1', text, variant: 'cached-scale', k: 5 }, (_ph, m, detail) => {
      after.push(m);
      if (detail?.kind === 'partial') {
        partialAt = after.length;
        call.cancel();
      }
    });
    const replies: EngineToHost[] = [];
    const engine = engines[0];
    const listen = (m: EngineToHost) => {
      if (m.type !== 'log' && m.id === call.id) replies.push(m);
    };
    engine.on('message', listen);
    await assert.rejects(call.result, (e: unknown) => isCancelled(e));
    assert.ok(partialAt > 0, 'the partial arrived');
    // The engine's own answer: an error `cancelled`, never the result.
    for (let i = 0; i < 200 && !replies.some((m) => m.type !== 'progress'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    engine.off('message', listen);
    const end = replies.find((m) => m.type !== 'progress');
    assert.ok(end?.type === 'error' && end.error.code === 'cancelled', JSON.stringify(end));
    assert.equal(after.length, partialAt, `the host saw nothing after the cancel: ${after.slice(partialAt).join(' | ')}`);
    const next = await analyse({ inspectionId: 'c2' });
    assert.equal(next.record.lens.variant, 'recompute');
    assert.equal(engines.length, 1, 'the same engine');
  });

  it('a new position or wrong token redoes only DLA (no lens run), and gives what a fresh analysis gives', async () => {
    const lensRuns = async (extra: Partial<AnalyseParams>) => {
      const seen: string[] = [];
      const r = await client.call('analyse', { model: spec, inspectionId: 'r1', text, variant: 'recompute', k: 5, ...extra }, (_ph, m) => seen.push(m)).result;
      return { r, lens: seen.filter((m) => /^Logit lens \d+\/\d+/.test(m)).length };
    };
    assert.ok((await lensRuns({})).lens > 0, 'the first analysis runs the lens');
    const moved = await lensRuns({ position: 4, wrong: ' x' });
    assert.equal(moved.lens, 0, 'position and wrong token: DLA only');
    assert.ok((await lensRuns({ position: 4, wrong: ' x', variant: 'cached-scale' })).lens > 0, 'a new variant re-runs the lens');
    assert.ok((await lensRuns({ position: 4, wrong: ' x', variant: 'cached-scale', answer: ' self' })).lens > 0, 'a new answer re-runs the lens');
    await lensRuns({ answer: ' x' });
    await assert.rejects(
      lensRuns({ answer: ' x', wrong: ' x', position: 2 }),
      (e: EngineError) => e.code === 'bad-request',
      'checked on the DLA-only path too',
    );
    owner.dispose(100);
    owner = new EngineClient(() => new InProcessEngine());
    client = owner.methods<ResidualEngineMethods>();
    const fresh = await lensRuns({ position: 4, wrong: ' x' });
    assert.deepEqual(Array.from(moved.r.record.dla.heads_layer_head), Array.from(fresh.r.record.dla.heads_layer_head));
    assert.deepEqual(Array.from(moved.r.record.lens.top_ids_boundary_pos_k), Array.from(fresh.r.record.lens.top_ids_boundary_pos_k));
    assert.equal(moved.r.record.dla.logitDiff, fresh.r.record.dla.logitDiff);
  });

  it('after Inspect Attention on the same prompt, the residual stream needs no forward; at another position the logits come from the residual stream', async () => {
    const attention = owner.methods<AttentionEngineMethods>();
    await attention.call('inspect', { model: spec, inspectionId: 'a1', text, watchTokens: [] }).result;
    assert.equal(engines[0].forwards, 1);
    const r = await analyse({ position: 4, answer: ' self' });
    assert.equal(engines[0].forwards, 1, 'the attention forward served it');
    assert.equal(r.forwardReused, true);
    const d = r.record.dla;
    assert.ok(Math.abs(d.total - d.logitDiff) < 1e-3 * Math.max(1, Math.abs(d.logitDiff)), `total ${d.total} vs logit ${d.logitDiff}`);
    // The same analysis from a forward of its own gives the same logit.
    owner.dispose(100);
    owner = new EngineClient(() => new InProcessEngine());
    client = owner.methods<ResidualEngineMethods>();
    const own = await analyse({ position: 4, answer: ' self' });
    assert.ok(Math.abs(own.record.dla.logitDiff - d.logitDiff) < 1e-4, `${own.record.dla.logitDiff} vs ${d.logitDiff}`);
  });

  it('bad input: a multi-token answer uses its first token and says so; answer = wrong, a position outside the prompt are refused', async () => {
    const r = await analyse({ answer: ' selfish_thing' });
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0], /is \d+ tokens .*first token/);
    assert.equal(r.record.lens.answer.id, r.record.dla.direction.answer.id);
    await assert.rejects(analyse({ answer: ' x', wrong: ' x' }), (e: EngineError) => e.code === 'bad-request' && /same token/.test(e.message));
    await assert.rejects(analyse({ position: 99 }), (e: EngineError) => e.code === 'bad-request' && /outside the prompt/.test(e.message));
    await assert.rejects(analyse({ text: '' }), (e: EngineError) => e.code === 'empty');
  });

  it('#ID names the answer or wrong token by id (a raw byte has no text to type); an id outside the vocabulary is refused', async () => {
    const byText = await analyse({ answer: ' self' });
    const id = byText.record.lens.answer.id;
    const byId = await analyse({ answer: `#${id}`, wrong: '#0' });
    assert.equal(byId.record.lens.answer.id, id);
    assert.equal(byId.record.dla.direction.wrong?.id, 0);
    assert.equal(byId.notes.length, 0, 'one token by id: nothing to say');
    await assert.rejects(analyse({ answer: '#99999999' }), (e: EngineError) => e.code === 'bad-request' && /not a token id/.test(e.message));
  });

  it('a prompt over the context is too-long unless truncated; truncation is noted', async () => {
    const long = 'x = 1\n'.repeat(20);
    await assert.rejects(analyse({ text: long }), (e: EngineError) => e.code === 'too-long');
    const r = await analyse({ text: long, truncateTo: 32, keep: 'last' });
    assert.equal(r.record.tokens.length, 32);
    assert.equal(r.truncated, true);
    assert.match(r.notes.join(' '), /the last 32/);
  });

  it('document norms: windows of n_ctx with their own BOS, progress per window, combined growth; cancellable', async () => {
    const doc = 'def f(self, x):\n    return self.x + 1\n'.repeat(6);
    const progress: unknown[] = [];
    const r = await client.call('documentNorms', { model: spec, runId: 'd1', text: doc, source: 'doc.py' }, (_phase, _m, detail) => progress.push(detail))
      .result;
    assert.ok(DocumentNorms.is(DocumentNorms.create(r)), 'the webview guard accepts it');
    assert.ok(r.windows.length >= 2);
    assert.equal(
      r.windows.reduce((n, w) => n + w.n_tokens - 1, 0),
      r.totalTokens,
      'every text token once',
    );
    assert.ok(r.windows.every((w) => w.hasBos && w.n_tokens <= 32));
    assert.deepEqual(
      r.windowStarts,
      r.windows.map((_, i) => i * 31),
    );
    assert.ok(progress.some((p) => JSON.stringify(p) === JSON.stringify({ done: 0, total: r.windows.length })));
    assert.ok(Number.isFinite(r.rawGrowth.fitted));
    const capped = await client.call('documentNorms', { model: spec, runId: 'd2', text: doc, source: 'doc.py', maxWindows: 1 }).result;
    assert.equal(capped.windows.length, 1);
    assert.match(capped.notes[0], /first 1 windows/);
    const call = client.call('documentNorms', { model: spec, runId: 'd3', text: doc.repeat(4), source: 'doc.py' });
    setImmediate(() => call.cancel());
    await assert.rejects(call.result, (e: unknown) => isCancelled(e));
  });

  it('the exported residual stream matches the PyTorch goldens hook by hook (f32-bare case)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-resid-golden-'));
    try {
      const r = await analyse({ inspectionId: 'g1', text: 'def f(self, param): return self.param' });
      const caseJson = JSON.parse(readFileSync(join(REPO_ROOT, 'test/golden/cases/f32-bare.json'), 'utf8')) as { tokens: number[] };
      assert.deepEqual(
        r.record.tokens.map((t) => t.id),
        caseJson.tokens,
        'the golden case’s tokens',
      );
      const path = join(dir, 'g.safetensors');
      const out = await client.call('exportResidual', { inspectionId: 'g1', path, modelId: 'tiny' }).result;
      const mine = await readSafetensorsFloat32(path);
      const golden = await readSafetensorsFloat32(join(REPO_ROOT, 'test/golden/cases/f32-bare.safetensors'));
      assert.equal(mine.size, out.tensors);
      for (const [name, t] of mine) {
        const g = golden.get(name);
        assert.ok(g, `${name} has a golden`);
        assert.deepEqual(t.dims, g.dims, name);
        const c = compareToGolden(t.data, g.data);
        assert.ok(c.ok, `${name}: max error ${c.maxErr} over tolerance ${c.tol}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports the residual stream under TransformerLens hook names from the cached forward', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-resid-'));
    try {
      const r = await analyse();
      const path = join(dir, 'resid.safetensors');
      const out = await client.call('exportResidual', { inspectionId: 'r1', path, modelId: 'tiny' }).result;
      assert.equal(engines[0].forwards, 1, 'no second forward');
      assert.equal(out.tensors, 2 + 2 * 5 + 1);
      const bytes = readFileSync(path);
      const headerLen = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { shape: number[] }>;
      const n = r.record.tokens.length;
      assert.deepEqual(header['blocks.0.hook_resid_pre'].shape, [1, n, 32]);
      assert.deepEqual(header['blocks.1.hook_resid_mid'].shape, [1, n, 32]);
      assert.deepEqual(header['ln_final.hook_scale'].shape, [1, n, 1]);
      await assert.rejects(
        client.call('exportResidual', { inspectionId: 'gone', path, modelId: 'tiny' }).result,
        (e: EngineError) => e.code === 'unknown-context',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
