import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { partialPath, repoDir, snapshotDir } from '../../../src/hub/cache';
import { type DownloadOptions, type DownloadProgress, downloadModel } from '../../../src/hub/download';
import { HubError } from '../../../src/hub/errors';
import { FakeHub, sha256 } from './fakeHub';
import { CONFIG, cutAfter, exists, gpt2Files, rejection, useFixture } from './helpers';

const REPO = 'openai-community/gpt2';

describe('hub: downloadModel', function () {
  const f = useFixture();
  /** Options pointing at the fake hub, with no environment and no retry delay. */
  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    cacheRoot: f.cacheRoot,
    endpoint: f.hub.url,
    env: {},
    retryDelayMs: 0,
    ...extra,
  });

  it('downloads config, weights and tokenizer into <root>/models/<org>--<name>/<commit> with a manifest', async () => {
    const files = gpt2Files();
    const commit = f.hub.addRepo(REPO, files);
    const events: DownloadProgress[] = [];
    const result = await downloadModel(REPO, opts({ onProgress: (p) => events.push(p) }));

    assert.equal(result.fromCache, false);
    assert.equal(result.folder, path.join(f.cacheRoot, 'models', 'openai-community--gpt2', commit));
    for (const [name, data] of Object.entries(files)) {
      assert.deepEqual(await fsp.readFile(path.join(result.folder, name)), Buffer.from(data), name);
    }
    const m = JSON.parse(await fsp.readFile(path.join(result.folder, 'manifest.json'), 'utf8'));
    assert.deepEqual(m, result.manifest);
    assert.equal(m.repoId, REPO);
    assert.equal(m.revision, 'main');
    assert.equal(m.commit, commit);
    assert.equal(m.endpoint, f.hub.url);
    assert.deepEqual(m.weights, ['model.safetensors']);
    assert.deepEqual(m.tokenizer, ['vocab.json', 'merges.txt']);
    assert.deepEqual(
      m.files.map((x: { name: string; size: number; sha256: string }) => [x.name, x.size, x.sha256]),
      ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'].map((n) => {
        const b = Buffer.from(files[n]);
        return [n, b.length, sha256(b)];
      }),
    );
    assert.ok(!Number.isNaN(Date.parse(m.downloadedAt)));

    // Progress in bytes: the weights file ends at its full size, and the overall total is the sum.
    const weights = events.filter((e) => e.file === 'model.safetensors');
    assert.ok(weights.length > 1);
    assert.deepEqual(weights.at(-1)?.received, 300_000);
    assert.equal(weights.at(-1)?.total, 300_000);
    const total = Object.values(files).reduce((n, d) => n + Buffer.from(d).length, 0);
    assert.equal(events.at(-1)?.overallTotal, total);
    assert.equal(events.at(-1)?.overallReceived, total);
    assert.deepEqual(await fsp.readdir(path.join(repoDir(f.cacheRoot, REPO), '.partial')), []);

    // A second call finds the complete snapshot after one HEAD and downloads nothing.
    const before = f.hub.requests.length;
    const again = await downloadModel(REPO, opts());
    assert.equal(again.fromCache, true);
    assert.equal(again.folder, result.folder);
    assert.deepEqual(
      f.hub.requests.slice(before).map((r) => `${r.method} ${r.file}`),
      ['HEAD config.json'],
    );
  });

  it('resumes a cut download with Range and ends with the right sha256', async () => {
    const files = gpt2Files();
    f.hub.addRepo(REPO, files);
    const cut = cutAfter(f.hub, 'model.safetensors', 100_000);

    const err = await rejection(() => downloadModel(REPO, opts({ retries: 0, onProgress: cut })));
    assert.ok(err instanceof HubError && err.code === 'network', String(err));
    assert.match(err.message, /model\.safetensors/);
    assert.match(err.message, /127\.0\.0\.1/);
    const partial = partialPath(f.cacheRoot, REPO, 'model.safetensors');
    assert.equal((await fsp.stat(partial)).size, 100_000);

    const result = await downloadModel(REPO, opts({ retries: 0 }));
    const gets = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' });
    assert.equal(gets.length, 2);
    assert.equal(gets[0].headers.range, undefined);
    assert.equal(gets[1].headers.range, 'bytes=100000-');
    assert.equal(gets[1].status, 206);
    const got = await fsp.readFile(path.join(result.folder, 'model.safetensors'));
    assert.equal(sha256(got), sha256(files['model.safetensors'] as Buffer));
    assert.equal(result.manifest.files.find((x) => x.name === 'model.safetensors')?.sha256, sha256(got));
    assert.equal(await exists(partial), false);
  });

  it('retries a dropped connection by itself, resuming where it stopped', async () => {
    const files = gpt2Files();
    f.hub.addRepo(REPO, files);
    const cut = cutAfter(f.hub, 'model.safetensors', 70_000);
    const result = await downloadModel(REPO, opts({ retries: 1, onProgress: cut }));
    const gets = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' });
    assert.deepEqual(
      gets.map((g) => [g.headers.range, g.status]),
      [
        [undefined, 200],
        ['bytes=70000-', 206],
      ],
    );
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model.safetensors')), files['model.safetensors']);
  });

  it('does not glue a changed LFS file onto an old partial: the new X-Linked-Etag drops the Range', async () => {
    f.hub.addRepo(REPO, gpt2Files());
    const cut = cutAfter(f.hub, 'model.safetensors', 100_000);
    const err = await rejection(() => downloadModel(REPO, opts({ retries: 0, onProgress: cut })));
    assert.ok(err instanceof HubError && err.code === 'network', String(err));
    assert.equal((await fsp.stat(partialPath(f.cacheRoot, REPO, 'model.safetensors'))).size, 100_000);

    const changed = randomBytes(250_000);
    const commit = f.hub.commit(REPO, { 'model.safetensors': changed });
    const result = await downloadModel(REPO, opts({ retries: 0 }));

    const gets = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' });
    assert.equal(gets.length, 2);
    assert.equal(gets[1].headers.range, undefined);
    assert.equal(gets[1].status, 200);
    assert.equal(result.manifest.commit, commit);
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model.safetensors')), changed);
  });

  it('restarts from zero when If-Range no longer matches (a plain file changed on the hub)', async () => {
    const big = JSON.stringify({ model: { vocab: Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`tok${i}`, i])) } });
    f.hub.addRepo(REPO, { 'config.json': CONFIG, 'model.safetensors': randomBytes(1000), 'tokenizer.json': big });
    const cut = cutAfter(f.hub, 'tokenizer.json', 40_000);
    const err = await rejection(() => downloadModel(REPO, opts({ retries: 0, onProgress: cut })));
    assert.ok(err instanceof HubError && err.code === 'network', String(err));
    assert.equal((await fsp.stat(partialPath(f.cacheRoot, REPO, 'tokenizer.json'))).size, 40_000);

    const changed = big.replace('tok1"', 'tokX"');
    f.hub.commit(REPO, { 'tokenizer.json': changed });
    const result = await downloadModel(REPO, opts({ retries: 0 }));

    const gets = f.hub.requestsFor('tokenizer.json', { server: 'hub', method: 'GET' });
    assert.equal(gets.length, 2);
    assert.equal(gets[1].headers.range, 'bytes=40000-');
    assert.match(String(gets[1].headers['if-range']), /^"[0-9a-f]{40}"$/);
    assert.equal(gets[1].status, 200, 'the hub ignores the Range because the ETag changed');
    assert.equal(await fsp.readFile(path.join(result.folder, 'tokenizer.json'), 'utf8'), changed);
    assert.deepEqual(result.manifest.tokenizer, ['tokenizer.json']);
  });

  it('starts again from zero when the server ignores Range', async () => {
    const files = gpt2Files();
    f.hub.addRepo(REPO, files);
    const cut = cutAfter(f.hub, 'model.safetensors', 100_000);
    await rejection(() => downloadModel(REPO, opts({ retries: 0, onProgress: cut })));
    f.hub.ignoreRange = true;
    const result = await downloadModel(REPO, opts({ retries: 0 }));
    const gets = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' });
    assert.deepEqual([gets[1].headers.range, gets[1].status], ['bytes=100000-', 200]);
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model.safetensors')), files['model.safetensors']);
  });

  it('starts again from zero after a 416 (partial as long as the file)', async () => {
    const files = gpt2Files();
    f.hub.addRepo(REPO, files);
    const cut = cutAfter(f.hub, 'model.safetensors', 100_000);
    await rejection(() => downloadModel(REPO, opts({ retries: 0, onProgress: cut })));
    await fsp.appendFile(partialPath(f.cacheRoot, REPO, 'model.safetensors'), randomBytes(200_000));
    const result = await downloadModel(REPO, opts({ retries: 0 }));
    const gets = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' });
    assert.deepEqual(
      gets.slice(1).map((g) => [g.headers.range, g.status]),
      [
        ['bytes=300000-', 416],
        [undefined, 200],
      ],
    );
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model.safetensors')), files['model.safetensors']);
  });

  it('rejects a body whose sha256 differs from X-Linked-Etag and leaves no file behind', async () => {
    const commit = f.hub.addRepo(REPO, gpt2Files());
    f.hub.corrupt.add('model.safetensors');
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'integrity', String(err));
    assert.match(err.message, /model\.safetensors/);
    assert.match(err.message, /sha256/);
    const folder = snapshotDir(f.cacheRoot, REPO, commit);
    assert.equal(await exists(path.join(folder, 'model.safetensors')), false);
    assert.equal(await exists(path.join(folder, 'manifest.json')), false);
    assert.equal(await exists(partialPath(f.cacheRoot, REPO, 'model.safetensors')), false);
  });

  it('rejects a plain file whose git blob id differs from its ETag', async () => {
    f.hub.addRepo(REPO, gpt2Files());
    f.hub.corrupt.add('vocab.json');
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'integrity', String(err));
    assert.match(err.message, /vocab\.json.*git-sha1/);
  });

  it('cancels mid-download with an AbortError and no file at the final path', async () => {
    const files = gpt2Files();
    const commit = f.hub.addRepo(REPO, files);
    f.hub.stall.set('model.safetensors', 65_536);
    const ac = new AbortController();
    const err = await rejection(() =>
      downloadModel(
        REPO,
        opts({
          signal: ac.signal,
          onProgress: (p) => {
            if (p.file === 'model.safetensors' && p.received > 0) ac.abort();
          },
        }),
      ),
    );
    assert.equal((err as Error).name, 'AbortError', String(err));
    assert.match((err as Error).message, /model\.safetensors/);
    const folder = snapshotDir(f.cacheRoot, REPO, commit);
    assert.equal(await exists(path.join(folder, 'model.safetensors')), false);
    assert.equal(await exists(path.join(folder, 'manifest.json')), false);
    assert.equal(await exists(path.join(repoDir(f.cacheRoot, REPO), '.lock')), false, 'the lock is released');

    // The partial was kept: the next download resumes it.
    f.hub.stall.clear();
    const result = await downloadModel(REPO, opts());
    const last = f.hub.requestsFor('model.safetensors', { server: 'cdn', method: 'GET' }).at(-1);
    assert.match(String(last?.headers.range), /^bytes=\d+-$/);
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model.safetensors')), files['model.safetensors']);
  });

  it('rejects at once when the signal is already aborted', async () => {
    f.hub.addRepo(REPO, gpt2Files());
    const err = await rejection(() => downloadModel(REPO, opts({ signal: AbortSignal.abort() })));
    assert.equal((err as Error).name, 'AbortError');
    assert.equal(f.hub.requests.length, 0);
  });

  it('sends the token to the hub but not to the CDN it redirects to', async () => {
    f.hub.addRepo(REPO, gpt2Files(), { token: 'hf_secret' });
    const denied = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(denied instanceof HubError && denied.code === 'unauthorized', String(denied));
    assert.match(denied.message, /config\.json/);
    assert.match(denied.message, /HF_TOKEN/);
    assert.match(denied.message, /gated/);

    const wrong = await rejection(() => downloadModel(REPO, opts({ token: 'hf_wrong' })));
    assert.ok(wrong instanceof HubError && wrong.code === 'unauthorized');
    assert.match(wrong.message, /refused/);

    f.hub.requests.length = 0;
    await downloadModel(REPO, opts({ token: 'hf_secret' }));
    const hub = f.hub.requests.filter((r) => r.server === 'hub');
    const cdn = f.hub.requests.filter((r) => r.server === 'cdn');
    assert.ok(hub.length > 0 && cdn.length > 0);
    for (const r of hub) assert.equal(r.headers.authorization, 'Bearer hf_secret', `${r.method} ${r.path}`);
    for (const r of cdn) assert.equal(r.headers.authorization, undefined, `${r.method} ${r.path}`);
  });

  it('takes the token from HF_TOKEN when the caller gives none', async () => {
    f.hub.addRepo(REPO, gpt2Files(), { token: 'hf_env' });
    await downloadModel(REPO, opts({ token: '', env: { HF_TOKEN: 'hf_env' } }));
    assert.ok(f.hub.requests.filter((r) => r.server === 'hub').every((r) => r.headers.authorization === 'Bearer hf_env'));
  });

  it('honours HF_ENDPOINT from the process environment', async () => {
    f.hub.addRepo(REPO, gpt2Files());
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = `${f.hub.url}/`;
    try {
      const result = await downloadModel(REPO, { cacheRoot: f.cacheRoot, retryDelayMs: 0 });
      assert.equal(result.manifest.endpoint, f.hub.url);
      assert.ok(f.hub.requests.some((r) => r.server === 'hub' && r.file === 'config.json'));
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });

  it('refuses a repo that only has pytorch_model.bin, without downloading it', async () => {
    f.hub.addRepo(REPO, { 'config.json': CONFIG, 'pytorch_model.bin': randomBytes(1000), 'vocab.json': '{}', 'merges.txt': '' });
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'pickle-only', String(err));
    assert.match(err.message, /pytorch_model\.bin/);
    assert.match(err.message, /pickle/);
    assert.match(err.message, /runs arbitrary code/);
    assert.deepEqual(
      f.hub.requestsFor('pytorch_model.bin').map((r) => `${r.server} ${r.method}`),
      ['hub HEAD'],
    );
  });

  it('says when there are no weights at all', async () => {
    f.hub.addRepo(REPO, { 'config.json': CONFIG, 'vocab.json': '{}', 'merges.txt': '' });
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'no-weights', String(err));
  });

  it('names the URL when the repo or the revision does not exist', async () => {
    const missing = await rejection(() => downloadModel('nobody/nothing', opts()));
    assert.ok(missing instanceof HubError && missing.code === 'not-found', String(missing));
    assert.ok(missing.message.includes(`${f.hub.url}/nobody/nothing/resolve/main/config.json`), missing.message);
    assert.match(missing.message, /repo was not found/);

    f.hub.addRepo(REPO, gpt2Files());
    const badRev = await rejection(() => downloadModel(`${REPO}@nope`, opts()));
    assert.ok(badRev instanceof HubError && badRev.code === 'not-found');
    assert.ok(badRev.message.includes(`${f.hub.url}/${REPO}/resolve/nope/config.json`), badRev.message);
    assert.match(badRev.message, /revision was not found/);
  });

  it('names the host when nothing answers there', async () => {
    const url = f.hub.url;
    await f.hub.close();
    const err = await rejection(() => downloadModel(REPO, { cacheRoot: f.cacheRoot, endpoint: url, env: {}, retries: 0 }));
    assert.ok(err instanceof HubError && err.code === 'network', String(err));
    assert.ok(err.message.includes(new URL(url).host), err.message);
    assert.match(err.message, /HF_ENDPOINT/);
    assert.match(err.message, /config\.json/);
    f.hub = await FakeHub.start(); // afterEach closes it
  });

  it('downloads a sharded checkpoint through model.safetensors.index.json', async () => {
    const a = randomBytes(5000);
    const b = randomBytes(7000);
    const index = {
      metadata: {},
      weight_map: {
        'wte.weight': 'model-00001-of-00002.safetensors',
        'h.0.attn.c_attn.weight': 'model-00002-of-00002.safetensors',
        'wpe.weight': 'model-00001-of-00002.safetensors',
      },
    };
    f.hub.addRepo(REPO, {
      'config.json': CONFIG,
      'model.safetensors.index.json': JSON.stringify(index),
      'model-00001-of-00002.safetensors': a,
      'model-00002-of-00002.safetensors': b,
      'tokenizer.json': '{}',
      'vocab.json': '{}',
    });
    const result = await downloadModel(REPO, opts());
    assert.deepEqual(result.manifest.weights, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    assert.deepEqual(result.manifest.tokenizer, ['tokenizer.json'], 'vocab.json without merges.txt is not a tokenizer');
    assert.deepEqual(await fsp.readFile(path.join(result.folder, 'model-00002-of-00002.safetensors')), b);
    assert.equal(await exists(path.join(result.folder, 'vocab.json')), false);
  });

  it('refuses an index that points outside the repo', async () => {
    f.hub.addRepo(REPO, {
      'config.json': CONFIG,
      'model.safetensors.index.json': JSON.stringify({ weight_map: { x: '../../evil.safetensors' } }),
      'tokenizer.json': '{}',
    });
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'bad-index', String(err));
    assert.match(err.message, /evil/);
  });

  it('requires a tokenizer layout', async () => {
    f.hub.addRepo(REPO, { 'config.json': CONFIG, 'model.safetensors': randomBytes(10), 'merges.txt': '' });
    const err = await rejection(() => downloadModel(REPO, opts()));
    assert.ok(err instanceof HubError && err.code === 'no-tokenizer', String(err));
    assert.match(err.message, /found only merges\.txt/);
  });

  it('follows the relative redirect of a legacy id and encodes a refs/pr revision', async () => {
    const commit = f.hub.addRepo(REPO, gpt2Files(), { branches: ['refs/pr/1'] });
    f.hub.alias('gpt2', REPO);
    const result = await downloadModel('gpt2', opts({ revision: 'refs/pr/1' }));
    assert.equal(result.folder, path.join(f.cacheRoot, 'models', 'gpt2', commit));
    assert.equal(result.manifest.revision, 'refs/pr/1');
    // Only the first request names the branch; every later one is pinned to the commit.
    const first = f.hub.requests[0];
    assert.equal(first.path, '/gpt2/resolve/refs%2Fpr%2F1/config.json');
    assert.ok(f.hub.requests.slice(2).every((r) => r.server === 'cdn' || r.path.includes(`/resolve/${commit}/`)));
  });

  it('reuses files already in the snapshot after an interrupted multi-file download', async () => {
    const files = gpt2Files();
    f.hub.addRepo(REPO, files);
    f.hub.corrupt.add('merges.txt');
    await rejection(() => downloadModel(REPO, opts()));
    f.hub.corrupt.clear();
    f.hub.requests.length = 0;
    const result = await downloadModel(REPO, opts());
    assert.deepEqual(
      f.hub.requests.filter((r) => r.method === 'GET').map((r) => r.file),
      ['merges.txt'],
    );
    assert.equal(result.manifest.files.find((x) => x.name === 'model.safetensors')?.sha256, sha256(files['model.safetensors'] as Buffer));
  });
});
