/**
 * SAE parity with the independent float64 reference (tools/reference/sae_reference.py, make_saes.py):
 * every architecture, both config forms and all three dtypes, loaded from SAELens folders and run
 * through the ONNX encoder (with SAELens's run-time normalisations constant_norm_rescale and layer_norm); activations, reconstruction and error norm at 1e-4 of the largest
 * magnitude. Also the real checkpoint's resid_pre rows: the SAE fits the f32-bare model.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpt2ConfigFromJson, readSafetensorsFloat32 } from '../../src/model/checkpoint';
import { checkSaeFitsModel, loadSaeFolder, SaeEncoder, type LoadedSae } from '../../src/model/sae';
import type { Float32Tensor } from '../../src/model/tensor';
import { compareToGolden } from './goldenCases';

const SAE_DIR = join(__dirname, 'sae');

interface SaeCase {
  readonly architecture: string;
  readonly config_form: 'v6' | 'pre6';
  readonly dtype: string;
  readonly input_transform: 'none' | 'center';
  readonly normalize_activations: 'none' | 'constant_norm_rescale' | 'layer_norm';
  readonly apply_b_dec_to_input: boolean;
  readonly k: number | null;
  readonly hook: string;
  readonly model_name: string;
}

const cases = readdirSync(SAE_DIR).sort();

describe('SAE parity with the PyTorch reference', () => {
  it('covers every architecture, both config forms and all three dtypes', () => {
    const all = cases.map((c) => JSON.parse(readFileSync(join(SAE_DIR, c, 'case.json'), 'utf8')) as SaeCase);
    assert.deepEqual([...new Set(all.map((c) => c.architecture))].sort(), ['gated', 'jumprelu', 'standard', 'topk']);
    assert.deepEqual([...new Set(all.map((c) => c.config_form))].sort(), ['pre6', 'v6']);
    assert.deepEqual([...new Set(all.map((c) => c.dtype))].sort(), ['BF16', 'F16', 'F32']);
    assert.deepEqual([...new Set(all.map((c) => c.input_transform))].sort(), ['center', 'none']);
    assert.deepEqual([...new Set(all.map((c) => c.normalize_activations))].sort(), ['constant_norm_rescale', 'layer_norm', 'none']);
  });

  for (const name of cases) {
    describe(name, () => {
      const folder = join(SAE_DIR, name);
      const spec = JSON.parse(readFileSync(join(folder, 'case.json'), 'utf8')) as SaeCase;
      let sae: LoadedSae;
      let golden: Map<string, Float32Tensor>;
      let encoder: SaeEncoder;
      before(async () => {
        sae = await loadSaeFolder(folder);
        golden = await readSafetensorsFloat32(join(folder, 'golden.safetensors'));
        encoder = await SaeEncoder.create(sae, { threads: 1 });
      });
      after(() => encoder?.release());

      it('reads the config as the reference did', () => {
        const c = sae.config;
        assert.equal(c.architecture, spec.architecture);
        assert.equal(c.configForm, spec.config_form);
        assert.equal(c.inputTransform, spec.input_transform, c.inputTransformReason);
        assert.equal(c.applyBDecToInput, spec.apply_b_dec_to_input);
        assert.equal(c.normalizeActivations ?? 'none', spec.normalize_activations);
        assert.equal(c.k, spec.k ?? undefined);
        assert.equal(c.hookName, spec.hook);
        assert.equal(c.modelName, spec.model_name);
        assert.match(c.inputTransformReason, /center_writing_weights|SAELens|pre-6/);
      });

      it('activations, reconstruction and error norm at 1e-4', async () => {
        const rows = golden.get('rows')!;
        const out = await encoder.encode(rows as Float32Tensor<'rows d_in'>);
        const failures: string[] = [];
        for (const [key, actual] of [
          ['acts', out.acts.data],
          ['recon', out.recon.data],
          ['error_norm', out.errorNorm],
        ] as const) {
          const r = compareToGolden(actual, golden.get(key)!.data);
          if (!r.ok) failures.push(`${key}: max error ${r.maxErr.toExponential(3)} > ${r.tol.toExponential(3)} at ${r.where}`);
        }
        assert.deepEqual(failures, []);
        // the same features are active (a flipped discontinuity would show here first)
        const g = golden.get('acts')!.data;
        let flips = 0;
        for (let i = 0; i < g.length; i++) if (g[i] !== 0 !== (out.acts.data[i] !== 0)) flips++;
        assert.equal(flips, 0, 'active features differ from the reference');
        if (spec.k !== null) {
          const dSae = sae.config.dSae;
          for (let r = 0; r < rows.dims[0]; r++) {
            const active = out.acts.data.subarray(r * dSae, (r + 1) * dSae).filter((v) => v !== 0).length;
            assert.ok(active <= spec.k, `row ${r} keeps ${active} features, more than k = ${spec.k}`);
          }
        }
      });

      it('gives the same answer one row at a time (chunking changes nothing)', async () => {
        const small = await SaeEncoder.create(sae, { maxChunkBytes: sae.config.dSae * 4 * 3 }); // 3 rows per run
        try {
          const rows = golden.get('rows')!;
          const out = await small.encode(rows as Float32Tensor<'rows d_in'>);
          assert.ok(compareToGolden(out.acts.data, golden.get('acts')!.data).ok);
          assert.ok(compareToGolden(out.errorNorm, golden.get('error_norm')!.data).ok);
        } finally {
          await small.release();
        }
      });

      it("fits the golden model whose resid_pre it reads, and warns about another model's name", () => {
        const config = gpt2ConfigFromJson(JSON.parse(readFileSync(join(__dirname, 'checkpoints', 'f32-bare', 'config.json'), 'utf8')));
        assert.deepEqual(checkSaeFitsModel(sae, { config, name: spec.model_name }), []);
        const warnings = checkSaeFitsModel(sae, { config, name: 'gpt2-python-mini' });
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /golden-f32-bare.*gpt2-python-mini/);
      });
    });
  }
});
