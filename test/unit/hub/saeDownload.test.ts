import * as assert from 'node:assert/strict';
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { downloadSae, SAE_MANIFEST, type SaeDownloadOptions } from '../../../src/hub/saeDownload';
import { loadSaeFolder, SaeError } from '../../../src/model/sae';
import { sha256 } from './fakeHub';
import { cutAfter, rejection, useFixture } from './helpers';

const REPO = 'jbloom/GPT2-Small-SAEs-Reformatted';
const SUB = 'blocks.1.hook_resid_pre';
const GOLDEN = path.join(__dirname, '..', '..', 'golden', 'sae', 'standard-v6-f32');

/** The repo: one real (golden) SAE in SUB, with cfg.json, weights and sparsity, and an unrelated file. */
function saeRepoFiles(): Record<string, Buffer> {
  const files: Record<string, Buffer> = { 'README.md': Buffer.from('# SAEs\n') };
  for (const f of ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors']) files[`${SUB}/${f}`] = readFileSync(path.join(GOLDEN, f));
  return files;
}

describe('hub: downloadSae', function () {
  const f = useFixture();
  const opts = (extra: Partial<SaeDownloadOptions> = {}): SaeDownloadOptions => ({
    cacheRoot: f.cacheRoot,
    endpoint: f.hub.url,
    env: {},
    retryDelayMs: 0,
    ...extra,
  });

  it('downloads cfg.json, weights and sparsity of one subfolder into the cache; the folder loads', async () => {
    const files = saeRepoFiles();
    const commit = f.hub.addRepo(REPO, files);
    const folder = await downloadSae(REPO, SUB, opts());
    assert.equal(folder, path.join(f.cacheRoot, 'saes', 'jbloom--GPT2-Small-SAEs-Reformatted', commit, SUB));
    for (const name of ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors']) {
      assert.equal(sha256(await fsp.readFile(path.join(folder, name))), sha256(files[`${SUB}/${name}`]), name);
    }
    const manifest = JSON.parse(await fsp.readFile(path.join(folder, SAE_MANIFEST), 'utf8'));
    assert.equal(manifest.commit, commit);
    assert.equal(manifest.subfolder, SUB);
    assert.deepEqual(f.hub.requestsFor('README.md'), [], 'only the SAE files are fetched');
    const sae = await loadSaeFolder(folder);
    assert.equal(sae.config.dSae, 128);
    assert.equal(sae.logDensity?.length, 128);
  });

  it('serves the second call from the cache, and offline from the branch ref', async () => {
    f.hub.addRepo(REPO, saeRepoFiles());
    const first = await downloadSae(REPO, SUB, opts());
    const second = await downloadSae(REPO, SUB, opts());
    assert.equal(second, first);
    assert.equal(f.hub.requestsFor(`${SUB}/sae_weights.safetensors`, { server: 'cdn', method: 'GET' }).length, 1, 'weights fetched once');
    const before = f.hub.requests.length;
    assert.equal(await downloadSae(REPO, SUB, opts({ env: { HF_HUB_OFFLINE: '1' } })), first);
    assert.equal(f.hub.requests.length, before, 'offline: no request');
  });

  it('resumes a cut download with Range', async () => {
    const files = saeRepoFiles();
    f.hub.addRepo(REPO, files);
    const file = `${SUB}/sae_weights.safetensors`;
    const err = await rejection(() => downloadSae(REPO, SUB, opts({ retries: 0, onProgress: cutAfter(f.hub, file, 10_000) })));
    assert.ok(err instanceof SaeError && err.code === 'download', String(err));
    assert.match(err.message, /sae_weights\.safetensors/);
    const folder = await downloadSae(REPO, SUB, opts({ retries: 0 }));
    const gets = f.hub.requestsFor(file, { server: 'cdn', method: 'GET' });
    assert.equal(gets.length, 2);
    assert.equal(gets[1].headers.range, 'bytes=10000-');
    assert.equal(sha256(await fsp.readFile(path.join(folder, 'sae_weights.safetensors'))), sha256(files[file]));
  });

  it('refuses a corrupted file by its checksum, and keeps nothing at the final path', async () => {
    const commit = f.hub.addRepo(REPO, saeRepoFiles());
    f.hub.corrupt.add(`${SUB}/sae_weights.safetensors`);
    const err = await rejection(() => downloadSae(REPO, SUB, opts({ retries: 0 })));
    assert.ok(err instanceof SaeError && err.code === 'download', String(err));
    assert.match(err.message, /failed verification/);
    const folder = path.join(f.cacheRoot, 'saes', 'jbloom--GPT2-Small-SAEs-Reformatted', commit, SUB);
    const left: string[] = await fsp.readdir(folder).catch(() => []);
    assert.ok(!left.includes('sae_weights.safetensors') && !left.includes(SAE_MANIFEST), left.join(', '));
  });

  it('a subfolder without cfg.json: not-found, naming the URL', async () => {
    f.hub.addRepo(REPO, saeRepoFiles());
    const err = await rejection(() => downloadSae(REPO, 'blocks.9.hook_resid_pre', opts()));
    assert.ok(err instanceof SaeError && err.code === 'not-found', String(err));
    assert.match(err.message, /no cfg\.json at .*blocks\.9\.hook_resid_pre\/cfg\.json/);
  });

  it('a pickle-only SAE on the hub: refused before downloading, with how to convert', async () => {
    f.hub.addRepo(REPO, { [`${SUB}/cfg.json`]: readFileSync(path.join(GOLDEN, 'cfg.json')), [`${SUB}/sae_weights.pt`]: Buffer.alloc(1000) });
    const err = await rejection(() => downloadSae(REPO, SUB, opts()));
    assert.ok(err instanceof SaeError && err.code === 'pickle-only', String(err));
    assert.match(err.message, /sae_weights\.pt/);
    assert.deepEqual(f.hub.requestsFor(`${SUB}/sae_weights.pt`, { method: 'GET' }), []);
  });

  it('refuses ".." in the subfolder and a malformed repo id', async () => {
    const bad = await rejection(() => downloadSae(REPO, '../x', opts()));
    assert.ok(bad instanceof SaeError && /'\.\.\/x'.*"\.\."/.test(bad.message), String(bad));
    const repo = await rejection(() => downloadSae('not a repo', SUB, opts()));
    assert.ok(repo instanceof SaeError && repo.code === 'download', String(repo));
  });
});
