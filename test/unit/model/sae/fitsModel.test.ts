/** checkSaeFitsModel: the hook must exist and be d_model-shaped, d_in must match, another model's name warns. */
import assert from 'node:assert/strict';
import type { Gpt2Config } from '../../../../src/model/gpt2Config';
import { checkSaeFitsModel, parseSaeConfig, SaeError, type LoadedSae, type SaeErrorCode } from '../../../../src/model/sae';
import { v6Config } from './saeFixture';

const MODEL = { nLayers: 2, dModel: 8, nHeads: 2, dHead: 4, dMlp: 32, nCtx: 16, dVocab: 20, layerNormEps: 1e-5 } as unknown as Gpt2Config;

function sae(cfg: Record<string, unknown>): LoadedSae {
  return { id: 'x', label: 'x', folder: '/x', config: parseSaeConfig(cfg), weights: {} as never };
}

function refusedWith(s: LoadedSae, code: SaeErrorCode): string {
  try {
    checkSaeFitsModel(s, { config: MODEL, name: 'gpt2-python-mini' });
  } catch (e) {
    assert.ok(e instanceof SaeError);
    assert.equal(e.code, code, e.message);
    return e.message;
  }
  assert.fail('accepted, but should have been refused');
}

describe('checkSaeFitsModel', () => {
  it('accepts every [batch, pos, d_model] block hook, with no warning for the same model', () => {
    for (const suffix of ['hook_resid_pre', 'hook_resid_mid', 'hook_resid_post', 'hook_attn_out', 'hook_mlp_out']) {
      assert.deepEqual(checkSaeFitsModel(sae(v6Config({}, { hook_name: `blocks.1.${suffix}` })), { config: MODEL, name: 'gpt2-python-mini' }), []);
    }
  });

  it('a hook the model does not have: a layer past the last, or no such hook', () => {
    assert.match(refusedWith(sae(v6Config({}, { hook_name: 'blocks.8.hook_resid_pre' })), 'hook-missing'), /blocks\.8\.hook_resid_pre.*model has 2 layers/);
    assert.match(refusedWith(sae(v6Config({}, { hook_name: 'model.layers.1' })), 'hook-missing'), /'model\.layers\.1', which this model does not have/);
  });

  it('a hook the model has but whose last axis is not d_model (hook_z, mlp.hook_post)', () => {
    assert.match(refusedWith(sae(v6Config({}, { hook_name: 'blocks.0.attn.hook_z' })), 'hook-missing'), /which the model has, but SAEs are supported only on/);
    assert.match(refusedWith(sae(v6Config({}, { hook_name: 'blocks.0.mlp.hook_post' })), 'hook-missing'), /hook_resid_pre\|hook_resid_mid/);
  });

  it('a d_in that does not match d_model', () => {
    assert.match(refusedWith(sae(v6Config({ d_in: 768 })), 'd-in-mismatch'), /d_in is 768.*d_model 8/);
  });

  it("warns when metadata.model_name names another model, and treats TL's gpt2 aliases as one", () => {
    const w = checkSaeFitsModel(sae(v6Config({}, { model_name: 'gpt2-small' })), { config: MODEL, name: 'gpt2-python-mini' });
    assert.equal(w.length, 1);
    assert.match(w[0], /trained on 'gpt2-small'.*'gpt2-python-mini'/);
    assert.deepEqual(checkSaeFitsModel(sae(v6Config({}, { model_name: 'gpt2-small' })), { config: MODEL, name: 'openai-community/gpt2' }), []);
    assert.deepEqual(checkSaeFitsModel(sae(v6Config({}, { model_name: undefined })), { config: MODEL, name: 'gpt2' }), [], 'no name, no warning');
  });
});
