/**
 * Builds the ONNX graph of a GPT-2 model, in the order of the architecture: layer norm, attention,
 * MLP, block, model. Every TransformerLens hook point is a value named by its hook (an Identity);
 * only the hooks the spec exposes are graph outputs, so the others cost nothing (ORT removes the
 * Identity). A patched hook is `Where(patch_mask, patch_value, value)` on the main path, so
 * everything downstream sees the patch.
 * Weights are graph inputs (see weightNames.ts): one set of weight buffers in JS serves every graph
 * variant without copies. Shapes use TL axis names.
 */
import type { Gpt2Config } from '../gpt2Config';
import { blockHook, type BlockHookSuffix, type HookName } from '../../shared/hookNames';
import { GraphBuilder } from './graphBuilder';
import { OnnxDataType, type OnnxDim, type OnnxGraph } from './onnxModel';
import { INPUT, OUTPUT, type Gpt2GraphSpec } from './gpt2GraphSpec';
import { WEIGHT, blockWeightDims, type BlockWeightNames } from './weightNames';
import { Gpt2BackwardWriter } from './gpt2Backward';

const F = OnnxDataType.Float;

class Gpt2GraphWriter {
  private readonly g: GraphBuilder;
  private readonly patched: ReadonlySet<string>;
  private readonly exposed: ReadonlySet<string>;
  private readonly declaredWeights = new Set<string>();
  private logitPositionsDeclared = false;

  constructor(
    private readonly c: Gpt2Config,
    private readonly spec: Gpt2GraphSpec,
  ) {
    this.g = new GraphBuilder('gpt2');
    this.patched = new Set(spec.patchedHooks);
    this.exposed = new Set(spec.exposedHooks);
    if (spec.attentionMask === 'additive' && [...this.exposed, ...this.patched].some((h) => h.endsWith('attn.hook_attn_scores'))) {
      throw new Error("an additive causal mask cannot serve attn.hook_attn_scores (TL's masked scores come from Where)");
    }
  }

  /** Input `logit_positions` int64 [n], declared on first use. */
  private logitPositions(): string {
    if (!this.logitPositionsDeclared) this.g.input(INPUT.logitPositions, OnnxDataType.Int64, ['n']);
    this.logitPositionsDeclared = true;
    return INPUT.logitPositions;
  }

  /** Whether block `l` computes only the logit positions after its keys and values (see `trimLastBlock`). */
  private trimmed(l: number): boolean {
    return !!this.spec.trimLastBlock && l === this.c.nLayers - 1;
  }

  private weight(name: string, dims: readonly number[]): string {
    if (!this.declaredWeights.has(name)) {
      this.g.input(name, F, dims);
      this.declaredWeights.add(name);
    }
    return name;
  }

  /**
   * Names `value` as hook `name` (shape `dims`), a graph output when the spec exposes it; when the
   * hook is patched, the named and propagated value is `Where(patch_mask, patch_value, value)`. The
   * mask has the hook's shape with the last axis reduced to 1. The name always exists, so the
   * backward pass can read any hook; an unexposed name is an Identity that ORT removes.
   */
  private hook(name: HookName, value: string, dims: readonly OnnxDim[]): string {
    let v = value;
    if (this.patched.has(name)) {
      const patchValue = this.g.input(INPUT.patchValue(name), F, dims);
      const maskDims = [...dims.slice(0, -1), 1];
      const patchMask = this.g.input(INPUT.patchMask(name), OnnxDataType.Bool, maskDims);
      v = this.g.op('Where', [patchMask, patchValue, value]);
    }
    if (this.exposed.has(name)) this.g.output(v, name, F, dims);
    else this.g.op('Identity', [v], {}, name);
    return name;
  }

  // ---- layer norm ----------------------------------------------------------------------------

  /** x [batch, pos, d_model] → normalized [batch, pos, d_model], with hook_scale [batch, pos, 1]. */
  private layerNorm(prefix: string, x: string, w: string, b: string): string {
    const g = this.g;
    const d = this.c.dModel;
    if (this.spec.layerNorm === 'identity') {
      // LN replaced by x ↦ x: the scale hook reads 1 everywhere.
      const shape = g.op('Shape', [x]); // [3]
      const scaleShape = g.op('Concat', [g.op('Slice', [shape, g.int64s([0]), g.int64s([2])]), g.int64s([1])], { axis: 0 });
      const ones = g.op('ConstantOfShape', [scaleShape], { value: { name: '', elemType: F, dims: [1], raw: new Uint8Array(new Float32Array([1]).buffer) } });
      this.hook(`${prefix}.hook_scale` as HookName, ones, ['batch', 'pos', 1]);
      return this.hook(`${prefix}.hook_normalized` as HookName, x, ['batch', 'pos', d]);
    }
    const mean = g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 }); // [batch, pos, 1]
    const centred = g.op('Sub', [x, mean]); // [batch, pos, d_model]
    const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: [-1], keepdims: 1 }); // [batch, pos, 1]
    const scale = this.hook(`${prefix}.hook_scale` as HookName, g.op('Sqrt', [g.op('Add', [variance, g.float(this.c.layerNormEps)])]), ['batch', 'pos', 1]);
    const normalized = g.op('Add', [g.op('Mul', [g.op('Div', [centred, scale]), this.weight(w, [d])]), this.weight(b, [d])]);
    return this.hook(`${prefix}.hook_normalized` as HookName, normalized, ['batch', 'pos', d]);
  }

  // ---- attention -----------------------------------------------------------------------------

  /** x [batch, pos, d_model] (ln1 output) → attn_out [batch, pos, d_model]. */
  private attention(l: number, x: string, W: BlockWeightNames, dims: ReturnType<typeof blockWeightDims>): string {
    const g = this.g;
    const { nHeads: h, dHead: e, dModel: d } = this.c;
    const H = (s: BlockHookSuffix) => blockHook(l, s);
    const qkv = g.op('Add', [g.op('MatMul', [x, this.weight(W.wQkv, dims.wQkv)]), this.weight(W.bQkv, dims.bQkv)]); // [batch, pos, 3·d_model]
    const [qFlat, kFlat, vFlat] = g.opMulti('Split', [qkv, g.int64s([d, d, d])], 3, { axis: 2 }); // 3 × [batch, pos, d_model]
    const byHead = g.int64s([0, 0, h, e]);
    const headDims: OnnxDim[] = ['batch', 'pos', h, e];
    const q = this.hook(H('attn.hook_q'), g.op('Reshape', [qFlat, byHead]), headDims); // [batch, pos, head_index, d_head]
    const k = this.hook(H('attn.hook_k'), g.op('Reshape', [kFlat, byHead]), headDims);
    const v = this.hook(H('attn.hook_v'), g.op('Reshape', [vFlat, byHead]), headDims);
    // Trimmed: from here on only the logit positions' queries (n of them), against every key.
    const qRows = this.trimmed(l) ? g.op('Gather', [q, this.logitPositions()], { axis: 1 }) : q; // [batch, query_pos, head_index, d_head]

    let [kAll, vAll] = [k, v]; // [batch, key_pos, head_index, d_head]
    if (this.spec.pastPrefix) {
      // The prefix's keys and values come once for the whole batch (past_batch 1, broadcast here, so
      // a batch of patches does not feed a copy per element) or once per element (past_batch = batch).
      const pastDims: OnnxDim[] = ['past_batch', 'prefix', h, e];
      const [pastK, pastV] = [g.input(INPUT.pastK(l), F, pastDims), g.input(INPUT.pastV(l), F, pastDims)];
      const batchOfK = g.op('Slice', [g.op('Shape', [k]), g.int64s([0]), g.int64s([1])]); // [1]: batch
      const prefixDims = g.op('Slice', [g.op('Shape', [pastK]), g.int64s([1]), g.int64s([4])]); // [3]: prefix, head_index, d_head
      const expanded = g.op('Concat', [batchOfK, prefixDims], { axis: 0 }); // [4]: batch, prefix, head_index, d_head
      kAll = g.op('Concat', [g.op('Expand', [pastK, expanded]), k], { axis: 1 });
      vAll = g.op('Concat', [g.op('Expand', [pastV, expanded]), v], { axis: 1 });
    }
    const qT = g.op('Transpose', [qRows], { perm: [0, 2, 1, 3] }); // [batch, head_index, query_pos, d_head]
    const kT = g.op('Transpose', [kAll], { perm: [0, 2, 3, 1] }); // [batch, head_index, d_head, key_pos]
    let scores = g.op('MatMul', [qT, kT]); // [batch, head_index, query_pos, key_pos]
    let divisor = this.c.scaleAttnWeights ? Math.sqrt(e) : 1;
    if (this.c.scaleAttnByInverseLayerIdx) divisor *= l + 1;
    if (divisor !== 1) scores = g.op('Div', [scores, g.float(divisor)]);
    const patternDims: OnnxDim[] = ['batch', h, 'pos', this.spec.pastPrefix ? 'key_pos' : 'pos'];
    const maskIn = this.spec.attentionMask === 'where' ? INPUT.causalMask : INPUT.causalBias;
    const mask = this.trimmed(l) ? g.op('Gather', [maskIn, this.logitPositions()], { axis: 0 }) : maskIn; // [query_pos, key_pos]
    const masked =
      this.spec.attentionMask === 'where'
        ? g.op('Where', [mask, scores, g.float(-Infinity)]) // −inf where key > query
        : g.op('Add', [scores, mask]); // + 0 or −inf: the same values for finite scores
    scores = this.hook(H('attn.hook_attn_scores'), masked, patternDims); // [batch, head_index, query_pos, key_pos]
    const pattern = this.hook(H('attn.hook_pattern'), g.op('Softmax', [scores], { axis: -1 }), patternDims);

    const vT = g.op('Transpose', [vAll], { perm: [0, 2, 1, 3] }); // [batch, head_index, key_pos, d_head]
    const zT = g.op('MatMul', [pattern, vT]); // [batch, head_index, query_pos, d_head]
    const z = this.hook(H('attn.hook_z'), g.op('Transpose', [zT], { perm: [0, 2, 1, 3] }), headDims); // [batch, pos, head_index, d_head]

    let attnOut: string;
    if (this.spec.perHeadResult) {
      const zByHead = g.op('Transpose', [z], { perm: [0, 2, 1, 3] }); // [batch, head_index, pos, d_head]
      const resultT = g.op('MatMul', [zByHead, this.weight(W.wOByHead, dims.wOByHead)]); // [batch, head_index, pos, d_model]
      const result = this.hook(H('attn.hook_result'), g.op('Transpose', [resultT], { perm: [0, 2, 1, 3] }), ['batch', 'pos', h, d]);
      attnOut = g.op('Add', [g.op('ReduceSum', [result, g.int64s([2])], { keepdims: 0 }), this.weight(W.bO, dims.bO)]);
    } else {
      const zFlat = g.op('Reshape', [z, g.int64s([0, 0, d])]); // [batch, pos, head_index·d_head]
      attnOut = g.op('Add', [g.op('MatMul', [zFlat, this.weight(W.wO, dims.wO)]), this.weight(W.bO, dims.bO)]);
    }
    return this.hook(H('hook_attn_out'), attnOut, ['batch', 'pos', d]);
  }

  // ---- MLP -----------------------------------------------------------------------------------

  private activation(x: string): string {
    const g = this.g;
    switch (this.c.activation) {
      case 'gelu_new': {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
        const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.float(0.044715)])]), g.float(Math.sqrt(2 / Math.PI))]);
        return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.float(1)])]);
      }
      case 'gelu': // 0.5·x·(1 + erf(x/√2))
        return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [g.op('Erf', [g.op('Div', [x, g.float(Math.SQRT2)])]), g.float(1)])]);
      case 'relu':
        return g.op('Relu', [x]);
    }
  }

  /** x [batch, pos, d_model] (ln2 output) → mlp_out [batch, pos, d_model]. */
  private mlp(l: number, x: string, W: BlockWeightNames, dims: ReturnType<typeof blockWeightDims>): string {
    const g = this.g;
    const H = (s: BlockHookSuffix) => blockHook(l, s);
    const pre = this.hook(H('mlp.hook_pre'), g.op('Add', [g.op('MatMul', [x, this.weight(W.wIn, dims.wIn)]), this.weight(W.bIn, dims.bIn)]), [
      'batch',
      'pos',
      this.c.dMlp,
    ]);
    const post = this.hook(H('mlp.hook_post'), this.activation(pre), ['batch', 'pos', this.c.dMlp]);
    const out = g.op('Add', [g.op('MatMul', [post, this.weight(W.wOut, dims.wOut)]), this.weight(W.bOut, dims.bOut)]);
    return this.hook(H('hook_mlp_out'), out, ['batch', 'pos', this.c.dModel]);
  }

  // ---- block and model -----------------------------------------------------------------------

  private block(l: number, residIn: string): string {
    const g = this.g;
    const d = this.c.dModel;
    const W = WEIGHT.block(l);
    const dims = blockWeightDims(this.c);
    const H = (s: BlockHookSuffix) => blockHook(l, s);
    const residPre = this.hook(H('hook_resid_pre'), residIn, ['batch', 'pos', d]);
    const attnOut = this.attention(l, this.layerNorm(`blocks.${l}.ln1`, residPre, W.ln1W, W.ln1B), W, dims);
    const residRows = this.trimmed(l) ? g.op('Gather', [residPre, this.logitPositions()], { axis: 1 }) : residPre; // [batch, pos or n, d_model]
    const residMid = this.hook(H('hook_resid_mid'), g.op('Add', [residRows, attnOut]), ['batch', 'pos', d]);
    const mlpOut = this.mlp(l, this.layerNorm(`blocks.${l}.ln2`, residMid, W.ln2W, W.ln2B), W, dims);
    return this.hook(H('hook_resid_post'), g.op('Add', [residMid, mlpOut]), ['batch', 'pos', d]);
  }

  /** tokens [batch, pos] → resid [batch, pos, d_model] = hook_embed + hook_pos_embed. */
  private embed(): string {
    const g = this.g;
    const d = this.c.dModel;
    g.input(INPUT.tokens, OnnxDataType.Int64, ['batch', 'pos']);
    g.input(INPUT.positions, OnnxDataType.Int64, ['pos']);
    const embed = this.hook('hook_embed', g.op('Gather', [this.weight(WEIGHT.wte, [this.c.dVocab, d]), INPUT.tokens], { axis: 0 }), ['batch', 'pos', d]);
    const posRows = g.op('Gather', [this.weight(WEIGHT.wpe, [this.c.nCtx, d]), INPUT.positions], { axis: 0 }); // [pos, d_model]
    const posEmbed = this.hook('hook_pos_embed', g.op('Expand', [posRows, g.op('Shape', [embed])]), ['batch', 'pos', d]);
    return g.op('Add', [embed, posEmbed]);
  }

  /** resid [batch, pos, d_model] → logits [batch, n, d_vocab] at the selected (or all) positions. */
  private unembed(resid: string): void {
    const g = this.g;
    const d = this.c.dModel;
    let x = this.layerNorm('ln_final', resid, WEIGHT.lnFinalW, WEIGHT.lnFinalB);
    if (this.spec.logits === 'selected' && !this.spec.trimLastBlock) {
      x = g.op('Gather', [x, this.logitPositions()], { axis: 1 }); // [batch, n, d_model]
    }
    // x · W_U with the input W_Uᵀ [d_vocab, d_model] (wte itself when tied): Gemm's transB, no transposed copy
    const logits = g.matmulTransposed(x, this.weight(WEIGHT.unembed, [this.c.dVocab, d]), d, this.c.dVocab, 3); // [batch, n, d_vocab]
    g.output(logits, OUTPUT.logits, F, ['batch', this.spec.logits === 'selected' ? 'n' : 'pos', this.c.dVocab]);
  }

  build(): OnnxGraph {
    const { startLayer, stopAfterLayer, logits } = this.spec;
    const n = this.c.nLayers;
    if (!(startLayer >= 0 && startLayer < n)) throw new Error(`startLayer ${startLayer} outside 0..${n - 1}`);
    if (!(stopAfterLayer >= startLayer && stopAfterLayer < n)) throw new Error(`stopAfterLayer ${stopAfterLayer} outside ${startLayer}..${n - 1}`);
    if (logits !== 'none' && stopAfterLayer !== n - 1) throw new Error('logits need every layer: stopAfterLayer must be the last layer');
    if (this.spec.trimLastBlock && (logits !== 'selected' || this.spec.backward || this.spec.perHeadResult)) {
      throw new Error('trimLastBlock needs selected logits, no backward pass and no per-head results');
    }
    let resid: string;
    if (startLayer === 0 && !this.spec.residInputAtStart) {
      resid = this.embed();
    } else {
      resid = this.g.input(INPUT.residIn, F, ['batch', 'pos', this.c.dModel]);
    }
    const maskDims = ['pos', this.spec.pastPrefix ? 'key_pos' : 'pos'];
    if (this.spec.attentionMask === 'where') this.g.input(INPUT.causalMask, OnnxDataType.Bool, maskDims);
    else this.g.input(INPUT.causalBias, F, maskDims);
    for (let l = startLayer; l <= stopAfterLayer; l++) resid = this.block(l, resid);
    if (logits !== 'none') this.unembed(resid);
    if (this.spec.backward) {
      if (startLayer !== 0 || this.spec.residInputAtStart || this.spec.pastPrefix || logits === 'none' || this.spec.perHeadResult) {
        throw new Error('a backward graph runs the whole model from tokens, with logits and without per-head results');
      }
      new Gpt2BackwardWriter(this.g, this.c, this.spec.layerNorm).build();
    }
    return this.g.build();
  }
}

export function buildGpt2Graph(config: Gpt2Config, spec: Gpt2GraphSpec): OnnxGraph {
  return new Gpt2GraphWriter(config, spec).build();
}
