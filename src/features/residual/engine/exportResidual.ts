/**
 * Export an analysed prompt's residual stream for Python: every residual hook under its
 * TransformerLens name and shape ([batch=1, pos, d_model]), written by the engine as one standard
 * safetensors file: `hook_embed`, `hook_pos_embed`, then per layer `hook_resid_pre`,
 * `hook_attn_out`, `hook_resid_mid`, `hook_mlp_out`, `hook_resid_post`, then
 * `ln_final.hook_scale`. It reads the engine's cached forward of the prompt (the analysis fetched
 * these hooks), running the model only when that forward is gone.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { badRequest, cancelled } from '../../../engine/protocol';
import type { RequestContext } from '../../../engine/registry';
import { writeSafetensorsFile, type TensorToWrite } from '../../../model/checkpoint/safetensorsWriter';
import { blockHook, type HookName } from '../../../shared/hookNames';
import type { ModelSpec } from '../../../shared/modelSpec';
import type { TokenRef } from '../../../shared/tokens';
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

export interface ResidualExportSource {
  readonly model: ModelSpec;
  readonly tokens: readonly TokenRef[];
}

export function residualExportMetadata(src: ResidualExportSource, p: ExportResidualParams, cfg: { nLayers: number; nHeads: number; dModel: number }) {
  return {
    format: 'pt',
    hook_names: 'transformer_lens',
    contents: 'residual_stream',
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

export async function exportResidualStream(src: ResidualExportSource, p: ExportResidualParams, ctx: RequestContext): Promise<ExportResidualResult> {
  if (typeof p.path !== 'string' || !isAbsolute(p.path) || !p.path.endsWith('.safetensors')) {
    throw badRequest(`the export path must be an absolute path ending in .safetensors (got ${JSON.stringify(p.path)})`);
  }
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
  const tensors = new Map<string, TensorToWrite>(
    hooks.map((h) => {
      const t = run.cache.get(h);
      return [h, { dtype: 'F32', shape: t.dims, data: t.data }];
    }),
  );
  const partial = `${p.path}.partial`;
  try {
    await writeSafetensorsFile(partial, tensors, residualExportMetadata(src, p, cfg));
    await rename(partial, p.path);
  } catch (e) {
    await rm(partial, { force: true });
    throw new Error(`writing ${p.path} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { path: p.path, bytes: (await stat(p.path)).size, tensors: hooks.length, n_tokens: ids.length };
}
