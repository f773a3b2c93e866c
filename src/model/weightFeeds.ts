/**
 * Turns loaded GPT-2 weights into the named weight inputs every graph variant is fed. Made once
 * per model, without copies: every input is a checkpoint array (or a view of one), shared by all
 * sessions (ORT reads inputs without copying). The unembedding stays [d_vocab, d_model] as stored
 * (wte itself when tied); the graphs multiply by its transpose with Gemm's transB.
 */
import type { Gpt2Config } from './gpt2Config';
import type { Gpt2Weights } from './gpt2Weights';
import type { FeedTensor } from './ort';
import { WEIGHT, blockWeightDims } from './graph/weightNames';

function f32(dims: readonly number[], data: Float32Array): FeedTensor {
  return { type: 'float32', dims, data };
}

/**
 * Bytes of memory behind `feeds`: views of one buffer (the per-head W_O, a tied unembedding that is
 * wte itself) count once. What the model holds, not the sum of what each input reads.
 */
export function distinctFeedBytes(feeds: Readonly<Record<string, FeedTensor>>): number {
  const spans = new Map<ArrayBufferLike, [number, number][]>();
  for (const { data } of Object.values(feeds)) {
    const list = spans.get(data.buffer) ?? [];
    list.push([data.byteOffset, data.byteOffset + data.byteLength]);
    spans.set(data.buffer, list);
  }
  let bytes = 0;
  for (const list of spans.values()) {
    list.sort((a, b) => a[0] - b[0]);
    let end = -1;
    for (const [s, e] of list) {
      if (e <= end) continue;
      bytes += e - Math.max(s, end);
      end = e;
    }
  }
  return bytes;
}

export function makeWeightFeeds(c: Gpt2Config, w: Gpt2Weights): Record<string, FeedTensor> {
  const d = c.dModel;
  const feeds: Record<string, FeedTensor> = {
    [WEIGHT.wte]: f32([c.dVocab, d], w.wte),
    [WEIGHT.wpe]: f32([c.nCtx, d], w.wpe),
    // W_Uᵀ [d_vocab, d_model] as the checkpoint stores it: lm_head, or wte's very array when tied (no copy)
    [WEIGHT.unembed]: f32([c.dVocab, d], w.lmHead ?? w.wte),
    [WEIGHT.lnFinalW]: f32([d], w.lnFinal.w),
    [WEIGHT.lnFinalB]: f32([d], w.lnFinal.b),
  };
  const dims = blockWeightDims(c);
  w.blocks.forEach((b, l) => {
    const N = WEIGHT.block(l);
    feeds[N.ln1W] = f32(dims.ln1W, b.ln1.w);
    feeds[N.ln1B] = f32(dims.ln1B, b.ln1.b);
    feeds[N.wQkv] = f32(dims.wQkv, b.attn.wQkv);
    feeds[N.bQkv] = f32(dims.bQkv, b.attn.bQkv);
    feeds[N.wO] = f32(dims.wO, b.attn.wO);
    // Same numbers as W_O, viewed per head: rows of W_O are the heads' z concatenated. A distinct
    // view object, so its ORT wrapper (cached per array) carries its own dims.
    feeds[N.wOByHead] = f32(dims.wOByHead, b.attn.wO.subarray(0));
    feeds[N.bO] = f32(dims.bO, b.attn.bO);
    feeds[N.ln2W] = f32(dims.ln2W, b.ln2.w);
    feeds[N.ln2B] = f32(dims.ln2B, b.ln2.b);
    feeds[N.wIn] = f32(dims.wIn, b.mlp.wIn);
    feeds[N.bIn] = f32(dims.bIn, b.mlp.bIn);
    feeds[N.wOut] = f32(dims.wOut, b.mlp.wOut);
    feeds[N.bOut] = f32(dims.bOut, b.mlp.bOut);
  });
  return feeds;
}
