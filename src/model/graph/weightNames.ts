/** Names of the weight inputs of every graph, and their shapes, from TL's axis vocabulary. */
import type { Gpt2Config } from '../gpt2Config';

export const WEIGHT = {
  wte: 'weight:wte', // [d_vocab, d_model]
  wpe: 'weight:wpe', // [n_ctx, d_model]
  unembed: 'weight:unembed', // [d_vocab, d_model]: W_Uᵀ, wte itself when tied (the logits are x · unembedᵀ, a Gemm with transB)
  lnFinalW: 'weight:ln_final.w', // [d_model]
  lnFinalB: 'weight:ln_final.b', // [d_model]
  block: (l: number) => ({
    ln1W: `weight:blocks.${l}.ln1.w`, // [d_model]
    ln1B: `weight:blocks.${l}.ln1.b`,
    wQkv: `weight:blocks.${l}.attn.w_qkv`, // [d_model, 3·d_model]
    bQkv: `weight:blocks.${l}.attn.b_qkv`, // [3·d_model]
    wO: `weight:blocks.${l}.attn.w_o`, // [d_model, d_model]
    wOByHead: `weight:blocks.${l}.attn.w_o_by_head`, // [head_index, d_head, d_model] (same data as w_o)
    bO: `weight:blocks.${l}.attn.b_o`, // [d_model]
    ln2W: `weight:blocks.${l}.ln2.w`,
    ln2B: `weight:blocks.${l}.ln2.b`,
    wIn: `weight:blocks.${l}.mlp.w_in`, // [d_model, d_mlp]
    bIn: `weight:blocks.${l}.mlp.b_in`, // [d_mlp]
    wOut: `weight:blocks.${l}.mlp.w_out`, // [d_mlp, d_model]
    bOut: `weight:blocks.${l}.mlp.b_out`, // [d_model]
  }),
} as const;

/**
 * Weight inputs fed as Wᵀ [N, K], the layout the checkpoint stores, and multiplied with Gemm's transB:
 * only the unembedding (its [d_vocab, d_model] is wte's own array when tied).
 */
export const isFedTransposed = (name: string): boolean => name === WEIGHT.unembed;

export type BlockWeightNames = ReturnType<typeof WEIGHT.block>;

export function blockWeightDims(c: Gpt2Config): Record<keyof BlockWeightNames, number[]> {
  const d = c.dModel;
  return {
    ln1W: [d],
    ln1B: [d],
    wQkv: [d, 3 * d],
    bQkv: [3 * d],
    wO: [d, d],
    wOByHead: [c.nHeads, c.dHead, d],
    bO: [d],
    ln2W: [d],
    ln2B: [d],
    wIn: [d, c.dMlp],
    bIn: [c.dMlp],
    wOut: [c.dMlp, d],
    bOut: [d],
  };
}
