/** cfg.json parsing: the v6 and pre-6 forms, defaults, and the input-transform rule. */
import assert from 'node:assert/strict';
import { parseSaeConfig, SaeError } from '../../../../src/model/sae';
import { v6Config } from './saeFixture';

/** The cfg.json of jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre (gpt2-small-res-jb), abridged. */
const RES_JB = {
  model_name: 'gpt2-small',
  hook_point: 'blocks.8.hook_resid_pre',
  hook_point_layer: 8,
  hook_point_head_index: null,
  dataset_path: 'Skylion007/openwebtext',
  context_size: 128,
  d_in: 768,
  d_sae: 24576,
  dtype: 'torch.float32',
  device: 'mps',
};

function refused(json: unknown): SaeError {
  try {
    parseSaeConfig(json);
  } catch (e) {
    assert.ok(e instanceof SaeError);
    return e;
  }
  assert.fail('parsed, but should have been refused');
}

describe('parseSaeConfig', () => {
  it('reads gpt2-small-res-jb (pre-6, no architecture, no kwargs) as a centred standard SAE', () => {
    const c = parseSaeConfig(RES_JB);
    assert.equal(c.configForm, 'pre6');
    assert.equal(c.architecture, 'standard');
    assert.equal(c.dtype, 'float32');
    assert.equal(c.hookName, 'blocks.8.hook_resid_pre');
    assert.equal(c.hookLayer, 8);
    assert.equal(c.applyBDecToInput, true, 'SAELens default for pre-6 configs');
    assert.equal(c.prependBos, true, 'SAELens default for pre-6 configs');
    assert.equal(c.modelName, 'gpt2-small');
    assert.equal(c.inputTransform, 'center');
    assert.match(c.inputTransformReason, /pre-6.*centres writing weights/);
  });

  it('reads a v6 config from its metadata', () => {
    const c = parseSaeConfig(v6Config({ architecture: 'jumprelu', apply_b_dec_to_input: false }, { prepend_bos: false }));
    assert.equal(c.configForm, 'v6');
    assert.equal(c.architecture, 'jumprelu');
    assert.equal(c.hookName, 'blocks.1.hook_resid_pre');
    assert.equal(c.hookLayer, 1);
    assert.equal(c.applyBDecToInput, false);
    assert.equal(c.prependBos, false);
    assert.equal(c.modelName, 'gpt2-python-mini');
    assert.equal(c.inputTransform, 'none');
    assert.match(c.inputTransformReason, /SAELens 6 loads the model without weight processing/);
  });

  it("reads the shipped SAE's form (v6 by its metadata object, no sae_lens_version; hook_layer in metadata)", () => {
    const c = parseSaeConfig({
      architecture: 'topk',
      d_in: 8,
      d_sae: 64,
      k: 16,
      dtype: 'float32',
      device: 'cpu',
      apply_b_dec_to_input: true,
      normalize_activations: 'none',
      reshape_activations: 'none',
      metadata: {
        model_name: 'gpt2-python-mini',
        hook_name: 'blocks.1.hook_resid_pre',
        hook_layer: 1,
        hook_head_index: null,
        model_from_pretrained_kwargs: { center_writing_weights: false },
        prepend_bos: true,
        seqpos_slice: [1, null],
      },
    });
    assert.equal(c.configForm, 'v6');
    assert.equal(c.k, 16);
    assert.equal(c.hookLayer, 1);
    assert.equal(c.inputTransform, 'none');
    assert.match(c.inputTransformReason, /center_writing_weights is false/);
  });

  it('the input transform follows center_writing_weights when given, in either form', () => {
    assert.equal(parseSaeConfig(v6Config({}, { model_from_pretrained_kwargs: { center_writing_weights: true } })).inputTransform, 'center');
    assert.equal(parseSaeConfig({ ...RES_JB, model_from_pretrained_kwargs: { center_writing_weights: false } }).inputTransform, 'none');
    const c = parseSaeConfig({ ...RES_JB, model_from_pretrained_kwargs: { center_writing_weights: true } });
    assert.equal(c.inputTransform, 'center');
    assert.match(c.inputTransformReason, /model_from_pretrained_kwargs\.center_writing_weights is true/);
    // pre-6 with kwargs that do not mention it: written by a SAELens that loads without processing
    assert.equal(parseSaeConfig({ ...RES_JB, model_from_pretrained_kwargs: {} }).inputTransform, 'none');
    assert.equal(refused(v6Config({}, { model_from_pretrained_kwargs: { center_writing_weights: 'yes' } })).code, 'malformed-config');
  });

  it('reads TopK in each of its forms: v6 k, pre-6 activation_fn_str with activation_fn_kwargs.k', () => {
    assert.equal(parseSaeConfig(v6Config({ architecture: 'topk', k: 5 })).k, 5);
    const old = parseSaeConfig({ ...RES_JB, activation_fn_str: 'topk', activation_fn_kwargs: { k: 32 } });
    assert.equal(old.architecture, 'topk');
    assert.equal(old.k, 32);
    const withArch = parseSaeConfig({ ...RES_JB, architecture: 'topk', activation_fn_kwargs: { k: 7 } });
    assert.equal(withArch.k, 7);
    assert.match(refused(v6Config({ architecture: 'topk' })).message, /needs k/);
    assert.match(refused(v6Config({ architecture: 'topk', k: 17 })).message, /k must be an integer in 1\.\.d_sae \(16\)/);
  });

  it('the old boolean normalize_activations: false is none, true is refused by its name', () => {
    assert.equal(parseSaeConfig({ ...RES_JB, normalize_activations: false }).architecture, 'standard');
    const e = refused({ ...RES_JB, normalize_activations: true });
    assert.equal(e.code, 'unsupported-normalization');
    assert.match(e.message, /expected_average_only_in/);
  });

  it("reads SAELens's run-time normalisations that need only the row: constant_norm_rescale, layer_norm", () => {
    assert.equal(parseSaeConfig(v6Config({ normalize_activations: 'layer_norm' })).normalizeActivations, 'layer_norm');
    assert.equal(parseSaeConfig({ ...RES_JB, normalize_activations: 'constant_norm_rescale' }).normalizeActivations, 'constant_norm_rescale');
    assert.equal(parseSaeConfig(v6Config()).normalizeActivations, undefined, "absent means 'none'");
  });

  it('refuses an unknown activation function and hook_z reshaping by name', () => {
    const e = refused({ ...RES_JB, activation_fn_str: 'tanh-relu' });
    assert.equal(e.code, 'unknown-architecture');
    assert.match(e.message, /'tanh-relu'/);
    assert.equal(refused(v6Config({ reshape_activations: 'hook_z' })).code, 'unsupported-normalization');
  });

  it('refuses a hook layer that disagrees with the hook name, and per-head SAEs', () => {
    assert.match(refused({ ...RES_JB, hook_point_layer: 3 }).message, /hook layer 3 disagrees with the hook name 'blocks\.8\.hook_resid_pre'/);
    assert.match(refused({ ...RES_JB, hook_point_head_index: 2 }).message, /one attention head/);
  });

  it('refuses non-objects', () => {
    assert.equal(refused([1, 2]).code, 'malformed-config');
    assert.equal(refused('cfg').code, 'malformed-config');
  });
});
