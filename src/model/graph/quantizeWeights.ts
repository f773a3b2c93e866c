/**
 * The int8 approximate mode: the weight matmuls of a GPT-2 graph run as onnxruntime's
 * `DynamicQuantizeMatMul` (com.microsoft), with int8 weights and one fp32 scale per output column.
 * The activations are quantized per run (uint8, one scale per tensor), so every value downstream,
 * hooks included, is approximate: it no longer matches Hugging Face or TransformerLens.
 *
 * The int8 weights are graph inputs like the fp32 ones (fed from one set of buffers, no copy per
 * session): measured on GPT-2 shapes at 64 tokens, an int8 input runs within ~10% of an embedded
 * (prepacked) int8 initializer, and 1.5–2.5× the fp32 matmul's GFLOP/s.
 */
import type { FeedTensor } from '../ort';
import { MS_DOMAIN, OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './onnxModel';
import { WEIGHT, isFedTransposed } from './weightNames';
import type { Gpt2Config } from '../gpt2Config';

export type { Precision } from '../../shared/precision';

/**
 * The largest |int8| a weight takes. 127 would use the whole range, but on x86 without VNNI
 * onnxruntime's u8·s8 kernel adds pairs of products in int16 (`vpmaddubsw`), which saturates once
 * 255·|w₁| + 255·|w₂| > 32767: 63 keeps every pair in range (onnxruntime's own `reduce_range`).
 */
export const INT8_WEIGHT_MAX = 63;

export const QUANTIZED = {
  values: (weight: string) => `${weight}:int8`, // int8 [K, N]: the matmul's B, also for a weight fed transposed
  scales: (weight: string) => `${weight}:scale`, // float [cols]: w ≈ values · scale
} as const;

export interface QuantizedColumns {
  /** Row-major [rows, cols], w[r, c] ≈ values[r, c] · scales[c]. */
  readonly values: Int8Array;
  readonly scales: Float32Array;
}

/** Symmetric per-column quantization of a row-major [rows, cols] matrix to ±`max`. */
export function quantizeColumns(w: Float32Array, rows: number, cols: number, max = INT8_WEIGHT_MAX): QuantizedColumns {
  if (w.length !== rows * cols) throw new Error(`quantizeColumns: ${w.length} values for [${rows}, ${cols}]`);
  return quantizeStrided(w, rows, cols, cols, 1, max);
}

/**
 * The same quantization for a matrix stored transposed: `wT` [cols, rows] row-major is W [rows, cols]
 * read column-major. The values come out as W's, [rows, cols] with one scale per column (per row of
 * wT): equal to `quantizeColumns` of the transposed matrix, without making that fp32 copy.
 */
export function quantizeColumnsOfTransposed(wT: Float32Array, rows: number, cols: number, max = INT8_WEIGHT_MAX): QuantizedColumns {
  if (wT.length !== rows * cols) throw new Error(`quantizeColumnsOfTransposed: ${wT.length} values for [${cols}, ${rows}]`);
  return quantizeStrided(wT, rows, cols, 1, rows, max);
}

/** W[r, c] = w[r · rowStride + c · colStride], quantized per column into row-major [rows, cols] values. */
function quantizeStrided(w: Float32Array, rows: number, cols: number, rowStride: number, colStride: number, max: number): QuantizedColumns {
  const absMax = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0, i = r * rowStride; c < cols; c++, i += colStride) {
      const a = Math.abs(w[i]);
      if (a > absMax[c]) absMax[c] = a;
    }
  }
  const scales = new Float32Array(cols);
  const inverse = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    scales[c] = absMax[c] > 0 ? absMax[c] / max : 1; // an all-zero column quantizes to zeros with any scale
    inverse[c] = 1 / scales[c];
  }
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0, i = r * rowStride; c < cols; c++, i += colStride) values[row + c] = Math.max(-max, Math.min(max, Math.round(w[i] * inverse[c])));
  }
  return { values, scales };
}

/** The weights whose matmuls the int8 mode quantizes: every block's QKV, W_O, MLP in and out (the unembedding when asked). */
export function int8WeightNames(c: Gpt2Config, unembed: boolean): string[] {
  const names: string[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const W = WEIGHT.block(l);
    names.push(W.wQkv, W.wO, W.wIn, W.wOut);
  }
  if (unembed) names.push(WEIGHT.unembed);
  return names;
}

/**
 * The int8 values and scales of the named fp32 weights, as feeds named by `QUANTIZED`. Made once per
 * model (~¼ of those weights' fp32 bytes); the fp32 weights stay, for the graphs' other uses. The
 * values are always the matmul's B [K, N] (what `DynamicQuantizeMatMul` reads), also for a weight
 * fed transposed (the unembedding, fed as W_Uᵀ [d_vocab, d_model]): its int8 values are W_U's.
 */
export function quantizeWeightFeeds(weights: Readonly<Record<string, FeedTensor>>, names: readonly string[]): Record<string, FeedTensor> {
  const out: Record<string, FeedTensor> = {};
  for (const name of names) {
    const w = weights[name];
    if (!w || w.type !== 'float32' || w.dims.length !== 2) throw new Error(`int8 mode: no 2-D float32 weights '${name}'`);
    const [rows, cols] = isFedTransposed(name) ? [w.dims[1], w.dims[0]] : w.dims;
    const q = isFedTransposed(name) ? quantizeColumnsOfTransposed(w.data, rows, cols) : quantizeColumns(w.data, rows, cols);
    out[QUANTIZED.values(name)] = { type: 'int8', dims: [rows, cols], data: q.values };
    out[QUANTIZED.scales(name)] = { type: 'float32', dims: [cols], data: q.scales };
  }
  return out;
}

/** Whether `n` is the forward product x · W of weight input `w` (B [K, N]): `MatMul(x, W)`, or `Gemm(x, Wᵀ, transB=1)` for a weight fed transposed. */
function multipliesByWeight(n: OnnxNode, w: string): boolean {
  if (!isFedTransposed(w)) return n.opType === 'MatMul';
  const a = n.attributes;
  const is = (k: string, v: number) => (a[k] === undefined ? v === 0 : a[k].kind === 'int' && a[k].value === v);
  return n.opType === 'Gemm' && n.inputs.length === 2 && is('transB', 1) && is('transA', 0) && a.alpha === undefined && a.beta === undefined;
}

/**
 * Replaces each forward product x · W whose W is a graph input named in `quantized` (`MatMul(x, W)`,
 * or `Gemm(x, Wᵀ, transB=1)` for the unembedding fed as W_Uᵀ) by
 * `DynamicQuantizeMatMul(x, W:int8, W:scale)`, declaring those two inputs (W [K, N] in int8). W stays
 * an input only if another node still reads it (the per-head W_O view, the backward pass): those stay fp32.
 */
export function quantizeMatMuls(graph: OnnxGraph, quantized: ReadonlySet<string>): OnnxGraph {
  const inputs = new Map(graph.inputs.map((i) => [i.name, i]));
  const added = new Map<string, OnnxValueInfo>();
  const nodes: OnnxNode[] = graph.nodes.map((n) => {
    const w = n.inputs[1];
    if (!quantized.has(w) || !multipliesByWeight(n, w)) return n;
    const info = inputs.get(w);
    if (!info || info.dims.length !== 2) throw new Error(`int8 mode: ${n.opType} '${n.name}' reads '${w}', which is not a 2-D graph input`);
    const [k, cols] = isFedTransposed(w) ? [info.dims[1], info.dims[0]] : info.dims; // B [K, N]
    const [values, scales] = [QUANTIZED.values(w), QUANTIZED.scales(w)];
    added.set(values, { name: values, elemType: OnnxDataType.Int8, dims: [k, cols] });
    added.set(scales, { name: scales, elemType: OnnxDataType.Float, dims: [cols] });
    return {
      opType: 'DynamicQuantizeMatMul',
      domain: MS_DOMAIN,
      inputs: [n.inputs[0], values, scales],
      outputs: n.outputs,
      name: `int8:${n.name}`,
      attributes: {},
    };
  });
  const stillRead = new Set(nodes.flatMap((n) => n.inputs));
  return {
    ...graph,
    nodes,
    inputs: [...graph.inputs.filter((i) => !quantized.has(i.name) || stillRead.has(i.name)), ...added.values()],
  };
}
