/**
 * The backward pass of a GPT-2 graph, built next to the forward one: gradients of a metric of the
 * logits with respect to the activations at hook points (not the weights). It reads the forward's
 * hook outputs by name and appends, per block from the last to the first, the vector-Jacobian
 * products of unembedding, layer norm, MLP and attention. Used for attribution patching:
 * (source − target) · ∂metric/∂activation, for every layer, head and position in one run.
 * Shapes use TL axis names; batch is the leading axis throughout.
 */
import type { Gpt2Config } from '../gpt2Config';
import { blockHook, type BlockHookSuffix, type HookName } from '../../shared/hookNames';
import type { GraphBuilder } from './graphBuilder';
import { OnnxDataType, type OnnxDim } from './onnxModel';
import { INPUT, type LayerNormMode } from './gpt2GraphSpec';
import { WEIGHT } from './weightNames';

const F = OnnxDataType.Float;

/** Hooks whose gradient the backward graph outputs, as `grad:<hook>`. */
export const GRADIENT_HOOKS: readonly BlockHookSuffix[] = [
  'hook_resid_pre',
  'attn.hook_q',
  'attn.hook_k',
  'attn.hook_v',
  'attn.hook_pattern',
  'attn.hook_z',
  'hook_attn_out',
  'hook_resid_mid',
  'hook_mlp_out',
  'hook_resid_post',
];

export const gradName = (hook: HookName) => `grad:${hook}`;

export class Gpt2BackwardWriter {
  constructor(
    private readonly g: GraphBuilder,
    private readonly c: Gpt2Config,
    private readonly layerNormMode: LayerNormMode,
  ) {}

  /** x [batch, pos, K] · Wᵀ with W [N, K] → [batch, pos, N] (Gemm with transB: no transposed copy of W). */
  private matmulTransposed(x: string, w: string, k: number, n: number): string {
    return this.g.matmulTransposed(x, w, k, n, 3);
  }

  private output(value: string, hook: HookName, dims: readonly OnnxDim[]): void {
    this.g.output(value, gradName(hook), F, dims);
  }

  /** ∂/∂x of LN(x) = (x − μ)/σ · w + b, given ∂/∂LN(x). `scale` is the forward's hook_scale (σ). */
  private layerNormBackward(x: string, scale: string, w: string, gradOut: string): string {
    if (this.layerNormMode === 'identity') return gradOut;
    const g = this.g;
    const mean = (v: string) => g.op('ReduceMean', [v], { axes: [-1], keepdims: 1 });
    const xHat = g.op('Div', [g.op('Sub', [x, mean(x)]), scale]); // [batch, pos, d_model]
    const gw = g.op('Mul', [gradOut, w]);
    // (1/σ)·(gw − mean(gw) − x̂·mean(gw·x̂))
    const inner = g.op('Sub', [g.op('Sub', [gw, mean(gw)]), g.op('Mul', [xHat, mean(g.op('Mul', [gw, xHat]))])]);
    return g.op('Div', [inner, scale]);
  }

  private activationDerivative(pre: string): string {
    const g = this.g;
    switch (this.c.activation) {
      case 'gelu_new': {
        // d/dx 0.5x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³): 0.5(1 + t) + 0.5x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
        const k = Math.sqrt(2 / Math.PI);
        const x2 = g.op('Mul', [pre, pre]);
        const u = g.op('Mul', [g.op('Add', [pre, g.op('Mul', [g.op('Mul', [x2, pre]), g.float(0.044715)])]), g.float(k)]);
        const t = g.op('Tanh', [u]);
        const du = g.op('Mul', [g.op('Add', [g.op('Mul', [x2, g.float(3 * 0.044715)]), g.float(1)]), g.float(k)]);
        const left = g.op('Mul', [g.op('Add', [t, g.float(1)]), g.float(0.5)]);
        const right = g.op('Mul', [g.op('Mul', [g.op('Mul', [pre, g.float(0.5)]), g.op('Sub', [g.float(1), g.op('Mul', [t, t])])]), du]);
        return g.op('Add', [left, right]);
      }
      case 'gelu': {
        // Φ(x) + x·φ(x)
        const cdf = g.op('Mul', [g.op('Add', [g.op('Erf', [g.op('Div', [pre, g.float(Math.SQRT2)])]), g.float(1)]), g.float(0.5)]);
        const pdf = g.op('Mul', [g.op('Exp', [g.op('Mul', [g.op('Mul', [pre, pre]), g.float(-0.5)])]), g.float(1 / Math.sqrt(2 * Math.PI))]);
        return g.op('Add', [cdf, g.op('Mul', [pre, pdf])]);
      }
      case 'relu':
        return g.op('Cast', [g.op('Greater', [pre, g.float(0)])], { to: OnnxDataType.Float });
    }
  }

  /** Appends the backward pass; `metric_grad` [batch, d_vocab] is ∂metric/∂logits at position `metric_position` (one-hot [pos, 1]). */
  build(): void {
    const g = this.g;
    const { nLayers, dModel: d, nHeads: h, dHead: e, dMlp, dVocab } = this.c;
    const metricGrad = g.input(INPUT.metricGrad, F, ['batch', dVocab]);
    const atPosition = g.input(INPUT.metricPosition, F, ['pos', 1]);
    // ∂m/∂ln_final.hook_normalized = onehot(pos) ⊗ (metric_grad · W_Uᵀ); the unembedding input is W_Uᵀ [d_vocab, d_model]
    const lastResid = blockHook(nLayers - 1, 'hook_resid_post');
    const gLnf = g.op('Mul', [g.op('Unsqueeze', [g.op('MatMul', [metricGrad, WEIGHT.unembed]), g.int64s([1])]), atPosition]); // [batch, pos, d_model]
    let gResid = this.layerNormBackward(lastResid, 'ln_final.hook_scale', WEIGHT.lnFinalW, gLnf);
    const residDims: OnnxDim[] = ['batch', 'pos', d];
    const headDims: OnnxDim[] = ['batch', 'pos', h, e];

    for (let l = nLayers - 1; l >= 0; l--) {
      const H = (s: BlockHookSuffix) => blockHook(l, s);
      const W = WEIGHT.block(l);
      this.output(gResid, H('hook_resid_post'), residDims);
      // resid_post = resid_mid + mlp_out
      const gMlpOut = gResid;
      this.output(gMlpOut, H('hook_mlp_out'), residDims);
      const gPost = this.matmulTransposed(gMlpOut, W.wOut, d, dMlp); // [batch, pos, d_mlp]
      const gPre = g.op('Mul', [gPost, this.activationDerivative(H('mlp.hook_pre'))]);
      const gLn2 = this.matmulTransposed(gPre, W.wIn, dMlp, d); // [batch, pos, d_model]
      const gMid = g.op('Add', [gResid, this.layerNormBackward(H('hook_resid_mid'), `blocks.${l}.ln2.hook_scale`, W.ln2W, gLn2)]);
      this.output(gMid, H('hook_resid_mid'), residDims);
      // resid_mid = resid_pre + attn_out
      this.output(gMid, H('hook_attn_out'), residDims);
      const gZ = g.op('Reshape', [this.matmulTransposed(gMid, W.wO, d, d), g.int64s([0, 0, h, e])]); // [batch, pos, head_index, d_head]
      this.output(gZ, H('attn.hook_z'), headDims);
      const gZT = g.op('Transpose', [gZ], { perm: [0, 2, 1, 3] }); // [batch, head_index, query_pos, d_head]
      const vT = g.op('Transpose', [H('attn.hook_v')], { perm: [0, 2, 3, 1] }); // [batch, head_index, d_head, key_pos]
      const gPattern = g.op('MatMul', [gZT, vT]); // [batch, head_index, query_pos, key_pos]
      this.output(gPattern, H('attn.hook_pattern'), ['batch', h, 'pos', 'pos']);
      const patternT = g.op('Transpose', [H('attn.hook_pattern')], { perm: [0, 1, 3, 2] }); // [batch, head_index, key_pos, query_pos]
      const gV = g.op('Transpose', [g.op('MatMul', [patternT, gZT])], { perm: [0, 2, 1, 3] }); // [batch, pos, head_index, d_head]
      // softmax: ∂s = p ⊙ (∂p − Σ_k ∂p ⊙ p)
      const p = H('attn.hook_pattern');
      let gScores = g.op('Mul', [p, g.op('Sub', [gPattern, g.op('ReduceSum', [g.op('Mul', [gPattern, p]), g.int64s([-1])], { keepdims: 1 })])]);
      let divisor = this.c.scaleAttnWeights ? Math.sqrt(e) : 1;
      if (this.c.scaleAttnByInverseLayerIdx) divisor *= l + 1;
      if (divisor !== 1) gScores = g.op('Div', [gScores, g.float(divisor)]);
      const kByHead = g.op('Transpose', [H('attn.hook_k')], { perm: [0, 2, 1, 3] }); // [batch, head_index, key_pos, d_head]
      const qByHead = g.op('Transpose', [H('attn.hook_q')], { perm: [0, 2, 1, 3] }); // [batch, head_index, query_pos, d_head]
      const gQ = g.op('Transpose', [g.op('MatMul', [gScores, kByHead])], { perm: [0, 2, 1, 3] });
      const gK = g.op('Transpose', [g.op('MatMul', [g.op('Transpose', [gScores], { perm: [0, 1, 3, 2] }), qByHead])], { perm: [0, 2, 1, 3] });
      this.output(gQ, H('attn.hook_q'), headDims);
      this.output(gK, H('attn.hook_k'), headDims);
      this.output(gV, H('attn.hook_v'), headDims);
      const flat = (x: string) => g.op('Reshape', [x, g.int64s([0, 0, d])]);
      const gQkv = g.op('Concat', [flat(gQ), flat(gK), flat(gV)], { axis: 2 }); // [batch, pos, 3·d_model]
      const gLn1 = this.matmulTransposed(gQkv, W.wQkv, 3 * d, d);
      gResid = g.op('Add', [gMid, this.layerNormBackward(H('hook_resid_pre'), `blocks.${l}.ln1.hook_scale`, W.ln1W, gLn1)]);
      this.output(gResid, H('hook_resid_pre'), residDims);
    }
  }
}
