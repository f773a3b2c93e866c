/**
 * Export an analysed prompt's residual stream for Python: every residual hook under its
 * TransformerLens name and shape ([batch=1, pos, d_model]), written by the engine as one standard
 * safetensors file: `hook_embed`, `hook_pos_embed`, then per layer `hook_resid_pre`,
 * `hook_attn_out`, `hook_resid_mid`, `hook_mlp_out`, `hook_resid_post`, then
 * `ln_final.hook_scale`. It reads the engine's cached forward of the prompt (the analysis fetched
 * these hooks), running the model only when that forward is gone.
 */
import { checkExportPath, hookExportMetadata, writeHookExport, type HookExportSource } from '../../../engine/hookExport';
import { cancelled } from '../../../engine/protocol';
import type { RequestContext } from '../../../engine/registry';
import { blockHook, type HookName } from '../../../shared/hookNames';
import type { ExportResidualParams, ExportResidualResult } from '../shared/engineMethods';

/** The residual stream's hooks, in TransformerLens's cache order. */
export function residualExportHooks(nLayers: number): HookName[] {
  const hooks: HookName[] = ['hook_embed', 'hook_pos_embed'];
  for (let l = 0; l < nLayers; l++) {
    hooks.push(
      blockHook(l, 'hook_resid_pre'),
      blockHook(l, 'hook_attn_out'),
      blockHook(l, 'hook_resid_mid'),
      blockHook(l, 'hook_mlp_out'),
      blockHook(l, 'hook_resid_post'),
    );
  }
  hooks.push('ln_final.hook_scale');
  return hooks;
}

export async function exportResidualStream(src: HookExportSource, p: ExportResidualParams, ctx: RequestContext): Promise<ExportResidualResult> {
  checkExportPath(p.path);
  const { model: loaded } = await ctx.model(src.model);
  const cfg = loaded.model.config;
  const hooks = residualExportHooks(cfg.nLayers);
  const ids = src.tokens.map((t) => t.id);
  const { run } = await ctx.forwards.getOrRun(src.model, ids, { hooks }, () => {
    ctx.progress(`Running ${ids.length} tokens…`);
    return loaded.model.runWithCache(ids, hooks, { logits: 'none', signal: ctx.signal });
  });
  if (ctx.signal.aborted) throw cancelled();
  ctx.progress(`Writing ${p.path}…`);
  const bytes = await writeHookExport(p.path, run.cache, hooks, hookExportMetadata(src, p.modelId, cfg, 'residual_stream'));
  return { path: p.path, bytes, tensors: hooks.length, n_tokens: ids.length };
}
