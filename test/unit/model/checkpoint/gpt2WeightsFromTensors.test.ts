import { strict as assert } from 'node:assert';
import { gpt2ConfigFromJson } from '../../../../src/model/checkpoint/gpt2ConfigFromJson';
import { gpt2WeightsFromTensors, planGpt2Tensors } from '../../../../src/model/checkpoint/gpt2WeightsFromTensors';
import type { StoredTensorInfo, TensorSource } from '../../../../src/model/checkpoint/tensorSource';
import type { TensorToWrite } from '../../../../src/model/checkpoint/safetensorsWriter';
import { numel } from '../../../../src/model/tensor';
import { patternFor, rejectsWith, throwsWith, tinyConfigJson, tinyGpt2Tensors, type TinyTensorOptions } from './fixtures';

/** An in-memory source over fixture tensors that records which names were read. */
function recordingSource(tensors: Map<string, TensorToWrite>): TensorSource & { readonly reads: string[] } {
  const infos = new Map<string, StoredTensorInfo>();
  for (const [name, t] of tensors) infos.set(name, { dtype: t.dtype, shape: t.shape });
  const reads: string[] = [];
  return {
    description: 'fixture',
    tensors: infos,
    reads,
    fileOf: () => 'fixture',
    readFloat32: async (name) => {
      reads.push(name);
      const t = tensors.get(name);
      if (!t || !('data' in t)) throw new Error(`cannot read ${name} as float32`);
      return typeof t.data === 'function' ? t.data() : t.data;
    },
  };
}

function load(configJson: Record<string, unknown>, options: TinyTensorOptions = {}) {
  const source = recordingSource(tinyGpt2Tensors(configJson, options));
  return { source, weights: gpt2WeightsFromTensors(gpt2ConfigFromJson(configJson), source) };
}

describe('gpt2WeightsFromTensors', () => {
  for (const prefix of [true, false]) {
    it(`puts every tensor in its slot (${prefix ? 'transformer.-prefixed' : 'bare'} names)`, async () => {
      const weights = await load(tinyConfigJson(), { prefix }).weights;
      const expect = (name: string, n: number) => patternFor(name, n);
      assert.deepEqual(weights.wte, expect('wte.weight', 32 * 8));
      assert.deepEqual(weights.wpe, expect('wpe.weight', 16 * 8));
      assert.equal(weights.blocks.length, 2);
      const b1 = weights.blocks[1];
      assert.deepEqual(b1.ln1.w, expect('h.1.ln_1.weight', 8));
      assert.deepEqual(b1.ln1.b, expect('h.1.ln_1.bias', 8));
      assert.deepEqual(b1.attn.wQkv, expect('h.1.attn.c_attn.weight', 8 * 24));
      assert.deepEqual(b1.attn.bQkv, expect('h.1.attn.c_attn.bias', 24));
      assert.deepEqual(b1.attn.wO, expect('h.1.attn.c_proj.weight', 64));
      assert.deepEqual(b1.attn.bO, expect('h.1.attn.c_proj.bias', 8));
      assert.deepEqual(b1.ln2.w, expect('h.1.ln_2.weight', 8));
      assert.deepEqual(b1.ln2.b, expect('h.1.ln_2.bias', 8));
      assert.deepEqual(b1.mlp.wIn, expect('h.1.mlp.c_fc.weight', 8 * 32));
      assert.deepEqual(b1.mlp.bIn, expect('h.1.mlp.c_fc.bias', 32));
      assert.deepEqual(b1.mlp.wOut, expect('h.1.mlp.c_proj.weight', 32 * 8));
      assert.deepEqual(b1.mlp.bOut, expect('h.1.mlp.c_proj.bias', 8));
      assert.deepEqual(weights.blocks[0].ln1.w, expect('h.0.ln_1.weight', 8));
      assert.deepEqual(weights.lnFinal.w, expect('ln_f.weight', 8));
      assert.deepEqual(weights.lnFinal.b, expect('ln_f.bias', 8));
      assert.equal(weights.lmHead, undefined);
    });
  }

  it('honours an explicit n_inner in the MLP shapes', async () => {
    const weights = await load(tinyConfigJson({ n_inner: 12 })).weights;
    assert.equal(weights.blocks[0].mlp.wIn.length, 8 * 12);
    assert.equal(weights.blocks[0].mlp.bIn.length, 12);
  });

  for (const masks of ['f32', 'bool+u8'] as const) {
    it(`skips causal-mask buffers (${masks}) without reading them`, async () => {
      const { source, weights } = load(tinyConfigJson(), { masks });
      await weights;
      assert.ok([...source.tensors.keys()].some((n) => n.endsWith('.attn.bias')));
      assert.deepEqual(
        source.reads.filter((n) => /\.attn\.(bias|masked_bias)$/.test(n)),
        [],
      );
      const plan = planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson()), source.tensors, 'fixture');
      assert.equal(plan.ignored.length, masks === 'f32' ? 2 : 4);
    });
  }

  it('ignores lm_head.weight, unread, when embeddings are tied', async () => {
    const { source, weights } = load(tinyConfigJson(), { lmHead: true });
    assert.equal((await weights).lmHead, undefined);
    assert.ok(!source.reads.includes('lm_head.weight'));
  });

  it('loads lm_head.weight when tie_word_embeddings is false', async () => {
    const weights = await load(tinyConfigJson({ tie_word_embeddings: false })).weights;
    assert.deepEqual(weights.lmHead, patternFor('lm_head.weight', 32 * 8));
  });

  it('requires lm_head.weight when tie_word_embeddings is false', () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson());
    throwsWith(
      () => planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson({ tie_word_embeddings: false })), recordingSource(tensors).tensors, 'fixture'),
      'missing tensors: lm_head.weight',
      'tie_word_embeddings is false',
    );
  });

  it('names the key, the expected and the actual shape on a mismatch, before reading anything', async () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson());
    tensors.set('transformer.h.1.mlp.c_fc.weight', { dtype: 'F32', shape: [32, 8], data: new Float32Array(256) });
    const source = recordingSource(tensors);
    await rejectsWith(
      gpt2WeightsFromTensors(gpt2ConfigFromJson(tinyConfigJson()), source),
      "'transformer.h.1.mlp.c_fc.weight' has shape [32, 8], expected [8, 32]",
    );
    assert.deepEqual(source.reads, []);
  });

  it('names missing and unexpected tensors', () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson(), { prefix: false });
    tensors.delete('h.0.ln_2.bias');
    tensors.delete('ln_f.weight');
    tensors.set('h.0.attn.rotary', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    throwsWith(
      () => planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson()), recordingSource(tensors).tensors, 'fixture'),
      'missing tensors: h.0.ln_2.bias, ln_f.weight',
      'unexpected tensors: h.0.attn.rotary',
    );
  });

  it('reports a checkpoint with more layers than the config as unexpected tensors', () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson({ n_layer: 3 }));
    throwsWith(
      () => planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson()), recordingSource(tensors).tensors, 'fixture'),
      'unexpected tensors: transformer.h.2.',
      'n_layer 2',
    );
  });

  it('refuses a tensor stored both with and without the prefix', () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson());
    tensors.set('wte.weight', { dtype: 'F32', shape: [32, 8], data: new Float32Array(256) });
    throwsWith(() => planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson()), recordingSource(tensors).tensors, 'fixture'), "'wte.weight' is stored twice");
  });

  it('refuses weights stored in a non-float dtype', () => {
    const tensors = tinyGpt2Tensors(tinyConfigJson());
    tensors.set('transformer.ln_f.bias', { dtype: 'I32', shape: [8], bytes: new Uint8Array(numel([8]) * 4) });
    throwsWith(
      () => planGpt2Tensors(gpt2ConfigFromJson(tinyConfigJson()), recordingSource(tensors).tensors, 'fixture'),
      "'transformer.ln_f.bias' has dtype I32",
    );
  });
});
