/** Writes small SAELens folders for the loader's unit tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensorsFile, type TensorToWrite } from '../../../../src/model/checkpoint';

export const D_IN = 8;
export const D_SAE = 16;

export function v6Config(over: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architecture: 'standard',
    d_in: D_IN,
    d_sae: D_SAE,
    dtype: 'float32',
    apply_b_dec_to_input: true,
    normalize_activations: 'none',
    metadata: { sae_lens_version: '6.5.1', hook_name: 'blocks.1.hook_resid_pre', model_name: 'gpt2-python-mini', prepend_bos: true, ...metadata },
    ...over,
  };
}

function seq(n: number, scale = 0.1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) * scale);
}

export function standardTensors(dIn = D_IN, dSae = D_SAE): Record<string, TensorToWrite> {
  return {
    W_enc: { dtype: 'F32', shape: [dIn, dSae], data: seq(dIn * dSae) },
    W_dec: { dtype: 'F32', shape: [dSae, dIn], data: seq(dIn * dSae) },
    b_enc: { dtype: 'F32', shape: [dSae], data: seq(dSae) },
    b_dec: { dtype: 'F32', shape: [dIn], data: seq(dIn) },
  };
}

/** Writes cfg.json (an object, or raw text) and sae_weights.safetensors (unless tensors is null) into root/name. */
export async function writeSae(
  root: string,
  name: string,
  cfg: Record<string, unknown> | string | null,
  tensors: Record<string, TensorToWrite> | null,
): Promise<string> {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  if (cfg !== null) writeFileSync(join(folder, 'cfg.json'), typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
  if (tensors) await writeSafetensorsFile(join(folder, 'sae_weights.safetensors'), tensors);
  return folder;
}
