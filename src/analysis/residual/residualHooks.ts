/** Which hooks and logits one residual-stream forward fetches. */
import { blockHook, type HookName } from '../../shared/hookNames';
import { boundaryHook } from '../../shared/residualStream';

/**
 * The hooks one forward must fetch: every boundary (resid_pre of each layer, the last resid_post),
 * attn_out and mlp_out (norms, DLA), hook_v and hook_pattern (per-head DLA and its per-source
 * decomposition), the embeddings and ln_final's scale (DLA, cached-scale lens).
 */
export function residualStreamHooks(nLayers: number): HookName[] {
  const hooks: HookName[] = ['hook_embed', 'hook_pos_embed', 'ln_final.hook_scale'];
  for (let b = 0; b <= nLayers; b++) hooks.push(boundaryHook(nLayers, b) as HookName);
  for (let l = 0; l < nLayers; l++) {
    hooks.push(blockHook(l, 'hook_attn_out'), blockHook(l, 'hook_mlp_out'), blockHook(l, 'attn.hook_v'), blockHook(l, 'attn.hook_pattern'));
  }
  return hooks;
}

/** The positions whose logits the forward must compute: the DLA position and the last (the default answer). */
export function residualStreamLogitPositions(nTokens: number, position: number): number[] {
  return position === nTokens - 1 ? [position] : [position, nTokens - 1];
}
