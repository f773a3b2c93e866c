import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { findCachedModel, listCachedModels, repoDir } from '../../../src/hub/cache';
import { type DownloadOptions, downloadModel } from '../../../src/hub/download';
import { HubError } from '../../../src/hub/errors';
import { gpt2Files, rejection, useFixture } from './helpers';

describe('hub: the model cache', function () {
  const f = useFixture();
  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    cacheRoot: f.cacheRoot,
    endpoint: f.hub.url,
    env: {},
    retryDelayMs: 0,
    ...extra,
  });

  it('is empty for a fresh root, even one that does not exist', async () => {
    assert.deepEqual(await listCachedModels(f.cacheRoot), []);
    assert.deepEqual(await listCachedModels(path.join(f.cacheRoot, 'missing')), []);
    assert.equal(await findCachedModel(f.cacheRoot, 'gpt2'), undefined);
  });

  it('lists complete downloads and finds them by id, revision or commit without network', async () => {
    const c1 = f.hub.addRepo('openai-community/gpt2', gpt2Files(1000));
    const c2 = f.hub.addRepo('distilgpt2', gpt2Files(2000), { branches: ['v1'] });
    await downloadModel('openai-community/gpt2', opts());
    await downloadModel('distilgpt2', opts({ revision: 'v1' }));
    await downloadModel('distilgpt2', opts()); // main: same commit, already cached

    const listed = await listCachedModels(f.cacheRoot);
    assert.deepEqual(
      listed.map((m) => [m.repoId, m.commit, [...m.revisions].sort()]),
      [
        ['distilgpt2', c2, ['main', 'v1']],
        ['openai-community/gpt2', c1, ['main']],
      ],
    );
    const gpt2 = listed[1];
    assert.equal(gpt2.folder, path.join(f.cacheRoot, 'models', 'openai-community--gpt2', c1));
    assert.equal(
      gpt2.totalBytes,
      gpt2.manifest.files.reduce((n, x) => n + x.size, 0),
    );
    assert.ok(gpt2.totalBytes > 1000);

    await f.hub.close(); // from here on, no network
    assert.equal((await findCachedModel(f.cacheRoot, 'openai-community/gpt2'))?.folder, gpt2.folder);
    assert.equal((await findCachedModel(f.cacheRoot, `openai-community/gpt2@${c1}`))?.folder, gpt2.folder);
    assert.equal((await findCachedModel(f.cacheRoot, 'distilgpt2', 'v1'))?.commit, c2);
    assert.equal(await findCachedModel(f.cacheRoot, 'openai-community/gpt2@v1'), undefined);
    assert.equal(await findCachedModel(f.cacheRoot, 'gpt2'), undefined);
    const offline = await downloadModel('distilgpt2@v1', opts({ env: { HF_HUB_OFFLINE: '1' } }));
    assert.equal(offline.fromCache, true);
    const notCached = await rejection(() => downloadModel('gpt2', opts({ env: { HF_HUB_OFFLINE: '1' } })));
    assert.ok(notCached instanceof HubError && notCached.code === 'offline');
    // afterEach closes the hub again; closing twice is harmless
  });

  it('leaves out a snapshot whose files no longer match its manifest', async () => {
    f.hub.addRepo('openai-community/gpt2', gpt2Files(1000));
    const r = await downloadModel('openai-community/gpt2', opts());
    await fsp.truncate(path.join(r.folder, 'model.safetensors'), 10);
    assert.deepEqual(await listCachedModels(f.cacheRoot), []);
    assert.equal(await findCachedModel(f.cacheRoot, 'openai-community/gpt2'), undefined);
  });

  it('names the snapshot by revision when the hub sends no X-Repo-Commit', async () => {
    f.hub.addRepo('openai-community/gpt2', gpt2Files(1000));
    f.hub.omitCommit = true;
    const r = await downloadModel('openai-community/gpt2', opts());
    assert.equal(r.folder, path.join(f.cacheRoot, 'models', 'openai-community--gpt2', 'main'));
    assert.equal(r.manifest.commit, null);
    const found = await findCachedModel(f.cacheRoot, 'openai-community/gpt2');
    assert.equal(found?.folder, r.folder);
    assert.deepEqual(found?.revisions, ['main']);
  });

  it('refuses a second concurrent download of the same repo', async () => {
    f.hub.addRepo('openai-community/gpt2', gpt2Files(1000));
    f.hub.stall.set('model.safetensors', 100);
    const ac = new AbortController();
    let started!: () => void;
    const midway = new Promise<void>((resolve) => (started = resolve));
    const first = downloadModel('openai-community/gpt2', opts({ signal: ac.signal, onProgress: (p) => p.received > 0 && started() }));
    await midway;
    const second = await rejection(() => downloadModel('openai-community/gpt2', opts()));
    assert.ok(second instanceof HubError && second.code === 'busy', String(second));
    ac.abort();
    assert.equal(((await rejection(() => first)) as Error).name, 'AbortError');

    // A lock left by a process that no longer exists is taken over.
    const lock = path.join(repoDir(f.cacheRoot, 'openai-community/gpt2'), '.lock');
    await fsp.writeFile(lock, '999999999\n');
    f.hub.stall.clear();
    const r = await downloadModel('openai-community/gpt2', opts());
    assert.equal(r.fromCache, false);
  });
});
