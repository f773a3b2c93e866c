/**
 * Export a run for Python: the kept inspection's tokens run again with every TransformerLens hook,
 * written by the engine (no hundreds of MB over IPC) as one standard safetensors file. Tensor names
 * are TL's hook names with TL's shapes ([batch=1, …]), so `safetensors.torch.load_file` gives a
 * dict that lines up with `HookedTransformer.run_with_cache`. The metadata holds the model, the
 * tokens (ids and texts, JSON), prependBos, the LayerNorm mode and the naming convention.
 */
import { hookExportMetadata, writeHookExport, type HookExportSource } from '../../../engine/hookExport';
import { cancelled } from '../../../engine/protocol';
import type { RequestContext } from '../../../engine/registry';
import { BLOCK_HOOK_SUFFIXES, blockHook, GLOBAL_HOOK_NAMES, type HookName } from '../../../shared/hookNames';
import type { ExportCacheParams, ExportCacheResult } from '../shared/engineMethods';

/** Every hook in TransformerLens's cache order: embeddings, each block's hooks, the final LayerNorm. */
export function allHookNames(nLayers: number): HookName[] {
  const globals = GLOBAL_HOOK_NAMES.filter((h) => !h.startsWith('ln_final.'));
  const final = GLOBAL_HOOK_NAMES.filter((h) => h.startsWith('ln_final.'));
  const blocks = Array.from({ length: nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.map((s) => blockHook(l, s))).flat();
  return [...globals, ...blocks, ...final];
}

export async function exportCache(src: HookExportSource, p: ExportCacheParams, ctx: RequestContext): Promise<ExportCacheResult> {
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
  const bytes = await writeHookExport(p.path, run.cache, hooks, hookExportMetadata(src, p.modelId, cfg));
  return { path: p.path, bytes, tensors: hooks.length, n_tokens: src.tokens.length };
}
