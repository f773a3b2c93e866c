/** Whether a loaded SAE can read a model's activations: the hook exists, has d_model on its last axis, and d_in matches. */
import { BLOCK_HOOK_SUFFIXES, parseHookName } from '../../shared/hookNames';
import { errorMessage } from '../../shared/errors';
import type { Gpt2Config } from '../gpt2Config';
import { SaeError } from './saeError';
import type { LoadedSae } from './saeTypes';

/** Block hooks shaped [batch, pos, d_model]: the ones an SAE reads (hook_z, hook_q, mlp.hook_post… have other last axes). */
export const SAE_HOOK_SUFFIXES = ['hook_resid_pre', 'hook_resid_mid', 'hook_resid_post', 'hook_attn_out', 'hook_mlp_out'] as const;

/** Throws SaeError 'hook-missing' / 'd-in-mismatch'; returns warnings (e.g. metadata.model_name differs from the model's name). */
export function checkSaeFitsModel(sae: LoadedSae, model: { readonly config: Gpt2Config; readonly name?: string }): string[] {
  const { hookName, dIn, modelName } = sae.config;
  const { nLayers, dModel } = model.config;
  let parsed;
  try {
    parsed = parseHookName(hookName, nLayers);
  } catch (e) {
    throw new SaeError('hook-missing', `the SAE reads hook '${hookName}', which this model does not have: ${errorMessage(e)}`);
  }
  if (parsed.kind !== 'block' || !(SAE_HOOK_SUFFIXES as readonly string[]).includes(parsed.suffix)) {
    const known = BLOCK_HOOK_SUFFIXES.includes(hookName.replace(/^blocks\.\d+\./, '') as never) || parsed.kind === 'global';
    throw new SaeError(
      'hook-missing',
      `the SAE reads hook '${hookName}'${known ? ', which the model has, but' : ''} SAEs are supported only on the [batch, pos, d_model] hooks blocks.{layer}.{${SAE_HOOK_SUFFIXES.join('|')}}`,
    );
  }
  if (dIn !== dModel) {
    throw new SaeError(
      'd-in-mismatch',
      `the SAE's d_in is ${dIn}, but hook '${hookName}' of this model has d_model ${dModel}: the SAE was trained on a different model`,
    );
  }
  const warnings: string[] = [];
  if (modelName && model.name && !sameModel(modelName, model.name)) {
    warnings.push(`this SAE was trained on '${modelName}', but the loaded model is '${model.name}': its features may mean nothing here`);
  }
  return warnings;
}

/** 'gpt2' and 'gpt2-small' are TL aliases of one model; names compare case-insensitively, ignoring an owner prefix ('openai-community/gpt2'). */
function sameModel(a: string, b: string): boolean {
  const norm = (s: string) => {
    const n = s.trim().toLowerCase().split('/').pop()!;
    return n === 'gpt2-small' ? 'gpt2' : n;
  };
  return norm(a) === norm(b);
}
