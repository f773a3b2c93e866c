import { strict as assert } from 'node:assert';
import { SaeHolder, type SaeLoaded } from '../../../src/engine/saeHolder';
import type { LoadedSae, SaeEncoder } from '../../../src/model/sae';

/** A fake load: counts loads and releases per folder; 'bad' folders fail. */
function fakeLoads() {
  const loads: string[] = [];
  const released: string[] = [];
  const load = async (folder: string): Promise<SaeLoaded> => {
    loads.push(folder);
    await new Promise((r) => setTimeout(r, 5));
    if (folder.startsWith('bad')) throw new Error(`no cfg.json in ${folder}`);
    const encoder = { release: async () => void released.push(folder) } as unknown as SaeEncoder;
    return { sae: { folder } as unknown as LoadedSae, encoder };
  };
  return { loads, released, load };
}

describe('SaeHolder', () => {
  it('loads a folder once for concurrent requests and reports the wait only to the request that started it', async () => {
    const f = fakeLoads();
    const h = new SaeHolder(f.load);
    const [a, b] = await Promise.all([h.acquire('x'), h.acquire('x')]);
    assert.deepEqual(f.loads, ['x']);
    assert.equal(a.sae, b.sae);
    const c = await h.acquire('x');
    assert.equal(c.loadMs, 0);
    assert.deepEqual(f.loads, ['x']);
  });

  it('keeps at most two SAEs; an evicted one is released only after its last lease ends', async () => {
    const f = fakeLoads();
    const h = new SaeHolder(f.load, 2);
    const x = await h.acquire('x');
    (await h.acquire('y')).release();
    (await h.acquire('z')).release();
    assert.deepEqual(h.folders, ['y', 'z']);
    assert.deepEqual(f.released, [], 'x is still leased (a scan in flight keeps its encoder)');
    x.release();
    x.release(); // twice is harmless
    await new Promise((r) => setTimeout(r, 1));
    assert.deepEqual(f.released, ['x']);
    (await h.acquire('y')).release(); // y becomes the newest
    (await h.acquire('w')).release(); // evicts z, the least recently used
    assert.deepEqual(h.folders, ['y', 'w']);
  });

  it('a failed load is not kept: the next request tries again and gets the error', async () => {
    const f = fakeLoads();
    const h = new SaeHolder(f.load);
    await assert.rejects(h.acquire('bad-1'), /no cfg.json in bad-1/);
    await assert.rejects(h.acquire('bad-1'), /no cfg.json in bad-1/);
    assert.deepEqual(f.loads, ['bad-1', 'bad-1']);
    assert.deepEqual(h.folders, []);
  });
});
