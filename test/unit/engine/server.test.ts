import * as assert from 'node:assert/strict';
import type { EngineToHost } from '../../../src/engine/protocol';
import { defineEngineModule, type AnyEngineModule } from '../../../src/engine/registry';
import { EngineServer } from '../../../src/engine/server';

type Echo = { echo: { params: { text: string }; result: string }; fail: { params: { kind: string }; result: never } };

const noModel = () => Promise.reject(new Error('no model in this test'));

function serve(modules: AnyEngineModule[] = []) {
  const replies: EngineToHost[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const echo = defineEngineModule<Echo>('echo', () => ({
    handlers: {
      echo: async ({ text }, ctx) => {
        ctx.progress('started', { step: 1 });
        await gate;
        ctx.progress('after the gate');
        return text;
      },
      fail: ({ kind }) => {
        throw kind === 'range' ? new RangeError('token 9 outside 0..3') : new Error('boom');
      },
    },
  }));
  const server = new EngineServer(noModel, (m) => replies.push(m), [echo, ...modules]);
  return { server, replies, release };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('engine/EngineServer', () => {
  it('routes a request to the module that registered its method and answers it once, with its progress first', async () => {
    const { server, replies, release } = serve();
    assert.deepEqual([...server.methods].sort(), ['echo', 'fail']);
    server.handle({ type: 'request', id: 1, method: 'echo', params: { text: 'hi' } });
    release();
    await settle();
    assert.deepEqual(
      replies.filter((r) => r.type !== 'log'),
      [
        { type: 'progress', id: 1, phase: 'running', message: 'started', detail: { step: 1 } },
        { type: 'progress', id: 1, phase: 'running', message: 'after the gate', detail: undefined },
        { type: 'result', id: 1, result: 'hi' },
      ],
    );
  });

  it('a cancelled request is answered cancelled, with no progress after the cancel and no result', async () => {
    const { server, replies, release } = serve();
    server.handle({ type: 'request', id: 7, method: 'echo', params: { text: 'x' } });
    server.handle({ type: 'cancel', id: 7 });
    release();
    await settle();
    const mine = replies.filter((r) => r.type !== 'log');
    assert.equal(mine.length, 2);
    assert.equal(mine[0].type, 'progress');
    assert.ok(mine[1].type === 'error' && mine[1].error.code === 'cancelled');
  });

  it('errors: RangeError is a bad request, anything else fails with its message; unknown methods are named', async () => {
    const { server, replies } = serve();
    server.handle({ type: 'request', id: 1, method: 'fail', params: { kind: 'range' } });
    server.handle({ type: 'request', id: 2, method: 'fail', params: { kind: 'other' } });
    server.handle({ type: 'request', id: 3, method: 'nope', params: {} });
    await settle();
    const errors = Object.fromEntries(replies.flatMap((r) => (r.type === 'error' ? [[r.id, r.error]] : [])));
    assert.deepEqual(errors[1], { code: 'bad-request', message: 'token 9 outside 0..3' });
    assert.deepEqual(errors[2], { code: 'failed', message: 'boom' });
    assert.equal(errors[3].code, 'unknown-method');
    assert.match(errors[3].message, /nope/);
  });

  it('refuses two modules registering the same method, naming both', () => {
    const other = defineEngineModule<{ echo: { params: { n: number }; result: number } }>('other', () => ({ handlers: { echo: (p) => p.n } }));
    assert.throws(() => serve([other]), /echo is registered by both echo and other/);
  });

  it('after dispose, every request is answered cancelled', async () => {
    const { server, replies } = serve();
    await server.dispose();
    server.handle({ type: 'request', id: 4, method: 'echo', params: { text: 'late' } });
    const r = replies.find((x) => x.type === 'error');
    assert.ok(r?.type === 'error' && r.error.code === 'cancelled' && /disposed/.test(r.error.message));
  });
});
