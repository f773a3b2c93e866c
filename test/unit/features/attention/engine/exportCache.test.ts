/**
 * Export a run for Python: Inspect Attention's `exportCache` writes the kept inspection's
 * activations for the tiny golden checkpoint, and the reference reads it back with numpy
 * (tools/reference/check_export.py) and compares it with the PyTorch goldens.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, type TypedEngine } from '../../../../../src/engine/client';
import type { EngineError } from '../../../../../src/engine/protocol';
import { allHookNames } from '../../../../../src/features/attention/engine/exportCache';
import type { AttentionEngineMethods } from '../../../../../src/features/attention/shared/engineMethods';
import { readSafetensorsFloat32 } from '../../../../../src/model/checkpoint';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { InProcessEngine } from '../../../engine/inProcessEngine';
import { REPO_ROOT } from '../../../../repoRoot';

const CASE = join(REPO_ROOT, 'test/golden/cases/f32-bare');
const spec: ModelSpec = { dir: join(REPO_ROOT, 'test/golden/checkpoints/f32-bare'), displayName: 'f32-bare', layerNorm: 'as_configured', prependBos: true };
/** test/golden/cases/f32-bare.json's text without its BOS (prependBos adds it). */
const TEXT = 'def f(self, param): return self.param';
const PYTHON = process.env.REFERENCE_PYTHON ?? '/usr/bin/python3';

function pythonWithNumpy(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

describe('attention: exportCache (a run for Python, tiny model)', function () {
  this.timeout(120_000);
  let owner: EngineClient;
  let client: TypedEngine<AttentionEngineMethods>;
  let dir: string;
  before(() => {
    owner = new EngineClient(() => new InProcessEngine());
    client = owner.methods<AttentionEngineMethods>();
    dir = mkdtempSync(join(tmpdir(), 'ci-export-'));
  });
  after(async () => {
    await owner.dispose(100);
    rmSync(dir, { recursive: true, force: true });
  });

  async function inspect(inspectionId: string) {
    return client.call('inspect', { model: spec, inspectionId, text: TEXT, watchTokens: [] }).result;
  }

  it('writes every TransformerLens hook as [batch=1, ...] float32 with the tokens and model in the metadata', async () => {
    const r = await inspect('i1');
    const path = join(dir, 'run.safetensors');
    const done = await client.call('exportCache', { inspectionId: 'i1', path, modelId: 'tiny/f32-bare@main' }).result;
    assert.equal(done.path, path);
    assert.equal(done.n_tokens, r.inspection.tokens.length);
    const hooks = allHookNames(2);
    assert.equal(done.tensors, hooks.length);
    assert.equal(hooks.length, 4 + 18 * 2);
    const read = await readSafetensorsFloat32(path);
    assert.deepEqual([...read.keys()], hooks, 'TL names in TL cache order');
    assert.deepEqual(read.get('blocks.1.attn.hook_pattern')!.dims, [1, 4, 13, 13]);
    assert.deepEqual(read.get('hook_embed')!.dims, [1, 13, 32]);
    assert.deepEqual(readdirSync(dir), ['run.safetensors'], 'no partial file left');
  });

  it('the reference reads it back with numpy: names, shapes, values and metadata match the PyTorch goldens', async function () {
    if (!pythonWithNumpy()) this.skip();
    await inspect('i2');
    const path = join(dir, 'golden.safetensors');
    await client.call('exportCache', { inspectionId: 'i2', path, modelId: 'tiny/f32-bare' }).result;
    let out: string;
    try {
      out = execFileSync(PYTHON, [join(REPO_ROOT, 'tools/reference/check_export.py'), path, CASE], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      assert.fail(`check_export.py failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    const report = JSON.parse(out) as { tensors: number; compared: number; problems: string[]; metadata: Record<string, string> };
    assert.deepEqual(report.problems, []);
    assert.equal(report.compared, 40);
    assert.equal(report.metadata.model, 'tiny/f32-bare');
    assert.equal(report.metadata.model_name, 'f32-bare');
    assert.equal(report.metadata.layer_norm, 'as_configured');
  });

  it('refuses a relative path or another extension, and an inspection that is no longer kept', async () => {
    await inspect('i3');
    await assert.rejects(client.call('exportCache', { inspectionId: 'i3', path: 'run.safetensors', modelId: '' }).result, (e: EngineError) =>
      /absolute path ending in \.safetensors/.test(e.message),
    );
    await assert.rejects(client.call('exportCache', { inspectionId: 'i3', path: join(dir, 'run.pt'), modelId: '' }).result, /\.safetensors/);
    await assert.rejects(
      client.call('exportCache', { inspectionId: 'old', path: join(dir, 'x.safetensors'), modelId: '' }).result,
      /inspection old is no longer kept/,
    );
    await assert.rejects(
      client.call('exportCache', { inspectionId: 'i3', path: join(dir, 'missing-folder', 'x.safetensors'), modelId: '' }).result,
      /writing .*missing-folder.*x\.safetensors failed/,
    );
  });
});
