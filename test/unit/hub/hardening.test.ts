/** Issue 14: refusals by the CDN, Retry-After, unannounced sizes, shard paths. */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DownloadOptions, downloadModel, readShardList } from '../../../src/hub/download';
import { openShardedSafetensors } from '../../../src/model/checkpoint/openTensorFiles';
import { HubError } from '../../../src/hub/errors';
import { parseRetryAfter } from '../../../src/hub/http';
import { CONFIG, VOCAB, gpt2Files, rejection, useFixture } from './helpers';

const REPO = 'openai-community/gpt2';

describe('hub: hardening (issue 14)', function () {
  const f = useFixture();
  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    cacheRoot: f.cacheRoot,
    endpoint: f.hub.url,
    env: {},
    retryDelayMs: 0,
    ...extra,
  });

  describe('a refusal by the CDN', () => {
    it('says the token was not sent there, rather than "sent but refused"', async () => {
      f.hub.addRepo(REPO, gpt2Files(), { token: 'hf_secret' });
      f.hub.cdnStatus.set('model.safetensors', 403);
      const err = await rejection(() => downloadModel(REPO, opts({ token: 'hf_secret' })));
      assert.ok(err instanceof HubError && err.code === 'unauthorized', String(err));
      assert.doesNotMatch(err.message, /sent but refused|was sent to .* and refused/);
      const cdnHost = new URL(f.hub.cdnUrl).host;
      assert.ok(err.message.includes(`by ${cdnHost}`), err.message);
      assert.match(err.message, /only sent to 127\.0\.0\.1:\d+ and was not sent to/);
      assert.match(err.message, /model\.safetensors/);
      const cdn = f.hub.requestsFor('model.safetensors', { server: 'cdn' });
      assert.ok(cdn.length > 0 && cdn.every((r) => r.headers.authorization === undefined));
    });

    it('still says "refused" for a token the hub itself refuses', async () => {
      f.hub.addRepo(REPO, gpt2Files(), { token: 'hf_secret' });
      const err = await rejection(() => downloadModel(REPO, opts({ token: 'hf_wrong' })));
      assert.ok(err instanceof HubError && err.code === 'unauthorized');
      assert.match(err.message, /token was sent to 127\.0\.0\.1:\d+ and refused/);
    });
  });

  describe('Retry-After', () => {
    it('parses seconds and HTTP dates', () => {
      const now = Date.parse('2025-01-01T00:00:00Z');
      assert.equal(parseRetryAfter('7', now), 7000);
      assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
      assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
      assert.equal(parseRetryAfter('soon', now), undefined);
      assert.equal(parseRetryAfter(undefined, now), undefined);
    });

    it('waits as long as a 429 asks (seconds) before retrying a download', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.throttle.set('vocab.json', { times: 2, retryAfter: '1' }); // the HEAD probe, then once more
      const t0 = Date.now();
      const r = await downloadModel(REPO, opts({ retries: 3 }));
      const waited = Date.now() - t0;
      assert.ok(waited >= 1900, `two Retry-After: 1 waits took ${waited} ms`);
      assert.equal(r.fromCache, false);
      const vocab = f.hub.requestsFor('vocab.json', { server: 'hub' }).map((x) => x.status);
      assert.deepEqual(vocab.slice(0, 3), [429, 429, 200]);
    });

    it('honours an HTTP-date Retry-After on a 503, and a cancel during the wait', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.throttle.set('config.json', { times: 1, retryAfter: new Date(Date.now() + 20_000).toUTCString(), status: 503 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const t0 = Date.now();
      const err = await rejection(() => downloadModel(REPO, opts({ signal: ac.signal })));
      assert.equal((err as Error).name, 'AbortError', String(err));
      assert.ok(Date.now() - t0 < 5000, 'the wait ends at the cancel');
    });

    it('gives up at once, saying when to retry, when Retry-After is longer than 60 s', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.throttle.set('config.json', { times: 1, retryAfter: '3600' });
      const t0 = Date.now();
      const err = await rejection(() => downloadModel(REPO, opts({ retries: 3 })));
      assert.ok(err instanceof HubError && err.code === 'http', String(err));
      assert.ok(Date.now() - t0 < 5000);
      assert.match(err.message, /rate limited .* asks to wait 3600 s .*Try again after \d{4}-/);
      assert.equal(f.hub.requestsFor('config.json').length, 1);
    });

    it('stops after the retry budget even when each answer asks for a short wait', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.throttle.set('config.json', { times: 10, retryAfter: '0' });
      const err = await rejection(() => downloadModel(REPO, opts({ retries: 2 })));
      assert.ok(err instanceof HubError && err.details.status === 429, String(err));
      assert.match(err.message, /rate limiting/);
      assert.equal(f.hub.requestsFor('config.json').length, 3);
    });
  });

  describe('a body sent without a length', () => {
    it('checks a chunked vocab.json against the git blob id the HEAD announced', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.chunked.add('vocab.json');
      f.hub.noEtagOnGet.add('vocab.json');
      f.hub.corrupt.add('vocab.json');
      const err = await rejection(() => downloadModel(REPO, opts()));
      assert.ok(err instanceof HubError && err.code === 'integrity', String(err));
      assert.match(err.message, /vocab\.json failed verification: git-sha1/);
      const get = f.hub.requestsFor('vocab.json', { method: 'GET' })[0];
      assert.equal(get.status, 200);

      f.hub.corrupt.clear();
      const ok = await downloadModel(REPO, opts());
      assert.equal(await fsp.readFile(path.join(ok.folder, 'vocab.json'), 'utf8'), VOCAB);
    });

    it('stops a chunked body that runs past the size the HEAD announced', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.chunked.add('merges.txt');
      f.hub.noEtagOnGet.add('merges.txt');
      f.hub.extraBytes.set('merges.txt', 100_000);
      const err = await rejection(() => downloadModel(REPO, opts()));
      assert.ok(err instanceof HubError && err.code === 'integrity', String(err));
      assert.match(err.message, /merges\.txt .*more than the announced 18 bytes/);
    });

    it('bounds a body whose size nobody announced', async () => {
      f.hub.addRepo(REPO, gpt2Files(1000));
      f.hub.chunked.add('merges.txt');
      f.hub.noEtagOnGet.add('merges.txt');
      f.hub.noSizeOnHead.add('merges.txt');
      f.hub.noEtagOnHead.add('merges.txt');
      f.hub.extraBytes.set('merges.txt', 100_000);
      const err = await rejection(() => downloadModel(REPO, opts({ maxUnannouncedBytes: 50_000 })));
      assert.ok(err instanceof HubError && err.code === 'integrity', String(err));
      assert.match(err.message, /merges\.txt .*announced no size and sent more than 50000 bytes/);
    });
  });

  describe('shard paths', () => {
    it('refuses a nested shard path, as the loader would, before downloading any shard', async () => {
      const index = { weight_map: { 'wte.weight': 'sub/dir/model-00001-of-00001.safetensors' } };
      f.hub.addRepo(REPO, {
        'config.json': CONFIG,
        'model.safetensors.index.json': JSON.stringify(index),
        'sub/dir/model-00001-of-00001.safetensors': randomBytes(100),
        'tokenizer.json': '{}',
      });
      const err = await rejection(() => downloadModel(REPO, opts()));
      assert.ok(err instanceof HubError && err.code === 'bad-index', String(err));
      assert.match(err.message, /sub\/dir\/model-00001-of-00001\.safetensors/);
      assert.match(err.message, /same folder as the index/);
      assert.equal(f.hub.requestsFor('sub/dir/model-00001-of-00001.safetensors').length, 0);
    });
  });
});

describe('hub and loader: one rule for shard names', () => {
  it('accept and refuse the same names', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-shards-'));
    try {
      const names = ['sub/dir/x.safetensors', '../x.safetensors', 'a\\b.safetensors', '..', 'x.bin', '', 'model-00001-of-00002.safetensors'];
      for (const name of names) {
        const index = path.join(dir, 'model.safetensors.index.json');
        await fsp.writeFile(index, JSON.stringify({ weight_map: { w: name } }));
        const hub = await readShardList(index, 'http://hub/x').then(
          () => 'accepted',
          (e: Error) => e.message,
        );
        const loader = await openShardedSafetensors(index).then(
          async (files) => {
            await files.close();
            return 'accepted';
          },
          (e: Error) => e.message,
        );
        const hubAccepts = hub === 'accepted';
        const loaderAccepts = loader === 'accepted' || !/weight_map\['w'\]/.test(loader); // a missing shard file is a later, different error
        assert.equal(hubAccepts, loaderAccepts, `${JSON.stringify(name)}: hub says ${hub}; loader says ${loader}`);
        assert.equal(hubAccepts, name === 'model-00001-of-00002.safetensors', JSON.stringify(name));
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
