import type { Gpt2Config } from '../gpt2Config';

/**
 * The names GPT-2 checkpoints store weights under, in HF's GPT2LMHeadModel vocabulary, and the shape
 * each must have. Conv1D weights are [in, out]. Names are given without the optional `transformer.`
 * prefix that checkpoints saved by recent `transformers` versions carry.
 */

export const TRANSFORMER_PREFIX = 'transformer.';
export const LM_HEAD = 'lm_head.weight';

/** `transformer.h.0.ln_1.weight` → `h.0.ln_1.weight`; other names unchanged. */
export function canonicalTensorName(stored: string): string {
  return stored.startsWith(TRANSFORMER_PREFIX) ? stored.slice(TRANSFORMER_PREFIX.length) : stored;
}

/** Causal-mask buffers (`h.{i}.attn.bias`, `h.{i}.attn.masked_bias`): not weights, skipped whatever their dtype. */
export function isAttentionMaskBuffer(canonical: string): boolean {
  return /^h\.\d+\.attn\.(bias|masked_bias)$/.test(canonical);
}

export const blockTensorName = {
  ln1W: (l: number) => `h.${l}.ln_1.weight`,
  ln1B: (l: number) => `h.${l}.ln_1.bias`,
  qkvW: (l: number) => `h.${l}.attn.c_attn.weight`,
  qkvB: (l: number) => `h.${l}.attn.c_attn.bias`,
  outW: (l: number) => `h.${l}.attn.c_proj.weight`,
  outB: (l: number) => `h.${l}.attn.c_proj.bias`,
  ln2W: (l: number) => `h.${l}.ln_2.weight`,
  ln2B: (l: number) => `h.${l}.ln_2.bias`,
  mlpInW: (l: number) => `h.${l}.mlp.c_fc.weight`,
  mlpInB: (l: number) => `h.${l}.mlp.c_fc.bias`,
  mlpOutW: (l: number) => `h.${l}.mlp.c_proj.weight`,
  mlpOutB: (l: number) => `h.${l}.mlp.c_proj.bias`,
} as const;

/** Every weight the config calls for, canonical name → shape, in checkpoint order. */
export function expectedGpt2Tensors(config: Gpt2Config): Map<string, readonly number[]> {
  const { dModel: d, dMlp, dVocab, nCtx } = config;
  const n = blockTensorName;
  const expected = new Map<string, readonly number[]>([
    ['wte.weight', [dVocab, d]],
    ['wpe.weight', [nCtx, d]],
  ]);
  for (let l = 0; l < config.nLayers; l++) {
    expected.set(n.ln1W(l), [d]).set(n.ln1B(l), [d]);
    expected.set(n.qkvW(l), [d, 3 * d]).set(n.qkvB(l), [3 * d]);
    expected.set(n.outW(l), [d, d]).set(n.outB(l), [d]);
    expected.set(n.ln2W(l), [d]).set(n.ln2B(l), [d]);
    expected.set(n.mlpInW(l), [d, dMlp]).set(n.mlpInB(l), [dMlp]);
    expected.set(n.mlpOutW(l), [dMlp, d]).set(n.mlpOutB(l), [d]);
  }
  expected.set('ln_f.weight', [d]).set('ln_f.bias', [d]);
  if (!config.tieWordEmbeddings) expected.set(LM_HEAD, [dVocab, d]);
  return expected;
}
