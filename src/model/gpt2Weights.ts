/**
 * GPT-2 weights in the layout the graph builder consumes: HF Conv1D layout ([in, out], y = x·W + b),
 * all float32. Shapes are given with TransformerLens axis names.
 */
export interface LayerNormWeights {
  /** [d_model] */ readonly w: Float32Array;
  /** [d_model] */ readonly b: Float32Array;
}

export interface BlockWeights {
  readonly ln1: LayerNormWeights;
  readonly attn: {
    /** c_attn.weight [d_model, 3·d_model]: output columns are [q | k | v], each heads of d_head consecutive columns */
    readonly wQkv: Float32Array;
    /** c_attn.bias [3·d_model] */
    readonly bQkv: Float32Array;
    /** c_proj.weight [d_model (= head_index·d_head), d_model] */
    readonly wO: Float32Array;
    /** c_proj.bias [d_model] */
    readonly bO: Float32Array;
  };
  readonly ln2: LayerNormWeights;
  readonly mlp: {
    /** c_fc.weight [d_model, d_mlp] */
    readonly wIn: Float32Array;
    /** c_fc.bias [d_mlp] */
    readonly bIn: Float32Array;
    /** c_proj.weight [d_mlp, d_model] */
    readonly wOut: Float32Array;
    /** c_proj.bias [d_model] */
    readonly bOut: Float32Array;
  };
}

export interface Gpt2Weights {
  /** wte [d_vocab, d_model] */
  readonly wte: Float32Array;
  /** wpe [n_ctx, d_model] */
  readonly wpe: Float32Array;
  readonly blocks: readonly BlockWeights[];
  readonly lnFinal: LayerNormWeights;
  /** lm_head.weight [d_vocab, d_model] when untied; absent means tied to wte */
  readonly lmHead?: Float32Array;
}
