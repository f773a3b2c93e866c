import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { parseSaeSource, SaeError, shippedSaeFolder } from '../../../../src/model/sae';

describe('parseSaeSource', () => {
  it("'' is the shipped SAE", () => assert.deepEqual(parseSaeSource('  '), { kind: 'shipped' }));

  it('hf:owner/repo:subfolder, with an optional @revision', () => {
    assert.deepEqual(parseSaeSource('hf:jbloom/GPT2-Small-SAEs-Reformatted:blocks.8.hook_resid_pre'), {
      kind: 'hub',
      repo: 'jbloom/GPT2-Small-SAEs-Reformatted',
      subfolder: 'blocks.8.hook_resid_pre',
    });
    assert.deepEqual(parseSaeSource('hf:a/b@refs/pr/1:x/y/'), { kind: 'hub', repo: 'a/b', subfolder: 'x/y', revision: 'refs/pr/1' });
    assert.deepEqual(parseSaeSource('hf:a/b'), { kind: 'hub', repo: 'a/b', subfolder: '' });
  });

  it('the CLI form owner/repo:subfolder is the hub, unless such a local path exists', () => {
    const base = mkdtempSync(join(tmpdir(), 'ci-sae-src-'));
    try {
      assert.deepEqual(parseSaeSource('jbloom/x:blocks.1.hook_resid_pre', base), { kind: 'hub', repo: 'jbloom/x', subfolder: 'blocks.1.hook_resid_pre' });
      mkdirSync(join(base, 'jbloom', 'x:blocks.1.hook_resid_pre'), { recursive: true });
      assert.equal(parseSaeSource('jbloom/x:blocks.1.hook_resid_pre', base).kind, 'folder');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('a folder, relative ones against the base', () => {
    assert.deepEqual(parseSaeSource('saes/mine', '/work/ws'), { kind: 'folder', folder: join('/work/ws', 'saes', 'mine') });
    assert.deepEqual(parseSaeSource('/abs/sae'), { kind: 'folder', folder: '/abs/sae' });
  });

  it('refuses a malformed hub source, naming the expected form', () => {
    assert.throws(
      () => parseSaeSource('hf:justaname:x'),
      (e: unknown) => e instanceof SaeError && /hf:<owner>\/<repo>:<subfolder>/.test(e.message),
    );
    assert.throws(() => parseSaeSource('hf:a/b:../../etc'), /'\.\.'/);
  });

  it('the shipped SAE lives next to the shipped model', () => {
    assert.ok(shippedSaeFolder().endsWith(['gpt2-python-mini', 'sae', 'blocks.1.hook_resid_pre'].join(sep)), shippedSaeFolder());
  });
});
