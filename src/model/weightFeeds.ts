/**
 * Turns loaded GPT-2 weights into the named weight inputs every graph variant is fed. Made once
 * per model: the unembedding is transposed once, and the typed arrays are shared by all sessions
 * (ORT reads inputs without copying).
 */
import type { Gpt2Config } from './gpt2Config';
import type { Gpt2Weights } from './gpt2Weights';
import type { FeedTensor } from './ort';
import { WEIGHT, blockWeightDims } from './graph/weightNames';

function f32(dims: readonly number[], data: Float32Array): FeedTensor {
  return { type: 'float32', dims, data };
}

/** [rows, cols] → [cols, rows] */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const tile = 64;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const rEnd = Math.min(r0 + tile, rows);
      const cEnd = Math.min(c0 + tile, cols);
      for (let r = r0; r < rEnd; r++) {
        for (let c = c0; c < cEnd; c++) out[c * rows + r] = data[r * cols + c];
      }
    }
  }
  return out;
}

export function makeWeightFeeds(c: Gpt2Config, w: Gpt2Weights): Record<string, FeedTensor> {
  const d = c.dModel;
  const feeds: Record<string, FeedTensor> = {
    [WEIGHT.wte]: f32([c.dVocab, d], w.wte),
    [WEIGHT.wpe]: f32([c.nCtx, d], w.wpe),
    [WEIGHT.unembed]: f32([d, c.dVocab], transpose2d(w.lmHead ?? w.wte, c.dVocab, d)), // W_U [d_model, d_vocab]
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
