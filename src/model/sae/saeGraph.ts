/**
 * An SAE as one ONNX graph: rows [rows, d_in] in the model's coordinates → feature activations
 * [rows, d_sae], the reconstruction [rows, d_in] in the model's coordinates, and ‖x − recon‖ per row.
 * The formulas are SAELens's (and the issue's):
 *   x̄ = x − mean(x) for the 'center' transform, else x
 *   x̂ = N(x̄): normalize_activations (none; constant_norm_rescale x̄·sqrt(d_in)/‖x̄‖; layer_norm
 *       (x̄ − μ)/(σ + 1e-5) with σ the unbiased std), and N⁻¹ on the way out
 *   x' = x̂ − b_dec if apply_b_dec_to_input
 *   standard  f = relu(x'W_enc + b_enc)
 *   jumprelu  f = relu(pre) · (pre > threshold), pre = x'W_enc + b_enc   (= pre · (pre > θ) for θ ≥ 0)
 *   topk      f = the k largest of pre, through relu, others 0 (ONNX TopK keeps exactly k, ties by index)
 *   gated     f = (x'W_enc + b_gate > 0) · relu(x'(W_enc ⊙ exp(r_mag)) + b_mag)
 *   recon = N⁻¹(f·W_dec + b_dec) (+ the removed mean for 'center')
 * Weights are initializers of the graph (embedded) or graph inputs fed on each run; `SAE_INPUT`
 * names them. The builder does no I/O.
 */
import { GraphBuilder } from '../graph/graphBuilder';
import { OnnxDataType, type OnnxGraph } from '../graph/onnxModel';
import type { SaeConfig, SaeWeights } from './saeTypes';

const F = OnnxDataType.Float;

export const SAE_INPUT = {
  rows: 'rows',
  W_enc: 'sae:W_enc',
  W_dec: 'sae:W_dec',
  b_enc: 'sae:b_enc',
  b_dec: 'sae:b_dec',
  threshold: 'sae:threshold',
  b_gate: 'sae:b_gate',
  b_mag: 'sae:b_mag',
  r_mag: 'sae:r_mag',
} as const;

export const SAE_OUTPUT = { acts: 'acts', recon: 'recon', errorNorm: 'error_norm' } as const;

type WeightName = Exclude<keyof typeof SAE_INPUT, 'rows'>;

/** The weights the graph of this architecture reads, with their dims. */
export function saeGraphWeights(c: SaeConfig): [WeightName, number[]][] {
  const w: [WeightName, number[]][] = [
    ['W_enc', [c.dIn, c.dSae]],
    ['W_dec', [c.dSae, c.dIn]],
    ['b_dec', [c.dIn]],
  ];
  if (c.architecture === 'gated') return [...w, ['b_gate', [c.dSae]], ['b_mag', [c.dSae]], ['r_mag', [c.dSae]]];
  if (c.architecture === 'jumprelu') return [...w, ['b_enc', [c.dSae]], ['threshold', [c.dSae]]];
  return [...w, ['b_enc', [c.dSae]]];
}

/**
 * The SAE graph. With `weights`, they are embedded as initializers (ORT can pre-pack the MatMul
 * operands); without, each is a graph input named `SAE_INPUT[name]`.
 */
export function buildSaeGraph(c: SaeConfig, weights?: SaeWeights): OnnxGraph {
  const g = new GraphBuilder(`sae_${c.architecture}`);
  const W: Record<string, string> = {};
  for (const [name, dims] of saeGraphWeights(c)) {
    const data = weights?.[name];
    W[name] = data
      ? g.initializer({ name: SAE_INPUT[name], elemType: F, dims, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) })
      : g.input(SAE_INPUT[name], F, dims);
  }
  const x = g.input(SAE_INPUT.rows, F, ['rows', c.dIn]); // [rows, d_in]
  const mean = c.inputTransform === 'center' ? g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 }) : undefined; // [rows, 1]
  const xc = mean ? g.op('Sub', [x, mean]) : x; // [rows, d_in]
  const norm = c.normalizeActivations ?? 'none';
  let xn = xc; // [rows, d_in]
  let denorm: (v: string) => string = (v) => v;
  if (norm === 'constant_norm_rescale') {
    const len = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [xc, xc]), g.int64s([1])], { keepdims: 1 })]); // [rows, 1]
    const coeff = g.op('Div', [g.float(Math.sqrt(c.dIn)), len]); // [rows, 1]
    xn = g.op('Mul', [xc, coeff]);
    denorm = (v) => g.op('Div', [v, coeff]);
  } else if (norm === 'layer_norm') {
    const mu = g.op('ReduceMean', [xc], { axes: [-1], keepdims: 1 }); // [rows, 1]
    const centred = g.op('Sub', [xc, mu]);
    const ss = g.op('ReduceSum', [g.op('Mul', [centred, centred]), g.int64s([1])], { keepdims: 1 }); // [rows, 1]
    const std = g.op('Sqrt', [g.op('Div', [ss, g.float(c.dIn - 1)])]); // unbiased, as torch.std
    xn = g.op('Div', [centred, g.op('Add', [std, g.float(1e-5)])]);
    denorm = (v) => g.op('Add', [g.op('Mul', [v, std]), mu]);
  }
  const xin = c.applyBDecToInput ? g.op('Sub', [xn, W.b_dec]) : xn; // [rows, d_in]
  const h = g.op('MatMul', [xin, W.W_enc]); // [rows, d_sae]
  let acts: string; // [rows, d_sae]
  switch (c.architecture) {
    case 'standard':
      acts = g.op('Relu', [g.op('Add', [h, W.b_enc])]);
      break;
    case 'jumprelu': {
      const pre = g.op('Add', [h, W.b_enc]);
      acts = g.op('Where', [g.op('Greater', [pre, W.threshold]), g.op('Relu', [pre]), g.float(0)]);
      break;
    }
    case 'topk': {
      const pre = g.op('Add', [h, W.b_enc]);
      const [values, indices] = g.opMulti('TopK', [pre, g.int64s([c.k!])], 2, { axis: -1, largest: 1, sorted: 1 }); // [rows, k]; ties keep the lower index
      const zeros = g.op('ConstantOfShape', [g.op('Shape', [pre])], { value: { name: '', elemType: F, dims: [1], raw: new Uint8Array(4) } }); // [rows, d_sae]
      acts = g.op('ScatterElements', [zeros, indices, g.op('Relu', [values])], { axis: 1 });
      break;
    }
    case 'gated': {
      const zero = g.float(0);
      const gate = g.op('Greater', [g.op('Add', [h, W.b_gate]), zero]);
      const mag = g.op('Relu', [g.op('Add', [g.op('Mul', [h, g.op('Exp', [W.r_mag])]), W.b_mag])]); // x'(W_enc ⊙ exp(r_mag)) = (x'W_enc) ⊙ exp(r_mag)
      acts = g.op('Where', [gate, mag, zero]);
      break;
    }
  }
  g.output(acts, SAE_OUTPUT.acts, F, ['rows', c.dSae]);
  const decoded = denorm(g.op('Add', [g.op('MatMul', [acts, W.W_dec]), W.b_dec])); // [rows, d_in]
  const recon = mean ? g.op('Add', [decoded, mean]) : decoded;
  g.output(recon, SAE_OUTPUT.recon, F, ['rows', c.dIn]);
  const diff = g.op('Sub', [x, recon]); // [rows, d_in]
  const errorNorm = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [diff, diff]), g.int64s([1])], { keepdims: 0 })]); // [rows]
  g.output(errorNorm, SAE_OUTPUT.errorNorm, F, ['rows']);
  return g.build();
}
