/**
 * The engine worker's model holder: one load per spec however many requests wait for it, a model
 * replaced by another lives on until its running requests are done, and a failed load is retried.
 */
import assert from 'node:assert/strict';
import type { LoadedModel } from '../../../src/model/loadHookedGpt2';
import type { ModelSpec } from '../../../src/shared/modelSpec';
import { ModelHolder } from '../../../src/engine/modelHolder';

const spec = (dir: string): ModelSpec => ({ dir, displayName: dir, layerNorm: 'as_configured', prependBos: true });

function fakeLoads(fail: Set<string> = new Set()) {
  const loads: string[] = [];
  const disposed: string[] = [];
  const load = async (s: ModelSpec): Promise<LoadedModel> => {
    loads.push(s.dir);
    await new Promise((r) => setTimeout(r, 5));
    if (fail.has(s.dir)) {
      fail.delete(s.dir);
      throw new Error(`cannot read ${s.dir}`);
    }
    return { dir: s.dir, dispose: async () => void disposed.push(s.dir) } as unknown as LoadedModel;
  };
  const holder = new ModelHolder(load, { loading: () => undefined, loaded: () => undefined, unloading: () => undefined });
  return { holder, loads, disposed };
}

describe('ModelHolder', () => {
  it('loads a spec once for requests that arrive together, and reports the load time only to the one that started it', async () => {
    const { holder, loads } = fakeLoads();
    const [a, b, c] = await Promise.all([holder.acquire(spec('A')), holder.acquire(spec('A')), holder.acquire(spec('A'))]);
    assert.deepEqual(loads, ['A']);
    assert.equal(a.model, b.model);
    assert.equal(b.model, c.model);
    assert.ok(a.loadMs > 0);
    assert.equal(b.loadMs + c.loadMs, 0);
  });

  it('keeps a replaced model until its last lease is released, without making the new spec wait', async () => {
    const { holder, loads, disposed } = fakeLoads();
    const sweep = await holder.acquire(spec('A'));
    const inspection = await holder.acquire(spec('B'));
    assert.deepEqual(loads, ['A', 'B']);
    assert.deepEqual(disposed, [], 'A is still used by the running sweep');
    inspection.release();
    assert.deepEqual(disposed, [], 'B is current: released leases do not unload it');
    sweep.release();
    sweep.release(); // twice is harmless
    await holder.dispose();
    assert.deepEqual(disposed.sort(), ['A', 'B']);
  });

  it('unloads an unused model before loading the next one', async () => {
    const { holder, disposed, loads } = fakeLoads();
    (await holder.acquire(spec('A'))).release();
    const b = await holder.acquire(spec('B'));
    assert.deepEqual(disposed, ['A']);
    assert.deepEqual(loads, ['A', 'B']);
    assert.equal(holder.currentKey !== undefined && holder.currentKey.includes('"B"'), true);
    b.release();
  });

  it('fails every waiter of a failed load, and the next request loads again', async () => {
    const { holder, loads } = fakeLoads(new Set(['A']));
    const results = await Promise.allSettled([holder.acquire(spec('A')), holder.acquire(spec('A'))]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.match(String((results[0] as PromiseRejectedResult).reason), /cannot read A/);
    assert.equal(holder.currentKey, undefined);
    const ok = await holder.acquire(spec('A'));
    assert.deepEqual(loads, ['A', 'A']);
    ok.release();
  });
});
