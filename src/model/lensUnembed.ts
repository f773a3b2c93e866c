/**
 * The logit lens's unembedding as one ONNX graph: rows of residual stream [rows, d_model] → ln_final
 * (recomputed per row, or with a given per-row scale, or the identity) → logits [rows, d_vocab] →
 * per row the top-k, the entropy, and the answer's log-probability and rank. Only these small
 * results leave the graph; the logits never reach JS. W_U and ln_f are fed from the model's own
 * weight buffers (`HookedGpt2.weightInputs`), so no second copy of the unembedding exists.
 *
 * Rows run in chunks so that one chunk's logits stay under `maxChunkBytes` (the graph holds a few
 * [rows, d_vocab] temporaries: logits, softmax, their product, the rank comparison).
 */
import type { LensVariant } from '../shared/residualStream';
import type { LayerNormMode } from './graph/gpt2GraphSpec';
import type { Gpt2Config } from './gpt2Config';
import type { HookedGpt2 } from './hookedGpt2';
import { GraphBuilder } from './graph/graphBuilder';
import { OnnxDataType, encodeOnnxModel, type OnnxGraph } from './graph/onnxModel';
import { WEIGHT } from './graph/weightNames';
import { OrtSession, type FeedTensor } from './ort';

const F = OnnxDataType.Float;

/** Which ln_final the graph applies: its own statistics, a fed scale per row, or none. */
export type LensNorm = 'recompute' | 'fed-scale' | 'identity';

export const LENS_INPUT = { rows: 'rows', rowScale: 'row_scale', answer: 'answer', k: 'k' } as const;
export const LENS_OUTPUT = {
  topIds: 'top_ids', // [rows, k] (float: ids < 2^24 are exact)
  topProbs: 'top_probs', // [rows, k]
  entropy: 'entropy', // [rows, 1] nats
  answerLogprob: 'answer_logprob', // [rows, 1]
  answerRank: 'answer_rank', // [rows, 1] count of logits above the answer's (float, exact below 2^24)
} as const;

export function lensNorm(layerNorm: LayerNormMode, variant: LensVariant): LensNorm {
  if (layerNorm === 'identity') return 'identity';
  return variant === 'recompute' ? 'recompute' : 'fed-scale';
}

/** rows [rows, d_model] → the lens outputs above. */
export function buildLensGraph(c: Gpt2Config, norm: LensNorm): OnnxGraph {
  const g = new GraphBuilder(`logit_lens_${norm}`);
  const d = c.dModel;
  const rows = g.input(LENS_INPUT.rows, F, ['rows', d]); // [rows, d_model]
  let x = rows;
  if (norm !== 'identity') {
    const mean = g.op('ReduceMean', [rows], { axes: [-1], keepdims: 1 }); // [rows, 1]
    const centred = g.op('Sub', [rows, mean]); // [rows, d_model]
    const scale =
      norm === 'recompute'
        ? g.op('Sqrt', [g.op('Add', [g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: [-1], keepdims: 1 }), g.float(c.layerNormEps)])]) // [rows, 1]
        : g.input(LENS_INPUT.rowScale, F, ['rows', 1]);
    const w = g.input(WEIGHT.lnFinalW, F, [d]);
    const b = g.input(WEIGHT.lnFinalB, F, [d]);
    x = g.op('Add', [g.op('Mul', [g.op('Div', [centred, scale]), w]), b]); // [rows, d_model]
  }
  const logits = g.matmulTransposed(x, g.input(WEIGHT.unembed, F, [c.dVocab, d]), d, c.dVocab, 2); // [rows, d_vocab]: x · W_U, W_U fed as W_Uᵀ
  // Few passes over [rows, d_vocab]: one softmax; its top-k gives the probabilities and ids, and
  // lse = top logit − ln(top probability), so no second exponential pass (ReduceLogSumExp).
  const probs = g.op('Softmax', [logits], { axis: -1 }); // [rows, d_vocab]
  const [topProbs, topIds] = g.opMulti('TopK', [probs, g.input(LENS_INPUT.k, OnnxDataType.Int64, [1])], 2, { axis: -1, largest: 1, sorted: 1 }); // [rows, k]
  g.output(topProbs, LENS_OUTPUT.topProbs, F, ['rows', 'k']);
  g.output(g.op('Cast', [topIds], { to: F }), LENS_OUTPUT.topIds, F, ['rows', 'k']);
  const first = g.op('Slice', [topIds, g.int64s([0]), g.int64s([1]), g.int64s([1])]); // [rows, 1]
  const lse = g.op('Sub', [
    g.op('GatherElements', [logits, first], { axis: 1 }),
    g.op('Log', [g.op('Slice', [topProbs, g.int64s([0]), g.int64s([1]), g.int64s([1])])]),
  ]); // [rows, 1]
  // E_p[logit] per row as a batched dot product [rows, 1, d_vocab] · [rows, d_vocab, 1]: no [rows, d_vocab] temporary
  const expected = g.op('MatMul', [g.op('Unsqueeze', [probs, g.int64s([1])]), g.op('Unsqueeze', [logits, g.int64s([2])])]); // [rows, 1, 1]
  g.output(g.op('Sub', [lse, g.op('Reshape', [expected, g.int64s([-1, 1])])]), LENS_OUTPUT.entropy, F, ['rows', 1]); // H = lse − E_p[logit]
  const answerLogit = g.op('Gather', [logits, g.input(LENS_INPUT.answer, OnnxDataType.Int64, [1])], { axis: 1 }); // [rows, 1]
  g.output(g.op('Sub', [answerLogit, lse]), LENS_OUTPUT.answerLogprob, F, ['rows', 1]);
  const above = g.op('Cast', [g.op('Greater', [logits, answerLogit])], { to: F }); // [rows, d_vocab]
  g.output(g.op('ReduceSum', [above, g.int64s([1])], { keepdims: 1 }), LENS_OUTPUT.answerRank, F, ['rows', 1]);
  return g.build();
}

export interface LensUnembedRequest {
  /** [nRows, d_model] residual rows. */
  readonly rows: Float32Array;
  /** [nRows] ln_final scale per row, for `fed-scale`. */
  readonly rowScale?: Float32Array;
  readonly norm: LensNorm;
  readonly k: number;
  readonly answerId: number;
  /** Largest [chunk rows, d_vocab] float32 logits per run (default 64 MiB). */
  readonly maxChunkBytes?: number;
  readonly signal?: AbortSignal;
  /** Rows unembedded so far of all rows, after each chunk. */
  readonly onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface LensUnembedResult {
  /** [nRows, k] */ readonly topIds: Int32Array;
  /** [nRows, k] */ readonly topProbs: Float32Array;
  /** [nRows] */ readonly entropy: Float32Array;
  /** [nRows] */ readonly answerLogprob: Float32Array;
  /** [nRows] */ readonly answerRank: Int32Array;
}

/** Rows per lens run: as many as keep one chunk's [rows, d_vocab] float32 logits under `maxChunkBytes` (at least one). */
export function lensChunkRows(dVocab: number, maxChunkBytes = 64 * 2 ** 20): number {
  return Math.max(1, Math.floor(maxChunkBytes / (dVocab * 4)));
}

const sessionsByModel = new WeakMap<HookedGpt2, Map<LensNorm, Promise<OrtSession>>>();

function lensSession(model: HookedGpt2, norm: LensNorm): Promise<OrtSession> {
  let byNorm = sessionsByModel.get(model);
  if (!byNorm) sessionsByModel.set(model, (byNorm = new Map()));
  let s = byNorm.get(norm);
  if (!s) {
    s = OrtSession.create(encodeOnnxModel(buildLensGraph(model.config, norm)), `logit lens (${norm})`, { spinning: false });
    byNorm.set(norm, s);
    s.catch(() => byNorm.delete(norm));
  }
  return s;
}

/** Releases the lens sessions built for `model` (call before or after disposing it). */
export async function releaseLensSessions(model: HookedGpt2): Promise<void> {
  const byNorm = sessionsByModel.get(model);
  sessionsByModel.delete(model);
  if (byNorm) await Promise.all([...byNorm.values()].map((s) => s.then((o) => o.release()).catch(() => undefined)));
}

/** Unembeds every row through ln_final and W_U; returns the per-row lens summaries. */
export async function lensUnembed(model: HookedGpt2, req: LensUnembedRequest): Promise<LensUnembedResult> {
  const { dModel: d, dVocab: V } = model.config;
  const nRows = req.rows.length / d;
  if (!Number.isInteger(nRows)) throw new Error(`lens rows hold ${req.rows.length} values, not a multiple of d_model ${d}`);
  if (req.norm === 'fed-scale' && req.rowScale?.length !== nRows)
    throw new Error(`the cached-scale lens needs one scale per row (${nRows}), got ${req.rowScale?.length ?? 0}`);
  const k = Math.min(req.k, V);
  const out: LensUnembedResult = {
    topIds: new Int32Array(nRows * k),
    topProbs: new Float32Array(nRows * k),
    entropy: new Float32Array(nRows),
    answerLogprob: new Float32Array(nRows),
    answerRank: new Int32Array(nRows),
  };
  const session = await lensSession(model, req.norm);
  const weights = model.weightInputs;
  const chunk = lensChunkRows(V, req.maxChunkBytes);
  const fixed: Record<string, FeedTensor> = {
    [LENS_INPUT.answer]: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(req.answerId)) },
    [LENS_INPUT.k]: { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(k)) },
  };
  for (let r0 = 0; r0 < nRows; r0 += chunk) {
    req.signal?.throwIfAborted();
    const n = Math.min(chunk, nRows - r0);
    const feeds: Record<string, FeedTensor> = { ...fixed, [LENS_INPUT.rows]: { type: 'float32', dims: [n, d], data: req.rows.subarray(r0 * d, (r0 + n) * d) } };
    if (req.norm === 'fed-scale') feeds[LENS_INPUT.rowScale] = { type: 'float32', dims: [n, 1], data: req.rowScale!.subarray(r0, r0 + n) };
    const o = await session.run(feeds, Object.values(LENS_OUTPUT), weights);
    const ids = o[LENS_OUTPUT.topIds].data;
    for (let i = 0; i < ids.length; i++) out.topIds[r0 * k + i] = ids[i];
    out.topProbs.set(o[LENS_OUTPUT.topProbs].data, r0 * k);
    out.entropy.set(o[LENS_OUTPUT.entropy].data, r0);
    out.answerLogprob.set(o[LENS_OUTPUT.answerLogprob].data, r0);
    const rank = o[LENS_OUTPUT.answerRank].data;
    for (let i = 0; i < n; i++) out.answerRank[r0 + i] = rank[i];
    req.onProgress?.(r0 + n, nRows);
  }
  return out;
}
