/**
 * Writes a random standard (ReLU) SAE in SAELens's v6 on-disk format for benchmarks: cfg.json and
 * sae_weights.safetensors (F32), made on the fly into a temp folder, never committed. It is loaded
 * back through `loadSaeFolder` like any user's SAE.
 *
 * The weights give a realistic sparsity without training: unit-norm decoder rows, the encoder their
 * transpose scaled by 1/‖x‖ (so each pre-activation is about cos(x, W_dec[f]), spread ~1/√d_in on a
 * random direction), and b_enc = −z/√d_in, so about P(N(0,1) > z) of the features fire per token
 * (z = 2.5: ~0.6%, L0 ≈ 150 of 24,576).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensorsFile } from '../../src/model/checkpoint';
import { SAE_CONFIG_FILE, SAE_WEIGHTS_FILE } from '../../src/model/sae';

export interface RandomSaeSpec {
  readonly dIn: number;
  readonly dSae: number;
  /** e.g. 'blocks.8.hook_resid_pre' */
  readonly hookName: string;
  /** A typical ‖x‖ at the hook, to scale the encoder. */
  readonly residNorm: number;
  /** The bias in standard deviations of a random direction's cosine (default 2.5). */
  readonly z?: number;
  readonly seed?: number;
  readonly modelName?: string;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

export async function writeRandomSae(folder: string, spec: RandomSaeSpec): Promise<void> {
  const { dIn, dSae, hookName, residNorm } = spec;
  const next = lcg(spec.seed ?? 7);
  const W_dec = new Float32Array(dSae * dIn); // [d_sae, d_in]
  for (let f = 0; f < dSae; f++) {
    let n = 0;
    for (let i = 0; i < dIn; i++) {
      const v = next() + next() + next(); // roughly normal
      W_dec[f * dIn + i] = v;
      n += v * v;
    }
    const inv = 1 / Math.sqrt(n);
    for (let i = 0; i < dIn; i++) W_dec[f * dIn + i] *= inv;
  }
  mkdirSync(folder, { recursive: true });
  const cfg = {
    architecture: 'standard',
    d_in: dIn,
    d_sae: dSae,
    dtype: 'float32',
    device: 'cpu',
    apply_b_dec_to_input: true,
    normalize_activations: 'none',
    reshape_activations: 'none',
    metadata: {
      hook_name: hookName,
      hook_head_index: null,
      model_name: spec.modelName ?? 'gpt2-small-random',
      prepend_bos: true,
      context_size: 128,
      sae_lens_version: '6.5.1',
      model_from_pretrained_kwargs: { center_writing_weights: false },
    },
  };
  writeFileSync(join(folder, SAE_CONFIG_FILE), JSON.stringify(cfg, null, 1));
  await writeSafetensorsFile(join(folder, SAE_WEIGHTS_FILE), {
    W_enc: {
      dtype: 'F32',
      shape: [dIn, dSae],
      data: () => {
        const W_enc = new Float32Array(dIn * dSae); // [d_in, d_sae] = W_decᵀ / ‖x‖
        for (let f = 0; f < dSae; f++) for (let i = 0; i < dIn; i++) W_enc[i * dSae + f] = W_dec[f * dIn + i] / residNorm;
        return W_enc;
      },
    },
    W_dec: { dtype: 'F32', shape: [dSae, dIn], data: W_dec },
    b_enc: { dtype: 'F32', shape: [dSae], data: () => new Float32Array(dSae).fill(-(spec.z ?? 2.5) / Math.sqrt(dIn)) },
    b_dec: { dtype: 'F32', shape: [dIn], data: new Float32Array(dIn) },
  });
}
