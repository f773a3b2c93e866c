/**
 * Writing hooks for Python: one standard safetensors file whose tensor names are TransformerLens
 * hook names with TL's shapes ([batch=1, …]), so `safetensors.torch.load_file` gives a dict that
 * lines up with `HookedTransformer.run_with_cache`. The metadata holds the model, the tokens (ids
 * and texts, JSON), prependBos, the LayerNorm mode and the naming convention. Shared by Inspect
 * Attention's `exportCache` and Inspect Residual Stream's `exportResidual`.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { ActivationCache } from '../model/activationCache';
import { writeSafetensorsFile, type TensorToWrite } from '../model/checkpoint/safetensorsWriter';
import type { HookName } from '../shared/hookNames';
import type { ModelSpec } from '../shared/modelSpec';
import type { TokenRef } from '../shared/tokens';
import { badRequest } from './protocol';

/** The `hook_names` metadata value: tensor names are TransformerLens hook names. */
export const EXPORT_HOOK_CONVENTION = 'transformer_lens';

/** What an export needs of the analysed prompt. */
export interface HookExportSource {
  readonly model: ModelSpec;
  readonly tokens: readonly TokenRef[];
}

/** A `bad-request` unless `path` is an absolute path ending in `.safetensors`. */
export function checkExportPath(path: unknown): void {
  if (typeof path !== 'string' || !isAbsolute(path) || !path.endsWith('.safetensors')) {
    throw badRequest(`the export path must be an absolute path ending in .safetensors (got ${JSON.stringify(path)})`);
  }
}

/**
 * The file's metadata. `modelId` (the hub id, or empty) names the model, falling back to its
 * display name; `contents`, when given, says which hooks the file holds.
 */
export function hookExportMetadata(
  src: HookExportSource,
  modelId: string,
  cfg: { nLayers: number; nHeads: number; dModel: number },
  contents?: string,
): Record<string, string> {
  return {
    format: 'pt',
    hook_names: EXPORT_HOOK_CONVENTION,
    ...(contents === undefined ? {} : { contents }),
    model: modelId || src.model.displayName,
    model_name: src.model.displayName,
    tokens: JSON.stringify(src.tokens.map((t) => t.id)),
    token_texts: JSON.stringify(src.tokens.map((t) => t.text)),
    prepend_bos: String(src.model.prependBos),
    layer_norm: src.model.layerNorm,
    precision: src.model.precision ?? 'exact', // "int8": approximate activations, not Hugging Face's
    n_layers: String(cfg.nLayers),
    n_heads: String(cfg.nHeads),
    d_model: String(cfg.dModel),
    created_by: 'circuit-inspector',
  };
}

/**
 * Writes `hooks` from `cache` as F32 tensors, in that order, and returns the file's size in bytes.
 * The file is written beside the target and renamed: a failed export never leaves half a file
 * under its name.
 */
export async function writeHookExport(
  path: string,
  cache: ActivationCache,
  hooks: readonly HookName[],
  metadata: Readonly<Record<string, string>>,
): Promise<number> {
  const tensors = new Map<string, TensorToWrite>(
    hooks.map((h) => {
      const t = cache.get(h);
      return [h, { dtype: 'F32', shape: t.dims, data: t.data }];
    }),
  );
  const partial = `${path}.partial`;
  try {
    await writeSafetensorsFile(partial, tensors, metadata);
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true });
    throw new Error(`writing ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return (await stat(path)).size;
}
