/** The hyper-parameters of a GPT-2-architecture model, in TransformerLens' vocabulary. Frozen once parsed. */
export interface Gpt2Config {
  readonly nLayers: number;
  readonly nHeads: number;
  readonly dModel: number;
  /** dModel / nHeads */
  readonly dHead: number;
  /** n_inner, or 4 · dModel when n_inner is null */
  readonly dMlp: number;
  /** n_positions: the longest sequence the model accepts */
  readonly nCtx: number;
  readonly dVocab: number;
  /** layer_norm_epsilon exactly as the checkpoint's config.json gives it (1e12 for gpt2_noLN). */
  readonly layerNormEps: number;
  readonly activation: Gpt2Activation;
  /** scale_attn_weights: divide scores by sqrt(dHead) */
  readonly scaleAttnWeights: boolean;
  /** scale_attn_by_inverse_layer_idx: divide scores by (layer + 1) as well */
  readonly scaleAttnByInverseLayerIdx: boolean;
  /** tie_word_embeddings: the unembedding is wteᵀ unless false */
  readonly tieWordEmbeddings: boolean;
  /** Token id prepended as BOS (GPT-2: <|endoftext|>, bos_token_id) */
  readonly bosTokenId: number;
}

/** gelu_new = tanh approximation (gelu_pytorch_tanh is the same function); gelu = exact erf form. */
export type Gpt2Activation = 'gelu_new' | 'gelu' | 'relu';
