import type { Gpt2Config } from '../gpt2Config';
import type { LoadedSae } from './saeTypes';

/** Hooks whose last axis is d_model: the ones an SAE with d_in = d_model can read. */
export const SAE_HOOK_SUFFIXES = ['hook_resid_pre', 'hook_resid_mid', 'hook_resid_post', 'hook_attn_out', 'hook_mlp_out'] as const;

/** Throws SaeError 'hook-missing' / 'd-in-mismatch'; returns warnings (e.g. metadata.model_name differs from the model's name). */
export function checkSaeFitsModel(sae: LoadedSae, model: { readonly config: Gpt2Config; readonly name?: string }): string[] {
  void sae;
  void model;
  throw new Error('checkSaeFitsModel: not yet');
}
