import { strict as assert } from 'node:assert';
import { gpt2ConfigFromJson } from '../../../../src/model/checkpoint/gpt2ConfigFromJson';
import { throwsWith, tinyConfigJson } from './fixtures';

/** openai-community/gpt2's config.json, trimmed to the keys that matter. */
const GPT2_SMALL = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  vocab_size: 50257,
};

describe('gpt2ConfigFromJson', () => {
  it('parses GPT-2 small', () => {
    assert.deepEqual(gpt2ConfigFromJson(GPT2_SMALL), {
      nLayers: 12,
      nHeads: 12,
      dModel: 768,
      dHead: 64,
      dMlp: 3072,
      nCtx: 1024,
      dVocab: 50257,
      layerNormEps: 1e-5,
      activation: 'gelu_new',
      scaleAttnWeights: true,
      scaleAttnByInverseLayerIdx: false,
      tieWordEmbeddings: true,
      bosTokenId: 50256,
    });
  });

  it('returns a frozen object', () => assert.ok(Object.isFrozen(gpt2ConfigFromJson(GPT2_SMALL))));

  it('uses 4·n_embd when n_inner is null or absent, and n_inner when given', () => {
    assert.equal(gpt2ConfigFromJson({ ...GPT2_SMALL, n_inner: null }).dMlp, 3072);
    assert.equal(gpt2ConfigFromJson(GPT2_SMALL).dMlp, 3072);
    assert.equal(gpt2ConfigFromJson({ ...GPT2_SMALL, n_inner: 1000 }).dMlp, 1000);
  });

  it('keeps layer_norm_epsilon exactly (gpt2_noLN uses 1e12) and defaults it to 1e-5', () => {
    assert.equal(gpt2ConfigFromJson({ ...GPT2_SMALL, layer_norm_epsilon: 1e12 }).layerNormEps, 1e12);
    assert.equal(gpt2ConfigFromJson({ ...GPT2_SMALL, layer_norm_epsilon: 1.2345e-7 }).layerNormEps, 1.2345e-7);
    const { layer_norm_epsilon: _eps, ...withoutEps } = GPT2_SMALL;
    assert.equal(gpt2ConfigFromJson(withoutEps).layerNormEps, 1e-5);
  });

  it('maps the supported activation names', () => {
    const activation = (name: string) => gpt2ConfigFromJson({ ...GPT2_SMALL, activation_function: name }).activation;
    assert.equal(activation('gelu_new'), 'gelu_new');
    assert.equal(activation('gelu_pytorch_tanh'), 'gelu_new');
    assert.equal(activation('gelu'), 'gelu');
    assert.equal(activation('relu'), 'relu');
  });

  it('refuses an unsupported activation, listing the supported ones', () => {
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, activation_function: 'swish' }), "'swish'", 'gelu_new', 'gelu_pytorch_tanh', 'relu');
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, activation_function: 'toString' }), "'toString'", 'not supported');
  });

  it('reads the attention-scaling and tying flags, with HF defaults', () => {
    const c = gpt2ConfigFromJson({
      ...GPT2_SMALL,
      scale_attn_weights: false,
      scale_attn_by_inverse_layer_idx: true,
      tie_word_embeddings: false,
    });
    assert.equal(c.scaleAttnWeights, false);
    assert.equal(c.scaleAttnByInverseLayerIdx, true);
    assert.equal(c.tieWordEmbeddings, false);
  });

  it('refuses other architectures by model_type', () => {
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, model_type: 'gpt_neox' }), "'gpt_neox'", 'gpt2');
  });

  it('falls back to n_ctx when n_positions is absent', () => {
    const { n_positions: _p, ...withoutPositions } = GPT2_SMALL;
    assert.equal(gpt2ConfigFromJson({ ...withoutPositions, n_ctx: 512 }).nCtx, 512);
    const { n_ctx: _c, ...neither } = withoutPositions;
    throwsWith(() => gpt2ConfigFromJson(neither), "'n_positions'", "'n_ctx'");
  });

  it('refuses n_embd not divisible by n_head', () => {
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, n_head: 7 }), 'n_embd (768)', 'n_head (7)');
  });

  it('defaults bos_token_id to 50256, or to vocab_size − 1 for small vocabularies', () => {
    const { bos_token_id: _b, ...withoutBos } = GPT2_SMALL;
    assert.equal(gpt2ConfigFromJson(withoutBos).bosTokenId, 50256);
    assert.equal(gpt2ConfigFromJson({ ...withoutBos, bos_token_id: null }).bosTokenId, 50256);
    assert.equal(gpt2ConfigFromJson(tinyConfigJson()).bosTokenId, 31);
    assert.equal(gpt2ConfigFromJson(tinyConfigJson({ bos_token_id: 3 })).bosTokenId, 3);
    throwsWith(() => gpt2ConfigFromJson(tinyConfigJson({ bos_token_id: 32 })), 'bos_token_id 32', 'vocab_size 32');
  });

  it('names the file and the key on a missing or mistyped value', () => {
    const { n_layer: _l, ...withoutLayers } = GPT2_SMALL;
    throwsWith(() => gpt2ConfigFromJson(withoutLayers, '/m/config.json'), '/m/config.json', "'n_layer'");
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, n_layer: '12' }), "'n_layer'", 'integer', '"12"');
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, n_head: 0 }), "'n_head'", 'positive');
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, layer_norm_epsilon: -1 }), "'layer_norm_epsilon'");
    throwsWith(() => gpt2ConfigFromJson({ ...GPT2_SMALL, tie_word_embeddings: 'no' }), "'tie_word_embeddings'", 'true or false');
    throwsWith(() => gpt2ConfigFromJson([1]), 'config.json', 'object');
  });
});
