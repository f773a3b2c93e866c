/**
 * A standard (ReLU) SAE in plain JS for the attribution tests: its weights as a `LoadedSae` and an
 * encoder with `SaeEncoder.encode`'s shape (acts, recon in model coordinates, error norm), written
 * from the SAELens formulas, independently of src/model/sae's ONNX encoder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFloat32 } from '../../../../src/model/checkpoint';
import type { LoadedSae, SaeEncoding, SaeInputTransform, SaeNormalization } from '../../../../src/model/sae';
import type { Float32Tensor } from '../../../../src/model/tensor';
import type { FeatureEncoder } from '../../../../src/analysis/sae/featureAttribution';

export function plainSae(
  hookName: string,
  w: { W_enc: Float32Array; W_dec: Float32Array; b_enc: Float32Array; b_dec: Float32Array },
  dIn: number,
  inputTransform: SaeInputTransform = 'none',
  normalizeActivations: SaeNormalization = 'none',
): LoadedSae {
  const dSae = w.b_enc.length;
  return {
    id: `plain:${hookName}:${dSae}`,
    label: `plain · ${hookName} · ${dSae} features`,
    folder: '(memory)',
    config: {
      architecture: 'standard',
      dIn,
      dSae,
      dtype: 'float32',
      hookName,
      hookLayer: Number(hookName.split('.')[1]),
      applyBDecToInput: true,
      inputTransform,
      inputTransformReason: 'test',
      configForm: 'v6',
      normalizeActivations,
    },
    weights: w,
  };
}

export async function loadGoldenSae(dir: string): Promise<LoadedSae> {
  const cfg = JSON.parse(readFileSync(join(dir, 'cfg.json'), 'utf8'));
  const t = await readSafetensorsFloat32(join(dir, 'sae_weights.safetensors'));
  const get = (k: string) => t.get(k)!.data;
  const center = cfg.metadata.model_from_pretrained_kwargs?.center_writing_weights === true;
  return plainSae(
    cfg.metadata.hook_name,
    { W_enc: get('W_enc'), W_dec: get('W_dec'), b_enc: get('b_enc'), b_dec: get('b_dec') },
    cfg.d_in,
    center ? 'center' : 'none',
    cfg.normalize_activations ?? 'none',
  );
}

/**
 * relu((N(x − mean?) − b_dec) W_enc + b_enc), decoded back into the model's coordinates: N is
 * SAELens's normalize_activations (constant_norm_rescale x·√d_in/‖x‖; layer_norm (x − μ)/(σ + 1e-5),
 * σ unbiased, undone as y·σ + μ).
 */
export function plainEncoder(sae: LoadedSae): FeatureEncoder & { calls: number } {
  const { dIn, dSae } = sae.config;
  const { W_enc, W_dec, b_enc, b_dec } = sae.weights;
  const enc = {
    calls: 0,
    async encode(rows: Float32Tensor<'rows d_in'>): Promise<SaeEncoding> {
      enc.calls++;
      const n = rows.data.length / dIn;
      const acts = new Float32Array(n * dSae);
      const recon = new Float32Array(n * dIn);
      const errorNorm = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        const x = rows.data.subarray(r * dIn, (r + 1) * dIn);
        const mean = sae.config.inputTransform === 'center' ? x.reduce((s, v) => s + v, 0) / dIn : 0;
        const xb = Array.from(x, (v) => v - mean);
        const norm = sae.config.normalizeActivations ?? 'none';
        let scale = 1;
        let shift = 0;
        if (norm === 'constant_norm_rescale') scale = Math.sqrt(xb.reduce((s, v) => s + v * v, 0)) / Math.sqrt(dIn);
        if (norm === 'layer_norm') {
          shift = xb.reduce((s, v) => s + v, 0) / dIn;
          scale = Math.sqrt(xb.reduce((s, v) => s + (v - shift) ** 2, 0) / (dIn - 1));
        }
        const xin = xb.map((v) => (v - shift) / (norm === 'layer_norm' ? scale + 1e-5 : scale));
        for (let i = 0; i < dSae; i++) {
          let s = b_enc[i];
          for (let j = 0; j < dIn; j++) s += (xin[j] - b_dec[j]) * W_enc[j * dSae + i];
          acts[r * dSae + i] = Math.max(0, s);
        }
        let e = 0;
        for (let j = 0; j < dIn; j++) {
          let s = b_dec[j];
          for (let i = 0; i < dSae; i++) s += acts[r * dSae + i] * W_dec[i * dIn + j];
          s = s * scale + shift + mean;
          recon[r * dIn + j] = s;
          e += (x[j] - s) ** 2;
        }
        errorNorm[r] = Math.sqrt(e);
      }
      return { acts: { dims: [n, dSae], data: acts }, recon: { dims: [n, dIn], data: recon }, errorNorm };
    },
  };
  return enc;
}
