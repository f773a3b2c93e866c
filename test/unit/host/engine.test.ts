import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineClient, type WorkerLike } from '../../../src/engine/client';
import { EngineError, isEngineToHost, type EngineToHost, type HostToEngine, type InspectResult, type ModelSpec } from '../../../src/engine/protocol';
import { EngineService } from '../../../src/features/attention/engine/handlers';
import { loadHookedGpt2 } from '../../../src/model/loadHookedGpt2';

const ROOT = resolve(__dirname, '../../..');
const TINY = join(ROOT, 'test/golden/checkpoints/f32-bare'); // 2 layers × 4 heads, n_ctx 32
const spec: ModelSpec = { dir: TINY, displayName: 'tiny', layerNorm: 'as_configured', prependBos: true, threads: 1 };

/** A worker stand-in that runs EngineService in this thread, with the same message flow. */
class InThreadWorker extends EventEmitter implements WorkerLike {
  readonly service: EngineService;
  readonly sent: HostToEngine[] = [];
  loads = 0;
  constructor() {
    super();
    this.service = new EngineService(
      (dir, o) => {
        this.loads++;
        return loadHookedGpt2(dir, o);
      },
      (msg: EngineToHost) => setImmediate(() => this.emit('message', msg)),
    );
  }
  postMessage(msg: HostToEngine): void {
    this.sent.push(msg);
    this.service.handle(structuredClone(msg));
  }
  terminate(): void {
    this.emit('exit', 0);
  }
}

function withClient() {
  let w: InThreadWorker | undefined;
  const logs: string[] = [];
  const client = new EngineClient(
    () => (w = new InThreadWorker()),
    (level, m) => logs.push(`${level}: ${m}`),
  );
  return { client, worker: () => w!, logs };
}

const text = 'def f(self):\n    return 1';

describe('host/engine: service + client', function () {
  this.timeout(60_000);

  it('inspects: thumbnails for every head, tokens with prompt offsets, then head patterns and token activity on demand', async () => {
    const { client, worker } = withClient();
    const phases: string[] = [];
    const r: InspectResult = await client.call('inspect', { model: spec, inspectionId: 'i1', text: 'self.x', watchTokens: ['self'] }, (p) => phases.push(p)).result;
    assert.deepEqual(phases, ['loading', 'running']);
    const ins = r.inspection;
    assert.equal(ins.n_layers, 2);
    assert.equal(ins.n_heads, 4);
    assert.equal(ins.thumbnails_layer_head_q_k.length, 2 * 4 * ins.thumbSize ** 2);
    assert.equal(ins.tokens[0].isBos, true);
    assert.equal(ins.tokens.slice(1).map((t) => t.text).join(''), 'self.x');
    assert.equal(ins.tokens.at(-1)!.end, 6);
    assert.equal(r.truncated, false);
    const n = ins.tokens.length;
    const hp = await client.call('headPattern', { inspectionId: 'i1', layer: 1, head: 3 }).result;
    assert.equal(hp.pattern_q_k.length, n * n);
    for (let q = 0; q < n; q++) {
      const row = hp.pattern_q_k.subarray(q * n, (q + 1) * n);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `row ${q} sums to 1`);
      for (let k = q + 1; k < n; k++) assert.equal(row[k], 0, 'causal');
    }
    const act = await client.call('tokenActivity', { inspectionId: 'i1', tokenIndex: 1 }).result;
    assert.equal(act.heads.length, 8);
    await assert.rejects(client.call('headPattern', { inspectionId: 'old', layer: 0, head: 0 }).result, (e: EngineError) => e.code === 'unknown-inspection');
    await assert.rejects(client.call('headPattern', { inspectionId: 'i1', layer: 2, head: 0 }).result, (e: EngineError) => e.code === 'bad-request');
    // the model stays warm
    await client.call('inspect', { model: spec, inspectionId: 'i2', text, watchTokens: [] }).result;
    assert.equal(worker().loads, 1);
    // a different setting reloads
    await client.call('inspect', { model: { ...spec, layerNorm: 'identity' }, inspectionId: 'i3', text, watchTokens: [] }).result;
    assert.equal(worker().loads, 2);
    await client.dispose(10);
  });

  it('refuses a prompt longer than the context unless asked to truncate', async () => {
    const { client } = withClient();
    const long = 'abcdefghij '.repeat(20);
    await assert.rejects(client.call('inspect', { model: spec, inspectionId: 'l1', text: long, watchTokens: [] }).result, (e: EngineError) => {
      assert.equal(e.code, 'too-long');
      assert.equal(e.nCtx, 32);
      assert.ok(e.promptTokens! > 32);
      return true;
    });
    const r = await client.call('inspect', { model: spec, inspectionId: 'l2', text: long, watchTokens: [], truncateTo: 32 }).result;
    assert.equal(r.inspection.tokens.length, 32);
    assert.equal(r.truncated, true);
    await assert.rejects(client.call('inspect', { model: spec, inspectionId: 'e', text: '', watchTokens: [] }).result, (e: EngineError) => e.code === 'empty');
    await client.dispose(10);
  });

  it('cancel: a queued run never runs; the run in flight finishes but its result is dropped and the previous patterns stay', async () => {
    const { client, worker } = withClient();
    await client.call('inspect', { model: spec, inspectionId: 'keep', text, watchTokens: [] }).result;
    const a = client.call('inspect', { model: spec, inspectionId: 'a', text: 'x = 1', watchTokens: [] });
    const b = client.call('inspect', { model: spec, inspectionId: 'b', text: 'y = 2', watchTokens: [] });
    const c = client.call('inspect', { model: spec, inspectionId: 'c', text: 'z = 3', watchTokens: [] });
    client.cancelRuns(); // a is in flight, b and c queued
    for (const call of [a, b, c]) await assert.rejects(call.result, (e: EngineError) => e.code === 'cancelled');
    // wait until the worker is idle again
    for (let i = 0; i < 200 && worker().service.busy; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(worker().service.busy, false);
    await client.call('headPattern', { inspectionId: 'keep', layer: 0, head: 0 }).result;
    await assert.rejects(client.call('headPattern', { inspectionId: 'a', layer: 0, head: 0 }).result, (e: EngineError) => e.code === 'unknown-inspection');
    const d = await client.call('inspect', { model: spec, inspectionId: 'd', text: 'w = 4', watchTokens: [] }).result;
    assert.equal(d.inspection.inspectionId, 'd');
    await client.dispose(10);
  });

  it('a load failure is reported as load-failed, and the next request can succeed', async () => {
    const { client } = withClient();
    await assert.rejects(
      client.call('inspect', { model: { ...spec, dir: join(ROOT, 'no/such/model') }, inspectionId: 'x', text, watchTokens: [] }).result,
      (e: EngineError) => e.code === 'load-failed' && /no\/such\/model/.test(e.message),
    );
    await client.call('inspect', { model: spec, inspectionId: 'y', text, watchTokens: [] }).result;
    await client.dispose(10);
  });
});

describe('host/engineClient with a fake worker', () => {
  class FakeWorker extends EventEmitter implements WorkerLike {
    readonly sent: HostToEngine[] = [];
    postMessage(msg: HostToEngine): void {
      this.sent.push(msg);
    }
    reply(msg: EngineToHost): void {
      this.emit('message', msg);
    }
    terminate(): void {}
  }

  it('correlates ids, drops late results of cancelled calls, fails pending calls when the worker dies and restarts it', async () => {
    const workers: FakeWorker[] = [];
    const client = new EngineClient(() => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    });
    assert.equal(client.started, false, 'lazy');
    const a = client.call('tokenActivity', { inspectionId: 'i', tokenIndex: 0 });
    const b = client.call('tokenActivity', { inspectionId: 'i', tokenIndex: 1 });
    assert.notEqual(a.id, b.id);
    const w = workers[0];
    w.reply({ type: 'result', id: b.id, result: 'B' });
    assert.equal(await b.result, 'B');
    a.cancel();
    assert.deepEqual(w.sent.at(-1), { type: 'cancel', id: a.id });
    await assert.rejects(a.result, (e: EngineError) => e.code === 'cancelled');
    w.reply({ type: 'result', id: a.id, result: 'late' }); // ignored
    const c = client.call('tokenActivity', { inspectionId: 'i', tokenIndex: 2 });
    w.emit('exit', 1);
    await assert.rejects(c.result, (e: EngineError) => e.code === 'failed');
    const d = client.call('tokenActivity', { inspectionId: 'i', tokenIndex: 3 });
    assert.equal(workers.length, 2, 'restarted on the next request');
    workers[1].reply({ type: 'error', id: d.id, error: { code: 'unknown-inspection', message: 'gone' } });
    await assert.rejects(d.result, (e: EngineError) => e.code === 'unknown-inspection' && e.message === 'gone');
    await client.dispose(1);
    await assert.rejects(client.call('tokenActivity', { inspectionId: 'i', tokenIndex: 0 }).result, (e: EngineError) => e.code === 'cancelled');
  });

  it('guards envelopes', () => {
    assert.equal(isEngineToHost({ type: 'result', id: 1, result: null }), true);
    assert.equal(isEngineToHost({ type: 'result', id: -1 }), false);
    assert.equal(isEngineToHost({ type: 'progress', id: 1, phase: 'x', message: '' }), false);
    assert.equal(isEngineToHost({ type: 'error', id: 1, error: { code: 'failed' } }), false);
  });
});

const WORKER = join(ROOT, 'dist/engine.js');
(existsSync(WORKER) ? describe : describe.skip)('host/engine in a real worker_thread (dist/engine.js)', function () {
  this.timeout(60_000);
  it('runs the tiny model off the main thread; the event loop keeps ticking', async () => {
    const client = new EngineClient(() => new Worker(WORKER, { workerData: { threads: 1 } }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const r = await client.call('inspect', { model: spec, inspectionId: 'w1', text, watchTokens: ['self'] }).result;
    clearInterval(timer);
    assert.equal(r.inspection.n_layers, 2);
    assert.ok(r.inspection.thumbnails_layer_head_q_k instanceof Float32Array);
    assert.ok(r.inspection.tokens.some((t) => t.isWatched));
    assert.ok(ticks > 0);
    const hp = await client.call('headPattern', { inspectionId: 'w1', layer: 0, head: 1 }).result;
    assert.ok(hp.pattern_q_k instanceof Float32Array);
    await client.dispose(2000);
  });
});
