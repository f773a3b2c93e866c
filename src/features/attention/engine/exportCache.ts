/**
 * Export a run for Python: the kept inspection's tokens run again with every TransformerLens hook,
 * written by the engine (no hundreds of MB over IPC) as one standard safetensors file. Tensor names
 * are TL's hook names with TL's shapes ([batch=1, …]), so `safetensors.torch.load_file` gives a
 * dict that lines up with `HookedTransformer.run_with_cache`. The metadata holds the model, the
 * tokens (ids and texts, JSON), prependBos, the LayerNorm mode and the naming convention.
 */
import { rename, rm, stat } from 'node:fs/promises';
import type { RequestContext } from '../../../engine/registry';
import { writeSafetensorsFile, type TensorToWrite } from '../../../model/checkpoint/safetensorsWriter';
import { cancelled } from '../../../engine/protocol';
import { BLOCK_HOOK_SUFFIXES, blockHook, GLOBAL_HOOK_NAMES, type HookName } from '../../../shared/hookNames';
import type { ModelSpec } from '../../../shared/modelSpec';
import type { TokenRef } from '../../../shared/tokens';
import type { ExportCacheParams, ExportCacheResult } from '../shared/engineMethods';

/** The `hook_names` metadata value: tensor names are TransformerLens hook names. */
export const EXPORT_HOOK_CONVENTION = 'transformer_lens';

/** Every hook in TransformerLens's cache order: embeddings, each block's hooks, the final LayerNorm. */
export function allHookNames(nLayers: number): HookName[] {
  const globals = GLOBAL_HOOK_NAMES.filter((h) => !h.startsWith('ln_final.'));
  const final = GLOBAL_HOOK_NAMES.filter((h) => h.startsWith('ln_final.'));
  const blocks = Array.from({ length: nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.map((s) => blockHook(l, s))).flat();
  return [...globals, ...blocks, ...final];
}

/** What an export needs of the kept inspection. */
export interface ExportSource {
  readonly model: ModelSpec;
  readonly tokens: readonly TokenRef[];
}

export function exportMetadata(src: ExportSource, p: ExportCacheParams, cfg: { nLayers: number; nHeads: number; dModel: number }): Record<string, string> {
  return {
    format: 'pt',
    hook_names: EXPORT_HOOK_CONVENTION,
    model: p.modelId || src.model.displayName,
    model_name: src.model.displayName,
    tokens: JSON.stringify(src.tokens.map((t) => t.id)),
    token_texts: JSON.stringify(src.tokens.map((t) => t.text)),
    prepend_bos: String(src.model.prependBos),
    layer_norm: src.model.layerNorm,
    n_layers: String(cfg.nLayers),
    n_heads: String(cfg.nHeads),
    d_model: String(cfg.dModel),
    created_by: 'circuit-inspector',
  };
}

export async function exportCache(src: ExportSource, p: ExportCacheParams, ctx: RequestContext): Promise<ExportCacheResult> {
  const { model: loaded } = await ctx.model(src.model);
  const cfg = loaded.model.config;
  if (ctx.signal.aborted) throw cancelled();
  ctx.progress(`Running ${src.tokens.length} tokens with every hook…`);
  const hooks = allHookNames(cfg.nLayers);
  const run = await loaded.model.runWithCache(
    src.tokens.map((t) => t.id),
    hooks,
    { logits: 'none', signal: ctx.signal },
  );
  if (ctx.signal.aborted) throw cancelled();
  ctx.progress(`Writing ${p.path}…`);
  const tensors = new Map<string, TensorToWrite>(
    hooks.map((h) => {
      const t = run.cache.get(h);
      return [h, { dtype: 'F32', shape: t.dims, data: t.data }];
    }),
  );
  // Written beside the target and renamed: a failed export never leaves half a file under its name.
  const partial = `${p.path}.partial`;
  try {
    await writeSafetensorsFile(partial, tensors, exportMetadata(src, p, cfg));
    await rename(partial, p.path);
  } catch (e) {
    await rm(partial, { force: true });
    throw new Error(`writing ${p.path} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bytes = (await stat(p.path)).size;
  return { path: p.path, bytes, tensors: hooks.length, n_tokens: src.tokens.length };
}
