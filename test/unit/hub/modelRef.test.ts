import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checksumFromEtag, gitBlobSha1OfFile, normalizeEtag, strongEtag } from '../../../src/hub/checksum';
import { DEFAULT_ENDPOINT, resolveEndpoint, resolveToken, resolveUrl } from '../../../src/hub/endpoint';
import { HubError } from '../../../src/hub/errors';
import { formatModelRef, looksLikeLocalPath, parseModelRef, parseModelSource } from '../../../src/hub/modelRef';

describe('hub: model references', () => {
  it('parses org/name, legacy ids and revisions', () => {
    assert.deepEqual(parseModelRef('openai-community/gpt2'), {
      repoId: 'openai-community/gpt2',
      org: 'openai-community',
      name: 'gpt2',
      revision: 'main',
    });
    assert.deepEqual(parseModelRef('distilgpt2'), { repoId: 'distilgpt2', name: 'distilgpt2', revision: 'main' });
    assert.equal(parseModelRef('gpt2-medium').repoId, 'gpt2-medium');
    assert.equal(parseModelRef('apollo-research/gpt2_noLN').name, 'gpt2_noLN');
    assert.equal(parseModelRef('gpt2@refs/pr/1').revision, 'refs/pr/1');
    assert.equal(parseModelRef('  gpt2  ', 'v1.0').revision, 'v1.0');
    assert.equal(parseModelRef('gpt2', '').revision, 'main');
    assert.equal(parseModelRef('gpt2@dev', 'dev').revision, 'dev');
    const sha = '607a30d783dfa663caf39e06633721c8d4cfcd7e';
    assert.equal(parseModelRef(`openai-community/gpt2@${sha}`).revision, sha);
  });

  it('formats a reference so that it parses back', () => {
    for (const s of ['gpt2', 'openai-community/gpt2@refs/pr/1', 'a/b@v2']) {
      assert.equal(formatModelRef(parseModelRef(s)), s);
    }
  });

  it('rejects malformed ids and revisions with a message naming the input', () => {
    const bad = ['', 'a/b/c', '/gpt2', 'gpt2/', 'org/-name', 'org/name-', 'a--b/c', 'a/b..c', 'gpt 2', 'org/na$me', 'x'.repeat(97), 'a/b.git'];
    for (const id of bad) {
      assert.throws(
        () => parseModelRef(id),
        (e: unknown) => e instanceof HubError && e.code === 'invalid-ref' && e.message.includes(`"${id}"`),
        id,
      );
    }
    for (const rev of ['a b', 'a..b', '/main', 'main/', 'x@{1}', 'a:b', 'refs/.hidden']) {
      assert.throws(
        () => parseModelRef('gpt2', rev),
        (e: unknown) => e instanceof HubError && e.code === 'invalid-ref',
        rev,
      );
    }
    assert.throws(() => parseModelRef('gpt2@a', 'b'), /names revision "a" but revision "b"/);
  });

  it('tells local folders from repo ids', () => {
    for (const p of ['/models/gpt2', './gpt2', '../x', '~/m', 'C:\\models\\gpt2', 'D:/m', 'models\\gpt2', 'file:///tmp/m', '.']) {
      assert.equal(looksLikeLocalPath(p), true, p);
    }
    for (const id of ['gpt2', 'openai-community/gpt2', 'gpt2@refs/pr/1']) assert.equal(looksLikeLocalPath(id), false, id);
    assert.deepEqual(parseModelSource('~/models/gpt2', undefined, '/home/u'), { kind: 'local', path: path.join('/home/u', 'models/gpt2') });
    assert.deepEqual(parseModelSource('file:///tmp/m'), { kind: 'local', path: '/tmp/m' });
    const hub = parseModelSource('gpt2', 'dev');
    assert.equal(hub.kind, 'hub');
    assert.equal(hub.kind === 'hub' && hub.ref.revision, 'dev');
  });
});

describe('hub: endpoint, token and URLs', () => {
  it('takes the option, else HF_ENDPOINT, else huggingface.co, without trailing slashes', () => {
    assert.equal(resolveEndpoint(undefined, {}), DEFAULT_ENDPOINT);
    assert.equal(resolveEndpoint(undefined, { HF_ENDPOINT: 'https://mirror.example/hf//' }), 'https://mirror.example/hf');
    assert.equal(resolveEndpoint('http://127.0.0.1:9/', { HF_ENDPOINT: 'https://mirror.example' }), 'http://127.0.0.1:9');
    assert.equal(resolveEndpoint('  ', { HF_ENDPOINT: 'https://m.example' }), 'https://m.example');
    assert.throws(
      () => resolveEndpoint('ftp://x'),
      (e: unknown) => e instanceof HubError && e.code === 'invalid-endpoint',
    );
    assert.throws(() => resolveEndpoint(undefined, { HF_ENDPOINT: 'not a url' }), /HF_ENDPOINT/);
  });

  it('takes the token from the caller, else HF_TOKEN', () => {
    assert.equal(resolveToken('hf_a', { HF_TOKEN: 'hf_b' }), 'hf_a');
    assert.equal(resolveToken('', { HF_TOKEN: 'hf_b' }), 'hf_b');
    assert.equal(resolveToken(undefined, {}), undefined);
  });

  it('builds resolve URLs with the revision as one encoded segment', () => {
    assert.equal(
      resolveUrl('https://huggingface.co/', 'openai-community/gpt2', 'main', 'config.json'),
      'https://huggingface.co/openai-community/gpt2/resolve/main/config.json',
    );
    assert.equal(resolveUrl('http://h:1/hf', 'gpt2', 'refs/pr/1', 'onnx/model.onnx'), 'http://h:1/hf/gpt2/resolve/refs%2Fpr%2F1/onnx/model.onnx');
  });
});

describe('hub: ETags and checksums', () => {
  it('normalizes ETags and recognizes sha256 and git blob ids', () => {
    const sha = 'a'.repeat(64);
    assert.equal(normalizeEtag(`W/"${sha.toUpperCase()}"`), sha);
    assert.equal(normalizeEtag('""'), undefined);
    assert.deepEqual(checksumFromEtag(sha), { kind: 'sha256', hex: sha });
    assert.deepEqual(checksumFromEtag('b'.repeat(40)), { kind: 'git-sha1', hex: 'b'.repeat(40) });
    assert.equal(checksumFromEtag('"abc-123"'), undefined);
    assert.equal(strongEtag('W/"x"'), undefined);
    assert.equal(strongEtag('"x"'), '"x"');
  });

  it('computes the git blob id git itself computes', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-hub-sha1-'));
    try {
      const file = path.join(dir, 'hello');
      await fsp.writeFile(file, 'hello\n');
      // `printf 'hello\n' | git hash-object --stdin`
      assert.equal(await gitBlobSha1OfFile(file, 6), 'ce013625030ba8dba906f756967f9e9ca394464a');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
