import type { Gpt2Activation, Gpt2Config } from '../gpt2Config';
import { CheckpointError } from './checkpointError';

/** config.json `activation_function` values we run, and the function each one is. */
export const SUPPORTED_ACTIVATIONS: Readonly<Record<string, Gpt2Activation>> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new', // same tanh approximation, computed by PyTorch's kernel
  gelu: 'gelu',
  relu: 'relu',
};

/** HF's GPT2Config defaults, applied when config.json leaves a key out (HF saves only non-defaults). */
export const GPT2_CONFIG_DEFAULTS = {
  layer_norm_epsilon: 1e-5,
  activation_function: 'gelu_new',
  scale_attn_weights: true,
  scale_attn_by_inverse_layer_idx: false,
  tie_word_embeddings: true,
  /** <|endoftext|> in the GPT-2 vocabulary. See `bosTokenIdOf` for small vocabularies. */
  bos_token_id: 50256,
} as const;

/**
 * Parses a Hugging Face GPT-2 config.json into a frozen Gpt2Config. Every key is type-checked and
 * errors name the file and the key. `layer_norm_epsilon` is kept exactly as written (gpt2_noLN: 1e12).
 */
export function gpt2ConfigFromJson(json: unknown, file = 'config.json'): Gpt2Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(`${file}: must hold a JSON object`);
  }
  const read = new ConfigReader(json as Record<string, unknown>, file);
  if (read.has('model_type') && read.string('model_type') !== 'gpt2') {
    throw new CheckpointError(`${file}: model_type is '${read.string('model_type')}', but only GPT-2-architecture models ('gpt2') are supported`);
  }
  const nLayers = read.positiveInteger('n_layer');
  const nHeads = read.positiveInteger('n_head');
  const dModel = read.positiveInteger('n_embd');
  if (dModel % nHeads !== 0) throw new CheckpointError(`${file}: n_embd (${dModel}) must be divisible by n_head (${nHeads})`);
  if (!read.has('n_positions') && !read.has('n_ctx')) throw new CheckpointError(`${file}: missing required key 'n_positions' (or 'n_ctx')`);
  const nCtx = read.positiveInteger(read.has('n_positions') ? 'n_positions' : 'n_ctx');
  const dVocab = read.positiveInteger('vocab_size');
  const nInner = read.has('n_inner') && read.value('n_inner') !== null ? read.positiveInteger('n_inner') : 4 * dModel;
  const layerNormEps = read.has('layer_norm_epsilon') ? read.positiveNumber('layer_norm_epsilon') : GPT2_CONFIG_DEFAULTS.layer_norm_epsilon;
  return Object.freeze({
    nLayers,
    nHeads,
    dModel,
    dHead: dModel / nHeads,
    dMlp: nInner,
    nCtx,
    dVocab,
    layerNormEps,
    activation: activationOf(read),
    scaleAttnWeights: read.boolean('scale_attn_weights', GPT2_CONFIG_DEFAULTS.scale_attn_weights),
    scaleAttnByInverseLayerIdx: read.boolean('scale_attn_by_inverse_layer_idx', GPT2_CONFIG_DEFAULTS.scale_attn_by_inverse_layer_idx),
    tieWordEmbeddings: read.boolean('tie_word_embeddings', GPT2_CONFIG_DEFAULTS.tie_word_embeddings),
    bosTokenId: bosTokenIdOf(read, dVocab),
  });
}

function activationOf(read: ConfigReader): Gpt2Activation {
  const name = read.has('activation_function') ? read.string('activation_function') : GPT2_CONFIG_DEFAULTS.activation_function;
  const activation = SUPPORTED_ACTIVATIONS[name];
  if (!Object.prototype.hasOwnProperty.call(SUPPORTED_ACTIVATIONS, name)) {
    throw new CheckpointError(`${read.file}: activation_function '${name}' is not supported (supported: ${Object.keys(SUPPORTED_ACTIVATIONS).join(', ')})`);
  }
  return activation;
}

/**
 * bos_token_id when given (it must be a token id). When absent (or null), HF's default 50256
 * (<|endoftext|>) if the vocabulary has it; otherwise the last id, vocab_size − 1, which is where
 * GPT-2-style vocabularies put <|endoftext|> (this only matters for small test models).
 */
function bosTokenIdOf(read: ConfigReader, dVocab: number): number {
  if (read.has('bos_token_id') && read.value('bos_token_id') !== null) {
    const id = read.nonNegativeInteger('bos_token_id');
    if (id >= dVocab) throw new CheckpointError(`${read.file}: bos_token_id ${id} is outside the vocabulary (vocab_size ${dVocab})`);
    return id;
  }
  return GPT2_CONFIG_DEFAULTS.bos_token_id < dVocab ? GPT2_CONFIG_DEFAULTS.bos_token_id : dVocab - 1;
}

/** Typed access to config.json keys, with errors that name the file and the key. */
class ConfigReader {
  constructor(
    private readonly json: Record<string, unknown>,
    readonly file: string,
  ) {}

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.json, key);
  }

  value(key: string): unknown {
    return this.json[key];
  }

  string(key: string): string {
    const v = this.required(key);
    if (typeof v !== 'string') throw this.wrongType(key, 'a string');
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const v = this.json[key];
    if (typeof v !== 'boolean') throw this.wrongType(key, 'true or false');
    return v;
  }

  positiveInteger(key: string): number {
    const v = this.nonNegativeInteger(key);
    if (v === 0) throw this.wrongType(key, 'a positive integer');
    return v;
  }

  nonNegativeInteger(key: string): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.wrongType(key, 'a non-negative integer');
    return v;
  }

  positiveNumber(key: string): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw this.wrongType(key, 'a positive number');
    return v;
  }

  private required(key: string): unknown {
    if (!this.has(key)) throw new CheckpointError(`${this.file}: missing required key '${key}'`);
    return this.json[key];
  }

  private wrongType(key: string, expected: string): CheckpointError {
    return new CheckpointError(`${this.file}: '${key}' must be ${expected}, got ${JSON.stringify(this.json[key])}`);
  }
}
