/** The user's Hugging Face cache: lookup (aliases, refs, verification), downloads into it, listing. */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DownloadOptions, downloadModel } from '../../../src/hub/download';
import { VerifiedBlobs, hfCacheDirs, listHfModels } from '../../../src/hub/hfCache';
import { locateModel } from '../../../src/hub/locate';
import { parseModelRef } from '../../../src/hub/modelRef';
import { gitBlobSha1, sha256 } from './fakeHub';
import { CONFIG, exists, gpt2Files, useFixture } from './helpers';

const COMMIT = '607a30d783dfa663caf39e06633721c8d4cfcd7e';

/** Writes a snapshot exactly as huggingface_hub does: blobs named by etag, relative links, refs/<rev> without newline. */
async function writePythonCache(
  cache: string,
  repoFolder: string,
  files: Record<string, Buffer | string>,
  o: { commit?: string; refs?: string[] } = {},
): Promise<string> {
  const commit = o.commit ?? COMMIT;
  const repo = path.join(cache, repoFolder);
  const snap = path.join(repo, 'snapshots', commit);
  await fsp.mkdir(path.join(repo, 'blobs'), { recursive: true });
  await fsp.mkdir(snap, { recursive: true });
  for (const [name, raw] of Object.entries(files)) {
    const data = Buffer.from(raw);
    const blob = /\.(safetensors|bin)$/.test(name) ? sha256(data) : gitBlobSha1(data);
    await fsp.writeFile(path.join(repo, 'blobs', blob), data);
    await fsp.symlink(`../../blobs/${blob}`, path.join(snap, name));
  }
  for (const ref of o.refs ?? ['main']) {
    await fsp.mkdir(path.dirname(path.join(repo, 'refs', ref)), { recursive: true });
    await fsp.writeFile(path.join(repo, 'refs', ref), commit);
  }
  return snap;
}

describe('hub: the Hugging Face cache', function () {
  const f = useFixture();
  let hf: string;
  let store: VerifiedBlobs;
  beforeEach(async () => {
    hf = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-hfcache-'));
    store = new VerifiedBlobs(path.join(f.cacheRoot, 'verified-blobs.json'));
  });
  afterEach(async () => {
    await fsp.rm(hf, { recursive: true, force: true });
  });
  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    cacheRoot: f.cacheRoot,
    hfCache: hf,
    verifiedBlobs: store,
    endpoint: f.hub.url,
    env: {},
    retryDelayMs: 0,
    ...extra,
  });

  it('finds the cache where huggingface_hub does: HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME, ~/.cache', () => {
    assert.deepEqual(hfCacheDirs({ HF_HUB_CACHE: '/c/hub' }, '/home/u'), ['/c/hub', '/home/u/.cache/huggingface/hub']);
    assert.deepEqual(hfCacheDirs({ HF_HOME: '/h' }, '/home/u'), ['/h/hub', '/home/u/.cache/huggingface/hub']);
    assert.deepEqual(hfCacheDirs({ XDG_CACHE_HOME: '/x' }, '/home/u'), ['/x/huggingface/hub', '/home/u/.cache/huggingface/hub']);
    assert.deepEqual(hfCacheDirs({}, '/home/u'), ['/home/u/.cache/huggingface/hub']);
  });

  it('uses a snapshot written by transformers under the alias folder, following refs/main, with no network', async () => {
    const files = gpt2Files(5000);
    const snap = await writePythonCache(hf, 'models--gpt2', files);
    await f.hub.close();
    const found = await locateModel(parseModelRef('openai-community/gpt2'), { hfCacheDirs: [hf], verified: store });
    assert.equal(found.found?.folder, snap);
    assert.equal(found.found?.where, 'huggingFaceCache');
    assert.deepEqual(found.found?.unchecked, []);
    const byCommit = await locateModel(parseModelRef(`gpt2@${COMMIT}`), { hfCacheDirs: [hf], verified: store });
    assert.equal(byCommit.found?.folder, snap);
    assert.equal((await locateModel(parseModelRef('gpt2@v2'), { hfCacheDirs: [hf], verified: store })).found, undefined);
    // Checked once: the store remembers both blobs.
    const remembered = JSON.parse(await fsp.readFile(store.file as string, 'utf8'));
    assert.equal(Object.keys(remembered).length, 4);
  });

  it('refuses a damaged blob and a snapshot that lacks files, saying which', async () => {
    const files = gpt2Files(5000);
    const snap = await writePythonCache(hf, 'models--openai-community--gpt2', files);
    const blob = await fsp.realpath(path.join(snap, 'model.safetensors'));
    const bytes = await fsp.readFile(blob);
    bytes[10] ^= 0xff;
    await fsp.writeFile(blob, bytes);
    const damaged = await locateModel(parseModelRef('gpt2'), { hfCacheDirs: [hf], verified: store });
    assert.equal(damaged.found, undefined);
    assert.match(damaged.problems.join('\n'), /model\.safetensors links to the blob .*blobs\/[0-9a-f]{64}, whose sha256 is [0-9a-f]{64}, not/);

    await fsp.rm(path.join(snap, 'model.safetensors'));
    await fsp.rm(path.join(snap, 'merges.txt'));
    const partial = await locateModel(parseModelRef('gpt2'), { hfCacheDirs: [hf], verified: store });
    assert.equal(partial.found, undefined);
    assert.match(partial.problems.join('\n'), /lacks model\.safetensors, vocab\.json \+ merges\.txt \(or tokenizer\.json\)/);
  });

  it('downloads into the Python layout: blobs by etag, relative links, refs/main; a second call only asks one HEAD', async () => {
    const files = gpt2Files(5000);
    const commit = f.hub.addRepo('openai-community/gpt2', files);
    const r = await downloadModel('openai-community/gpt2', opts());
    const repo = path.join(hf, 'models--openai-community--gpt2');
    assert.equal(r.folder, path.join(repo, 'snapshots', commit));
    assert.equal(await fsp.readFile(path.join(repo, 'refs', 'main'), 'utf8'), commit);
    for (const [name, raw] of Object.entries(files)) {
      const data = Buffer.from(raw);
      const blob = name.endsWith('.safetensors') ? sha256(data) : gitBlobSha1(data);
      assert.equal(await fsp.readlink(path.join(r.folder, name)), `../../blobs/${blob}`, name);
      assert.deepEqual(await fsp.readFile(path.join(r.folder, name)), data, name);
    }
    assert.deepEqual((await fsp.readdir(path.join(repo, 'blobs'))).length, 4, 'no partial files left');
    assert.equal(await exists(path.join(f.cacheRoot, 'models')), false, 'nothing in the extension storage');

    f.hub.requests.length = 0;
    const again = await downloadModel('openai-community/gpt2', opts());
    assert.equal(again.fromCache, true);
    assert.deepEqual(
      f.hub.requests.map((x) => `${x.method} ${x.file}`),
      ['HEAD config.json'],
    );
    const located = await locateModel(parseModelRef('openai-community/gpt2'), { hfCacheDirs: [hf], verified: store });
    assert.equal(located.found?.folder, r.folder);
  });

  it('fills in a snapshot that has only config.json, downloading only what is missing', async () => {
    const files = gpt2Files(5000);
    const commit = f.hub.addRepo('gpt2', files);
    await writePythonCache(hf, 'models--gpt2', { 'config.json': files['config.json'] }, { commit });
    const r = await downloadModel('gpt2', opts());
    assert.equal(r.folder, path.join(hf, 'models--gpt2', 'snapshots', commit));
    assert.deepEqual(
      f.hub.requests
        .filter((x) => x.method === 'GET' && x.status === 200)
        .map((x) => x.file)
        .sort(),
      ['merges.txt', 'model.safetensors', 'vocab.json'],
    );
    assert.equal((await locateModel(parseModelRef('gpt2'), { hfCacheDirs: [hf], verified: store })).found?.folder, r.folder);
  });

  it('replaces a damaged blob when downloading', async () => {
    const files = gpt2Files(5000);
    const commit = f.hub.addRepo('gpt2', files);
    const snap = await writePythonCache(hf, 'models--gpt2', files, { commit });
    const blob = await fsp.realpath(path.join(snap, 'model.safetensors'));
    await fsp.writeFile(blob, randomBytes(5000));
    const r = await downloadModel('gpt2', opts());
    assert.equal(r.fromCache, false);
    assert.deepEqual(await fsp.readFile(path.join(r.folder, 'model.safetensors')), files['model.safetensors']);
  });

  it('lists the GPT-2-family models found there, with revision and size', async () => {
    await writePythonCache(hf, 'models--gpt2', gpt2Files(5000), { refs: ['main', 'refs/pr/1'] });
    await writePythonCache(hf, 'models--google-bert--bert-base-uncased', { ...gpt2Files(100), 'config.json': JSON.stringify({ model_type: 'bert' }) });
    await writePythonCache(hf, 'models--someone--partial', { 'config.json': CONFIG });
    const listed = await listHfModels([hf]);
    assert.deepEqual(
      listed.map((m) => [m.repoId, m.commit, [...m.revisions].sort()]),
      [['gpt2', COMMIT, ['main', 'refs/pr/1']]],
    );
    assert.ok(listed[0].totalBytes > 5000);
  });
});
