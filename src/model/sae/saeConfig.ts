import type { SaeConfig } from './saeTypes';

export const SAE_CONFIG_FILE = 'cfg.json';
export const SAE_WEIGHTS_FILE = 'sae_weights.safetensors';
export const SAE_SPARSITY_FILE = 'sparsity.safetensors';

/** cfg.json (v6 or pre-6) → SaeConfig; throws SaeError naming the field. */
export function parseSaeConfig(json: unknown, where = SAE_CONFIG_FILE): SaeConfig {
  void json;
  throw new Error(`parseSaeConfig(${where}): not yet`);
}
