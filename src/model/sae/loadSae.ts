import type { LoadedSae } from './saeTypes';

/** Reads cfg.json, sae_weights.safetensors and the optional sparsity.safetensors of an SAELens folder. */
export async function loadSaeFolder(folder: string): Promise<LoadedSae> {
  throw new Error(`loadSaeFolder(${folder}): not yet`);
}
