import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineClient } from '../../../src/engine/client';
import { createEngineClient } from '../../../src/platform/engineConnection';
import { EngineError, isEngineToHost, isHostToEngine } from '../../../src/engine/protocol';
import type { AttentionEngineMethods, InspectResult } from '../../../src/features/attention/shared/engineMethods';
import type { ModelSpec } from '../../../src/shared/modelSpec';
import { FakeTransport, InProcessEngine } from './inProcessEngine';
import { REPO_ROOT } from '../../repoRoot';

const ROOT = REPO_ROOT;
const TINY = join(ROOT, 'test/golden/checkpoints/f32-bare'); // 2 layers × 4 heads, n_ctx 32
const spec: ModelSpec = { dir: TINY, displayName: 'tiny', layerNorm: 'as_configured', prependBos: true };

function withClient() {
  let w: InProcessEngine | undefined;
  const logs: string[] = [];
  const client = new EngineClient(
    () => (w = new InProcessEngine()),
    (level, m) => logs.push(`${level}: ${m}`),
  );
  return { client, engine: client.methods<AttentionEngineMethods>(), worker: () => w!, logs };
}

const text = 'def f(self):\n    return 1';

describe('host/engine: service + client', function () {
  this.timeout(60_000);

  it('inspects: thumbnails for every head, tokens with prompt offsets, then head patterns and token activity on demand', async () => {
    const { client, engine, worker } = withClient();
    const phases: string[] = [];
    const r: InspectResult = await engine.call('inspect', { model: spec, inspectionId: 'i1', text: 'self.x', watchTokens: ['self'] }, (p) => phases.push(p))
      .result;
    assert.deepEqual(phases, ['loading', 'running']);
    const ins = r.inspection;
    assert.equal(ins.n_layers, 2);
    assert.equal(ins.n_heads, 4);
    assert.equal(ins.thumbnails_layer_head_q_k.length, 2 * 4 * ins.thumbSize ** 2);
    assert.equal(ins.tokens[0].isBos, true);
    assert.equal(
      ins.tokens
        .slice(1)
        .map((t) => t.text)
        .join(''),
      'self.x',
    );
    assert.equal(ins.tokens.at(-1)!.end, 6);
    assert.equal(r.truncated, false);
    const n = ins.tokens.length;
    const hp = await engine.call('headPattern', { inspectionId: 'i1', layer: 1, head: 3 }).result;
    assert.equal(hp.pattern_q_k.length, n * n);
    for (let q = 0; q < n; q++) {
      const row = hp.pattern_q_k.subarray(q * n, (q + 1) * n);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `row ${q} sums to 1`);
      for (let k = q + 1; k < n; k++) assert.equal(row[k], 0, 'causal');
    }
    const act = await engine.call('tokenActivity', { inspectionId: 'i1', tokenIndex: 1 }).result;
    assert.equal(act.heads.length, 8);
    await assert.rejects(engine.call('headPattern', { inspectionId: 'old', layer: 0, head: 0 }).result, (e: EngineError) => e.code === 'unknown-context');
    await assert.rejects(engine.call('headPattern', { inspectionId: 'i1', layer: 2, head: 0 }).result, (e: EngineError) => e.code === 'bad-request');
    // the model stays warm
    await engine.call('inspect', { model: spec, inspectionId: 'i2', text, watchTokens: [] }).result;
    assert.equal(worker().loads, 1);
    // a different setting reloads
    await engine.call('inspect', { model: { ...spec, layerNorm: 'identity' }, inspectionId: 'i3', text, watchTokens: [] }).result;
    assert.equal(worker().loads, 2);
    await client.dispose(10);
  });

  it('refuses a prompt longer than the context unless asked to truncate', async () => {
    const { client, engine } = withClient();
    const long = 'abcdefghij '.repeat(20);
    await assert.rejects(engine.call('inspect', { model: spec, inspectionId: 'l1', text: long, watchTokens: [] }).result, (e: EngineError) => {
      assert.equal(e.code, 'too-long');
      assert.equal(e.n_ctx, 32);
      assert.ok(e.promptTokens! > 32);
      return true;
    });
    const r = await engine.call('inspect', { model: spec, inspectionId: 'l2', text: long, watchTokens: [], truncateTo: 32 }).result;
    assert.equal(r.inspection.tokens.length, 32);
    assert.equal(r.truncated, true);
    await assert.rejects(engine.call('inspect', { model: spec, inspectionId: 'e', text: '', watchTokens: [] }).result, (e: EngineError) => e.code === 'empty');
    await client.dispose(10);
  });

  it('truncating to the last tokens keeps BOS first, then the end of the prompt with its own offsets', async () => {
    const { client, engine } = withClient();
    const long = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const call = (keep: 'first' | 'last', m: ModelSpec = spec) =>
      engine.call('inspect', { model: m, inspectionId: `k-${keep}-${m.prependBos}`, text: long, watchTokens: [], truncateTo: 32, keep }).result;
    const first = await call('first');
    const last = await call('last');
    assert.equal(last.inspection.tokens.length, 32);
    assert.equal(last.truncated, true);
    assert.equal(last.promptTokens, first.promptTokens);
    const toks = last.inspection.tokens;
    assert.equal(toks[0].isBos, true);
    assert.equal(toks.filter((t) => t.isBos).length, 1);
    // the last token ends where the text ends, and the offsets still slice the source
    assert.equal(toks[toks.length - 1].end, long.length);
    for (const t of toks.slice(1)) assert.equal(long.slice(t.start, t.end), t.text);
    assert.ok(toks[1].start > first.inspection.tokens[31].start, 'the kept tokens are the end of the prompt');
    const noBos = await call('last', { ...spec, prependBos: false });
    assert.equal(noBos.inspection.tokens.length, 32);
    assert.equal(
      noBos.inspection.tokens.some((t) => t.isBos),
      false,
    );
    assert.equal(noBos.inspection.tokens[31].end, long.length);
    await client.dispose(10);
  });

  it('a literal <|endoftext|> in the text is the special token unless specialTokensInText is off', async () => {
    const { client, engine } = withClient();
    const eot = '<|endoftext|>';
    const run = (m: ModelSpec) => engine.call('inspect', { model: m, inspectionId: `s-${m.specialTokensInText}`, text: `x${eot}y`, watchTokens: [] }).result;
    const on = (await run(spec)).inspection.tokens;
    const bosId = on[0].id;
    const special = on.filter((t) => !t.isBos && t.id === bosId);
    assert.equal(special.length, 1);
    assert.deepEqual([special[0].start, special[0].end], [1, 1 + eot.length]);
    assert.deepEqual(
      on.flatMap((t, i) => (t.isSpecial ? [i] : [])),
      [on.indexOf(special[0])],
      'the inspection marks it (the token strip shows it as special), and not the prepended BOS',
    );
    const off = (await run({ ...spec, specialTokensInText: false })).inspection.tokens;
    assert.equal(off.filter((t) => t.id === bosId).length, 1, 'only the prepended BOS');
    assert.ok(off.every((t) => !t.isSpecial));
    assert.ok(off.length > on.length);
    await client.dispose(10);
  });

  it('cancel: a queued run never runs; the run in flight finishes but its result is dropped and the previous patterns stay', async () => {
    const { client, engine, worker } = withClient();
    await engine.call('inspect', { model: spec, inspectionId: 'keep', text, watchTokens: [] }).result;
    const a = engine.call('inspect', { model: spec, inspectionId: 'a', text: 'x = 1', watchTokens: [] });
    const b = engine.call('inspect', { model: spec, inspectionId: 'b', text: 'y = 2', watchTokens: [] });
    const c = engine.call('inspect', { model: spec, inspectionId: 'c', text: 'z = 3', watchTokens: [] });
    engine.cancelAll('inspect'); // a is in flight, b and c queued
    for (const call of [a, b, c]) await assert.rejects(call.result, (e: EngineError) => e.code === 'cancelled');
    // wait until the worker is idle again
    for (let i = 0; i < 200 && worker().server.busy; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(worker().server.busy, false);
    await engine.call('headPattern', { inspectionId: 'keep', layer: 0, head: 0 }).result;
    await assert.rejects(engine.call('headPattern', { inspectionId: 'a', layer: 0, head: 0 }).result, (e: EngineError) => e.code === 'unknown-context');
    const d = await engine.call('inspect', { model: spec, inspectionId: 'd', text: 'w = 4', watchTokens: [] }).result;
    assert.equal(d.inspection.inspectionId, 'd');
    await client.dispose(10);
  });

  it('a load failure is reported as load-failed, and the next request can succeed', async () => {
    const { client, engine } = withClient();
    await assert.rejects(
      engine.call('inspect', { model: { ...spec, dir: join(ROOT, 'no/such/model') }, inspectionId: 'x', text, watchTokens: [] }).result,
      (e: EngineError) => e.code === 'load-failed' && /no\/such\/model/.test(e.message),
    );
    await engine.call('inspect', { model: spec, inspectionId: 'y', text, watchTokens: [] }).result;
    await client.dispose(10);
  });
});

describe('engine/client with a fake transport', () => {
  it('correlates ids, drops late results of cancelled calls, fails pending calls when the engine dies (saying why) and restarts it', async () => {
    const transports: FakeTransport[] = [];
    const exits: string[] = [];
    const client = new EngineClient(
      () => {
        const t = new FakeTransport();
        transports.push(t);
        return t;
      },
      undefined,
      { exited: (reason, pending) => exits.push(`${reason}: ${pending.join(',')}`) },
    );
    const engine = client.methods<AttentionEngineMethods>();
    assert.equal(client.started, false, 'lazy');
    const a = engine.call('tokenActivity', { inspectionId: 'i', tokenIndex: 0 });
    const b = engine.call('tokenActivity', { inspectionId: 'i', tokenIndex: 1 });
    assert.notEqual(a.id, b.id);
    const w = transports[0];
    w.reply({ type: 'result', id: b.id, result: 'B' });
    assert.equal(await b.result, 'B');
    a.cancel();
    assert.deepEqual(w.sent.at(-1), { type: 'cancel', id: a.id });
    await assert.rejects(a.result, (e: EngineError) => e.code === 'cancelled');
    w.reply({ type: 'result', id: a.id, result: 'late' }); // ignored
    const c = engine.call('inspect', { model: spec, inspectionId: 'x', text, watchTokens: [] });
    w.emit('exit', null, 'SIGKILL');
    await assert.rejects(
      c.result,
      (e: EngineError) =>
        e.code === 'engine-exited' && /killed by SIGKILL/.test(e.message) && /while running inspect/.test(e.message) && /starts again/.test(e.message),
    );
    assert.deepEqual(exits, ['killed by SIGKILL: inspect']);
    const d = engine.call('tokenActivity', { inspectionId: 'i', tokenIndex: 3 });
    assert.equal(transports.length, 2, 'restarted on the next request');
    transports[1].reply({ type: 'error', id: d.id, error: { code: 'unknown-context', message: 'gone' } });
    await assert.rejects(d.result, (e: EngineError) => e.code === 'unknown-context' && e.message === 'gone');
    const e1 = engine.call('tokenActivity', { inspectionId: 'i', tokenIndex: 4 });
    client.restart('restarted by the user');
    await assert.rejects(e1.result, (e: EngineError) => e.code === 'engine-exited' && /restarted by the user/.test(e.message));
    await client.dispose(1);
    await assert.rejects(engine.call('tokenActivity', { inspectionId: 'i', tokenIndex: 0 }).result, (e: EngineError) => e.code === 'cancelled');
  });

  it('guards envelopes', () => {
    assert.equal(isEngineToHost({ type: 'result', id: 1, result: null }), true);
    assert.equal(isEngineToHost({ type: 'result', id: -1 }), false);
    assert.equal(isEngineToHost({ type: 'progress', id: 1, phase: 'x', message: '' }), false);
    assert.equal(isEngineToHost({ type: 'error', id: 1, error: { code: 'failed' } }), false);
    assert.equal(isHostToEngine({ type: 'request', id: 1, method: 'inspect', params: {} }), true);
    assert.equal(isHostToEngine({ type: 'request', id: 1, method: 3, params: {} }), false);
    assert.equal(isHostToEngine({ type: 'request', id: 1.5, method: 'inspect', params: {} }), false);
  });

  it('an unknown method is answered unknown-method, naming it', async () => {
    const { client } = withClient();
    await assert.rejects(client.call('noSuchMethod', {}).result, (e: EngineError) => e.code === 'unknown-method' && /noSuchMethod/.test(e.message));
    await client.dispose(10);
  });
});

const ENGINE = join(ROOT, 'dist/engine.js');
(existsSync(ENGINE) ? describe : describe.skip)('the engine in its own process (dist/engine.js)', function () {
  this.timeout(60_000);
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  } as unknown as import('vscode').LogOutputChannel;

  it('runs the tiny model in another process; typed arrays arrive as typed arrays; the event loop keeps ticking', async () => {
    const client = createEngineClient(ROOT, log, { memoryLimitMb: () => 4096 });
    const engine = client.methods<AttentionEngineMethods>();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const r = await engine.call('inspect', { model: spec, inspectionId: 'w1', text, watchTokens: ['self'] }).result;
    clearInterval(timer);
    assert.ok(client.pid !== undefined && client.pid !== process.pid, 'another process');
    assert.equal(r.inspection.n_layers, 2);
    assert.ok(r.inspection.thumbnails_layer_head_q_k instanceof Float32Array);
    assert.ok(r.inspection.tokens.some((t) => t.isWatched));
    assert.ok(ticks > 0);
    const hp = await engine.call('headPattern', { inspectionId: 'w1', layer: 0, head: 1 }).result;
    assert.ok(hp.pattern_q_k instanceof Float32Array);
    assert.equal(hp.pattern_q_k.length, r.inspection.tokens.length ** 2);
    await client.dispose(2000);
  });

  it('SIGKILL mid-inspection: the request fails saying the engine stopped, and the next inspection starts a new engine', async () => {
    const client = createEngineClient(ROOT, log, { memoryLimitMb: () => 4096 });
    const engine = client.methods<AttentionEngineMethods>();
    const call = engine.call('inspect', { model: spec, inspectionId: 'k1', text, watchTokens: [] });
    const first = client.pid!;
    process.kill(first, 'SIGKILL');
    await assert.rejects(
      call.result,
      (e: EngineError) => e.code === 'engine-exited' && /killed by SIGKILL/.test(e.message) && /starts again on the next request/.test(e.message),
    );
    const r = await engine.call('inspect', { model: spec, inspectionId: 'k2', text, watchTokens: [] }).result;
    assert.equal(r.inspection.inspectionId, 'k2');
    assert.notEqual(client.pid, first, 'a new process');
    assert.ok(
      lines.some((l) => /engine process stopped \(killed by SIGKILL\)/.test(l)),
      'said in the log',
    );
    await client.dispose(2000);
  });

  it('an engine over its memory limit is stopped, the request says so, and the next one runs under a raised limit', async () => {
    let limit = 40; // MB: below what loading onnxruntime and a model takes
    const client = createEngineClient(ROOT, log, { memoryLimitMb: () => limit });
    const engine = client.methods<AttentionEngineMethods>();
    await assert.rejects(
      engine.call('inspect', { model: spec, inspectionId: 'm1', text, watchTokens: [] }).result,
      (e: EngineError) => e.code === 'engine-exited' && /over the limit of 40 MB/.test(e.message) && /engineMemoryLimitMB/.test(e.message),
    );
    limit = 4096;
    const r = await engine.call('inspect', { model: spec, inspectionId: 'm2', text, watchTokens: [] }).result;
    assert.equal(r.inspection.inspectionId, 'm2');
    await client.dispose(2000);
  });
});
