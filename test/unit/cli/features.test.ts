/**
 * `circuit-inspector features` on the tiny golden model (f32-bare, d_model 32) with golden SAEs on
 * blocks.1.hook_resid_pre: the JSON agrees with itself (the card, the sparse list and the dense
 * matrix), with the independent float64 reference (test/golden/sae-analysis), and every bad input
 * exits 2 naming the problem.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsFloat32, writeSafetensorsFile } from '../../../src/model/checkpoint';
import { shippedSaeFolder } from '../../../src/model/sae';
import type { Float32Tensor } from '../../../src/model/tensor';
import { REPO_ROOT } from '../../repoRoot';
import { compareToGolden } from '../../golden/goldenCases';
import { useFixture } from '../hub/helpers';
import { cli, firstLine, MODEL } from './runCli';

const STANDARD = join(REPO_ROOT, 'test', 'golden', 'sae', 'standard-v6-f32'); // has sparsity.safetensors
const JUMPRELU = join(REPO_ROOT, 'test', 'golden', 'sae', 'jumprelu-v6-bf16');
const REFERENCE = join(REPO_ROOT, 'test', 'golden', 'sae-analysis', 'f32-bare-standard');
const TEXT = 'def f(self, x): return x';

function closeTo(actual: ArrayLike<number>, golden: Float32Array, what: string): void {
  const r = compareToGolden(Float32Array.from(actual), golden);
  assert.ok(r.ok, `${what}: max error ${r.maxErr} > ${r.tol} at ${r.where}`);
}

describe('circuit-inspector features', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ci-cli-features-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('top-k per position, the card and --dense agree: the card’s activation at a position is that position’s sparse entry', async () => {
    const base = JSON.parse((await cli(['features', '--model', MODEL, '--sae', STANDARD, '--text', TEXT, '--top-k', '4'])).out);
    const n = base.n_tokens;
    assert.equal(base.tokens.length, n);
    assert.equal(base.top.length, n);
    assert.equal(base.sae.d_sae, 128);
    assert.equal(base.sae.hookName, 'blocks.1.hook_resid_pre');
    for (const { features, acts } of base.top) {
      assert.ok(features.length <= 4 && features.length === acts.length);
      for (let i = 1; i < acts.length; i++) assert.ok(acts[i - 1] >= acts[i], 'descending');
      for (const a of acts) assert.ok(a > 0, 'only active features');
    }
    const p = 3;
    const f = base.top[p].features[0];
    const r = await cli([
      'features',
      '--model',
      MODEL,
      '--sae',
      STANDARD,
      '--text',
      TEXT,
      '--top-k',
      '4',
      '--feature',
      String(f),
      '--position',
      String(p),
      '--dense',
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.feature.index, f);
    assert.equal(j.feature.position, p);
    assert.equal(j.feature.activation, base.top[p].acts[0]);
    assert.equal(j.feature.activation_pos[p], base.top[p].acts[0]);
    assert.equal(j.feature.activation_pos.length, n);
    // dense: [n, d_sae]; each row's k largest are the sparse list, and column f is the card's row
    assert.equal(j.acts_pos_d_sae.length, n * 128);
    for (let q = 0; q < n; q++) {
      const row: number[] = j.acts_pos_d_sae.slice(q * 128, (q + 1) * 128);
      assert.equal(row[f], j.feature.activation_pos[q]);
      const order = row
        .map((a, i) => [a, i])
        .filter(([a]) => a > 0)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, 4)
        .map(([, i]) => i);
      assert.deepEqual(order, j.top[q].features);
    }
    assert.equal(base.acts_pos_d_sae, undefined, 'sparse unless --dense');
    // density from sparsity.safetensors: 10^log10
    assert.equal(j.feature.density.source, 'sparsity.safetensors');
    assert.ok(Math.abs(j.feature.density.fraction - 10 ** j.feature.density.log10) < 1e-9);
    // logit lens: k tokens each side with their texts, top descending, bottom ascending
    const { top, bottom } = j.feature.logitLens;
    assert.equal(top.length, 4);
    assert.equal(bottom.length, 4);
    for (const t of [...top, ...bottom]) assert.equal(typeof t.text, 'string');
    assert.ok(top[0].value >= top[3].value && bottom[0].value <= bottom[3].value && top[3].value > bottom[3].value);
  });

  it('matches the float64 reference: dense activations, error norm, logit lens, ablated text and quality', async () => {
    const meta = JSON.parse(readFileSync(join(REFERENCE, 'case.json'), 'utf8'));
    const golden = await readSafetensorsFloat32(join(REFERENCE, 'golden.safetensors'));
    const G = (k: string) => (golden.get(k) as Float32Tensor).data;
    const args = [
      'features',
      '--model',
      MODEL,
      '--sae',
      REFERENCE,
      '--tokens',
      meta.tokens.join(','),
      '--feature',
      String(meta.feature),
      '--ablate',
      '--dense',
    ];
    const r = await cli([...args, '--top-k', '5']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.feature.position, meta.position, 'the last position by default');
    closeTo(j.acts_pos_d_sae, G('acts'), 'acts');
    closeTo(j.reconstruction.errorNorm_pos, G('error_norm'), 'error norm');
    closeTo(j.reconstruction.residNorm_pos, G('resid_norm'), 'resid norm');
    closeTo(j.reconstruction.relativeError_pos, G('quality.rel_error'), 'relative error');
    closeTo(j.reconstruction.kl_pos, G('quality.kl'), 'KL');
    closeTo(j.reconstruction.ceClean_pos, G('quality.ce_clean'), 'CE clean');
    closeTo(j.reconstruction.ceSpliced_pos, G('quality.ce_spliced'), 'CE spliced');
    closeTo([j.reconstruction.varianceExplained], G('quality.var_explained'), 'variance explained');
    // the ablated text: one value per position 0..p, the clean value the card's activation
    assert.equal(j.feature.ablation.ablated_pos.length, meta.position + 1);
    closeTo(j.feature.ablation.ablated_pos, G('ablated'), 'ablated');
    closeTo([j.feature.ablation.clean], G('ablated_clean'), 'ablated clean');
    assert.ok(Math.abs(j.feature.ablation.clean - j.feature.activation) < 1e-5);
    for (let i = 0; i <= meta.position; i++)
      assert.ok(Math.abs(j.feature.ablation.delta_pos[i] - (j.feature.ablation.ablated_pos[i] - j.feature.ablation.clean)) < 1e-6);
    // the lens: the reference's row of this feature, its 5 largest and 5 smallest centred logits
    const dSae = j.sae.d_sae;
    assert.equal(j.acts_pos_d_sae.length, meta.tokens.length * dSae);
    const V = G('lens').length / dSae;
    const lensRow = G('lens').subarray(meta.feature * V, (meta.feature + 1) * V);
    const sorted = Array.from(lensRow).sort((a, b) => b - a);
    closeTo(
      j.feature.logitLens.top.map((t: { value: number }) => t.value),
      Float32Array.from(sorted.slice(0, 5)),
      'lens top',
    );
    closeTo(
      j.feature.logitLens.bottom.map((t: { value: number }) => t.value),
      Float32Array.from(sorted.slice(-5).reverse()),
      'lens bottom',
    );
    for (const t of j.feature.logitLens.top) assert.equal(lensRow[t.id], sorted[j.feature.logitLens.top.indexOf(t)]);
  });

  it('--ablate at an earlier position runs only the tokens up to it; no sparsity file gives density null', async () => {
    const r = await cli(['features', '--model', MODEL, '--sae', JUMPRELU, '--text', TEXT, '--feature', '7', '--position', '-4', '--ablate']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const p = j.n_tokens - 4;
    assert.equal(j.feature.position, p);
    assert.equal(j.feature.ablation.position, p);
    assert.equal(j.feature.ablation.ablated_pos.length, p + 1);
    assert.equal(j.feature.ablation.clean, j.feature.activation_pos[p]);
    assert.equal(j.feature.density, null);
    assert.equal(j.sae.densitySource, null);
    assert.equal(j.sae.architecture, 'jumprelu');
  });

  it('the shipped model without --sae uses its shipped SAE, or says it is missing', async () => {
    const r = await cli(['features', '--text', 'x = 1']);
    if (existsSync(join(shippedSaeFolder(), 'cfg.json'))) {
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).sae.folder, shippedSaeFolder());
    } else {
      assert.equal(r.code, 2);
      assert.match(firstLine(r.err), /the shipped SAE: no SAE is shipped with the model/);
    }
  });

  /** An SAE folder in the temp dir: the standard golden one, with cfg.json edited, or a random one of another width. */
  function variant(name: string, edit: (cfg: Record<string, unknown>) => void): string {
    const out = join(dir, name);
    mkdirSync(out, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(STANDARD, 'cfg.json'), 'utf8'));
    edit(cfg);
    writeFileSync(join(out, 'cfg.json'), JSON.stringify(cfg));
    copyFileSync(join(STANDARD, 'sae_weights.safetensors'), join(out, 'sae_weights.safetensors'));
    return out;
  }

  const bad: [string, () => Promise<string[]>, RegExp][] = [
    ['--ablate without --feature', async () => ['--sae', STANDARD, '--ablate'], /--ablate needs --feature/],
    ['a feature past d_sae', async () => ['--sae', STANDARD, '--feature', '128'], /--feature: 128 does not exist: this SAE has 128 features \(0\.\.127\)/],
    ['a feature that is not a number', async () => ['--sae', STANDARD, '--feature', 'x'], /--feature: expected a feature index/],
    ['a position past the prompt', async () => ['--sae', STANDARD, '--position', '11'], /--position: 11 is outside the prompt, whose 11 tokens/],
    ['another model without --sae', async () => [], /--sae is needed with --model .*f32-bare: the shipped SAE belongs to the shipped model/],
    ['a folder that does not exist', async () => ['--sae', join(dir, 'nope')], /--sae .*nope: SAE folder .*nope does not exist/],
    [
      'a folder without cfg.json',
      async () => {
        const out = join(dir, 'no-cfg');
        mkdirSync(out, { recursive: true });
        copyFileSync(join(STANDARD, 'sae_weights.safetensors'), join(out, 'sae_weights.safetensors'));
        return ['--sae', out];
      },
      /--sae .*no-cfg: .*no-cfg has no cfg\.json/,
    ],
    [
      'a hook the model lacks',
      async () => ['--sae', variant('hook7', (c) => ((c.metadata as Record<string, unknown>).hook_name = 'blocks.7.hook_resid_pre'))],
      /--sae .*hook7: the SAE reads hook 'blocks\.7\.hook_resid_pre', which this model does not have/,
    ],
    [
      'a d_in that is not the model’s d_model',
      async () => {
        const out = join(dir, 'd16');
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'cfg.json'), readFileSync(join(STANDARD, 'cfg.json'), 'utf8').replace('"d_in": 32', '"d_in": 16'));
        const t = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1) });
        await writeSafetensorsFile(join(out, 'sae_weights.safetensors'), { W_enc: t([16, 128]), W_dec: t([128, 16]), b_enc: t([128]), b_dec: t([16]) });
        return ['--sae', out];
      },
      /--sae .*d16: the SAE's d_in is 16, but hook 'blocks\.1\.hook_resid_pre' of this model has d_model 32/,
    ],
    ['an unknown architecture', async () => ['--sae', variant('arch', (c) => (c.architecture = 'batchtopk-mystery'))], /--sae .*arch: .*batchtopk-mystery/],
    ['an hf: source that is not owner/repo', async () => ['--sae', 'hf:justone'], /--sae: 'hf:justone': expected hf:<owner>\/<repo>:<subfolder>/],
  ];
  for (const [name, args, message] of bad) {
    it(`refuses ${name} with exit code 2 and the usage`, async () => {
      const r = await cli(['features', '--model', MODEL, '--text', TEXT, ...(await args())]);
      assert.equal(r.code, 2, r.err);
      assert.match(firstLine(r.err), message);
      assert.match(r.err, /usage:/);
      assert.equal(r.out, '');
    });
  }
});

describe('circuit-inspector features --sae hf:OWNER/REPO:SUBFOLDER', () => {
  const f = useFixture();
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const k of ['HF_ENDPOINT', 'XDG_CACHE_HOME', 'HF_HUB_OFFLINE']) saved[k] = process.env[k];
    process.env.HF_ENDPOINT = f.hub.url;
    process.env.XDG_CACHE_HOME = f.cacheRoot;
    delete process.env.HF_HUB_OFFLINE;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('downloads the subfolder (hf: optional) into the CLI cache once and gives the same features as the folder itself', async () => {
    const files: Record<string, Buffer> = {};
    for (const name of ['cfg.json', 'sae_weights.safetensors', 'sparsity.safetensors'])
      files[`saes/blocks.1.hook_resid_pre/${name}`] = readFileSync(join(STANDARD, name));
    f.hub.addRepo('someone/tiny-saes', files);
    const args = ['features', '--model', MODEL, '--text', TEXT, '--feature', '3'];
    const hub = await cli([...args, '--sae', 'hf:someone/tiny-saes:saes/blocks.1.hook_resid_pre']);
    assert.equal(hub.code, 0, hub.err);
    const local = JSON.parse((await cli([...args, '--sae', STANDARD])).out);
    const j = JSON.parse(hub.out);
    assert.ok(j.sae.folder.startsWith(join(f.cacheRoot, 'circuit-inspector', 'saes')), j.sae.folder);
    assert.deepEqual(j.top, local.top);
    assert.deepEqual(j.feature.activation_pos, local.feature.activation_pos);
    assert.equal(j.feature.density.source, 'sparsity.safetensors');
    const requests = f.hub.requestsFor('saes/blocks.1.hook_resid_pre/sae_weights.safetensors', { server: 'cdn', method: 'GET' }).length;
    const bare = await cli([...args, '--sae', 'someone/tiny-saes:saes/blocks.1.hook_resid_pre']); // the issue's REPO:SUBFOLDER, without hf:
    assert.equal(bare.code, 0, bare.err);
    assert.equal(JSON.parse(bare.out).sae.folder, j.sae.folder);
    assert.equal(f.hub.requestsFor('saes/blocks.1.hook_resid_pre/sae_weights.safetensors', { server: 'cdn', method: 'GET' }).length, requests, 'cached');
  });

  it('a subfolder without cfg.json exits 2 naming it', async () => {
    f.hub.addRepo('someone/tiny-saes', { 'README.md': Buffer.from('x') });
    const r = await cli(['features', '--model', MODEL, '--text', TEXT, '--sae', 'hf:someone/tiny-saes:blocks.9.hook_resid_pre']);
    assert.equal(r.code, 2, r.err);
    assert.match(firstLine(r.err), /--sae hf:someone\/tiny-saes:blocks\.9\.hook_resid_pre: .*no cfg\.json/);
  });
});
