/** Bad input to the SAE loader (issue 11, "Bad input"): each refusal names the problem. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '../../../../src/model/checkpoint';
import { loadSaeFolder, SaeError, type SaeErrorCode } from '../../../../src/model/sae';
import { D_IN, D_SAE, standardTensors, v6Config, writeSae } from './saeFixture';

async function refusal(folder: string): Promise<SaeError> {
  try {
    await loadSaeFolder(folder);
  } catch (e) {
    assert.ok(e instanceof SaeError, `expected a SaeError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${folder} loaded, but it should have been refused`);
}

async function expectRefused(folder: string, code: SaeErrorCode, ...mentions: RegExp[]): Promise<void> {
  const e = await refusal(folder);
  assert.equal(e.code, code, e.message);
  for (const m of mentions) assert.match(e.message, m);
}

describe('loadSaeFolder: bad input', () => {
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'ci-sae-load-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('loads a good v6 folder, with the sparsity file when present', async () => {
    const folder = await writeSae(root, 'good', v6Config(), standardTensors());
    const sae = await loadSaeFolder(folder);
    assert.equal(sae.config.dSae, D_SAE);
    assert.equal(sae.weights.W_enc.length, D_IN * D_SAE);
    assert.equal(sae.logDensity, undefined);
    assert.match(sae.label, /gpt2-python-mini · blocks\.1\.hook_resid_pre · 16 features/);
    assert.ok(sae.id.includes('sae_weights.safetensors:'), 'the id changes with the files');
  });

  it('a folder that does not exist', async () => {
    await expectRefused(join(root, 'nowhere'), 'not-found', /nowhere/, /does not exist/);
  });

  it('a missing cfg.json', async () => {
    await expectRefused(await writeSae(root, 'no-cfg', null, standardTensors()), 'missing-config', /no cfg\.json/);
  });

  it('a cfg.json that is not JSON', async () => {
    await expectRefused(await writeSae(root, 'bad-json', '{"d_in": 8,', standardTensors()), 'malformed-config', /cfg\.json is not valid JSON/);
  });

  it('a cfg.json without d_in, or with a non-integer d_sae', async () => {
    const { d_in: _dropped, ...noDIn } = v6Config();
    await expectRefused(await writeSae(root, 'no-d-in', noDIn, standardTensors()), 'malformed-config', /'d_in' is missing/);
    await expectRefused(
      await writeSae(root, 'float-d-sae', v6Config({ d_sae: 16.5 }), standardTensors()),
      'malformed-config',
      /'d_sae' must be a positive integer/,
    );
  });

  it('a cfg.json without a hook name', async () => {
    await expectRefused(await writeSae(root, 'no-hook', v6Config({}, { hook_name: undefined }), standardTensors()), 'malformed-config', /no hook name/);
  });

  it('an unknown architecture, named, with the supported ones listed', async () => {
    await expectRefused(
      await writeSae(root, 'arch', v6Config({ architecture: 'transcoder' }), standardTensors()),
      'unknown-architecture',
      /'transcoder'/,
      /standard, jumprelu, topk, gated/,
    );
  });

  it('an unsupported normalize_activations, by name', async () => {
    await expectRefused(
      await writeSae(root, 'norm', v6Config({ normalize_activations: 'expected_average_only_in' }), standardTensors()),
      'unsupported-normalization',
      /expected_average_only_in/,
    );
    await expectRefused(
      await writeSae(root, 'norm-odd', v6Config({ normalize_activations: 'l2' }), standardTensors()),
      'unsupported-normalization',
      /"l2"/,
      /supported: "none", "constant_norm_rescale", "layer_norm"/,
    );
  });

  it('a missing tensor, named', async () => {
    const { b_dec: _dropped, ...tensors } = standardTensors();
    await expectRefused(await writeSae(root, 'no-b-dec', v6Config(), tensors), 'missing-tensor', /'b_dec'/);
  });

  it('a jumprelu SAE without threshold, a gated one without r_mag', async () => {
    await expectRefused(
      await writeSae(root, 'jr', v6Config({ architecture: 'jumprelu' }), standardTensors()),
      'missing-tensor',
      /jumprelu SAE needs tensor\(s\) 'threshold'/,
    );
    const { b_enc: _b, ...rest } = standardTensors();
    const gated = { ...rest, b_gate: rest.b_dec, b_mag: rest.b_dec };
    await expectRefused(await writeSae(root, 'gated', v6Config({ architecture: 'gated' }), gated), 'missing-tensor', /'b_gate', 'b_mag', 'r_mag'|'r_mag'/);
  });

  it('a tensor with the wrong shape, with both shapes named', async () => {
    const t = standardTensors();
    const transposed = { ...t, W_enc: { dtype: 'F32' as const, shape: [D_SAE, D_IN], data: new Float32Array(D_IN * D_SAE) } };
    await expectRefused(await writeSae(root, 'shape', v6Config(), transposed), 'tensor-shape', /'W_enc' has shape \[16, 8\]/, /need \[8, 16\]/);
  });

  it('a d_in in cfg.json that the tensors do not have', async () => {
    await expectRefused(await writeSae(root, 'cfg-d-in', v6Config({ d_in: 12 }), standardTensors()), 'tensor-shape', /d_in 12/);
  });

  it('NaN weights, naming the tensor and where', async () => {
    const t = standardTensors();
    const data = new Float32Array(D_IN * D_SAE);
    data[5] = NaN;
    await expectRefused(
      await writeSae(root, 'nan', v6Config(), { ...t, W_dec: { dtype: 'F32', shape: [D_SAE, D_IN], data } }),
      'non-finite',
      /'W_dec' holds NaN/,
      /\[0, 5\]/,
    );
    const inf = new Float32Array(D_SAE);
    inf[3] = Infinity;
    await expectRefused(
      await writeSae(root, 'inf', v6Config(), { ...t, b_enc: { dtype: 'F32', shape: [D_SAE], data: inf } }),
      'non-finite',
      /'b_enc' holds \+?Inf/,
    );
  });

  it('a pickle-only SAE: refused, with how to convert it', async () => {
    const folder = await writeSae(root, 'pickle', v6Config(), null);
    writeFileSync(join(folder, 'sae_weights.pt'), 'not really a pickle');
    const e = await refusal(folder);
    assert.equal(e.code, 'pickle-only');
    assert.match(e.message, /sae_weights\.pt/);
    assert.match(e.message, /safetensors/);
    assert.match(e.message, /st\.save_file/, 'the message says how to convert');
    // a .pt folder without cfg.json is still reported as pickle-only, the more useful message
    const bare = await writeSae(root, 'pickle-bare', null, null);
    writeFileSync(join(bare, 'model.pt'), 'x');
    await expectRefused(bare, 'pickle-only', /model\.pt/);
  });

  it('cfg.json but no sae_weights.safetensors', async () => {
    await expectRefused(await writeSae(root, 'no-weights', v6Config(), null), 'missing-tensor', /no sae_weights\.safetensors/);
  });

  it('a sparsity file of the wrong length', async () => {
    const folder = await writeSae(root, 'sparsity', v6Config(), standardTensors());
    await writeSafetensorsFile(join(folder, 'sparsity.safetensors'), { sparsity: { dtype: 'F32', shape: [3], data: new Float32Array(3) } });
    await expectRefused(folder, 'tensor-shape', /'sparsity' has shape \[3\], expected \[16\]/);
  });

  it('reads log10 density from sparsity.safetensors', async () => {
    const folder = await writeSae(root, 'sparsity-ok', v6Config(), standardTensors());
    const density = Float32Array.from({ length: D_SAE }, (_, i) => -i / 4);
    await writeSafetensorsFile(join(folder, 'sparsity.safetensors'), { sparsity: { dtype: 'F16', shape: [D_SAE], data: density } });
    const sae = await loadSaeFolder(folder);
    assert.deepEqual(Array.from(sae.logDensity!), Array.from(density));
  });

  it('reads F16 and BF16 weights as float32', async () => {
    const t = standardTensors();
    const half = Object.fromEntries(Object.entries(t).map(([k, v], i) => [k, { ...v, dtype: i % 2 ? 'BF16' : 'F16' }])) as typeof t;
    const sae = await loadSaeFolder(await writeSae(root, 'half', v6Config({ dtype: 'float16' }), half));
    const w = (t.W_enc as { data: Float32Array }).data;
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(sae.weights.W_enc[i] - w[i]) <= 1e-3 * Math.abs(w[i]) + 1e-7);
  });
});
