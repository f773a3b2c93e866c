/**
 * SAELens's cfg.json → SaeConfig. Two forms exist on disk:
 * - v6 (sae_lens ≥ 6): `architecture`, `d_in`, `d_sae`, `dtype`, `apply_b_dec_to_input`,
 *   `normalize_activations`, and a `metadata` object with `hook_name`, `prepend_bos`, `model_name`,
 *   `model_from_pretrained_kwargs`, `sae_lens_version`.
 * - pre-6: flat `hook_point`, `hook_point_layer`, `activation_fn_str` (+ `activation_fn_kwargs.k` for
 *   TopK), `model_name`, `prepend_bos`, `model_from_pretrained_kwargs`, `normalize_activations` (a
 *   string, or a boolean in old files), and sometimes `architecture`. SAELens fills the same defaults
 *   as here: prepend_bos true, apply_b_dec_to_input true, architecture 'standard', relu,
 *   normalize_activations 'none'.
 * SAELens tells the forms apart by `sae_lens_version` (top level or in `metadata`) ≥ 6; a file with a
 * `metadata` object but no version is read as v6 too.
 */
import { SaeError } from './saeError';
import { SAE_ARCHITECTURES, type SaeArchitecture, type SaeConfig, type SaeInputTransform, type SaeNormalization } from './saeTypes';

export const SAE_CONFIG_FILE = 'cfg.json';
export const SAE_WEIGHTS_FILE = 'sae_weights.safetensors';
export const SAE_SPARSITY_FILE = 'sparsity.safetensors';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(cfg: Json, key: string, where: string): number {
  const v = cfg[key];
  if (v === undefined || v === null) throw new SaeError('malformed-config', `${where}: '${key}' is missing (SAELens configs give d_in and d_sae)`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new SaeError('malformed-config', `${where}: '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function optionalBool(cfg: Json, key: string, fallback: boolean, where: string): boolean {
  const v = cfg[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new SaeError('malformed-config', `${where}: '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function optionalString(cfg: Json, key: string, where: string): string | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SaeError('malformed-config', `${where}: '${key}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function majorVersion(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)/.exec(v.trim());
  return m ? Number(m[1]) : undefined;
}

/** 'torch.float32' (old SAELens) → 'float32'. */
function normaliseDtype(v: unknown, where: string): string {
  if (v === undefined || v === null) return 'float32';
  if (typeof v !== 'string') throw new SaeError('malformed-config', `${where}: 'dtype' must be a string, got ${JSON.stringify(v)}`);
  return v.replace(/^torch\./, '');
}

function parseArchitecture(name: string, where: string): SaeArchitecture {
  if ((SAE_ARCHITECTURES as readonly string[]).includes(name)) return name as SaeArchitecture;
  throw new SaeError(
    'unknown-architecture',
    `${where}: architecture '${name}' is not supported; supported architectures: ${SAE_ARCHITECTURES.join(', ')}` +
      (name === 'batchtopk' || name === 'matryoshka_batchtopk' ? ` (SAELens saves trained ${name} SAEs as 'jumprelu' for inference; re-save it that way)` : ''),
  );
}

/** normalize_activations: none, or the two run-time normalisations computed from each row alone. */
function parseNormalization(v: unknown, where: string): SaeNormalization {
  if (v === undefined || v === null || v === 'none' || v === false) return 'none';
  if (v === 'constant_norm_rescale' || v === 'layer_norm') return v;
  const name = v === true ? 'true (expected_average_only_in)' : JSON.stringify(v);
  const why =
    v === true || v === 'expected_average_only_in'
      ? 'it scales inputs by a dataset-wide factor that is not stored with the SAE; fold it into the weights (SAELens: sae.fold_activation_norm_scaling_factor(...)) and save again'
      : 'supported: "none", "constant_norm_rescale", "layer_norm"';
  throw new SaeError('unsupported-normalization', `${where}: normalize_activations ${name} is not supported: ${why}`);
}

/**
 * Which input transform reproduces the residual stream the SAE was trained on, and why.
 *
 * SAEs trained on TransformerLens's processed GPT-2 (`center_writing_weights`) saw a residual stream
 * whose mean over d_model is zero at every position; our engine runs the unprocessed weights, where
 * the same stream equals ours minus its row mean. The rule:
 * 1. `model_from_pretrained_kwargs.center_writing_weights` given (either form): obey it.
 * 2. v6 without it: none. SAELens 6 loads the model with `from_pretrained_no_processing(**kwargs)`.
 * 3. pre-6 with a `model_from_pretrained_kwargs` object but no such key: none, for the same reason
 *    (the SAELens versions that write the field load without processing).
 * 4. pre-6 with no `model_from_pretrained_kwargs` at all: center. Those SAEs come from SAELens
 *    versions that loaded with `HookedTransformer.from_pretrained`, whose default processing centres
 *    the writing weights; SAELens's own registry entry for gpt2-small-res-jb (whose cfg.json has no
 *    such field) overrides it with `center_writing_weights: true`.
 */
export function inputTransformOf(kwargs: unknown, form: 'v6' | 'pre6', where: string): { transform: SaeInputTransform; reason: string } {
  if (kwargs !== undefined && kwargs !== null && !isObject(kwargs)) {
    throw new SaeError('malformed-config', `${where}: 'model_from_pretrained_kwargs' must be an object, got ${JSON.stringify(kwargs)}`);
  }
  const field = form === 'v6' ? 'metadata.model_from_pretrained_kwargs' : 'model_from_pretrained_kwargs';
  if (isObject(kwargs) && kwargs.center_writing_weights !== undefined) {
    const c = kwargs.center_writing_weights;
    if (typeof c !== 'boolean')
      throw new SaeError('malformed-config', `${where}: '${field}.center_writing_weights' must be true or false, got ${JSON.stringify(c)}`);
    return c
      ? { transform: 'center', reason: `${field}.center_writing_weights is true: each row's mean over d_model is subtracted before encoding` }
      : { transform: 'none', reason: `${field}.center_writing_weights is false: the residual stream is used as the model computes it` };
  }
  if (form === 'v6') {
    return { transform: 'none', reason: `${field} does not set center_writing_weights, and SAELens 6 loads the model without weight processing` };
  }
  if (isObject(kwargs)) {
    return {
      transform: 'none',
      reason: `${field} does not set center_writing_weights, and the SAELens versions that write it load the model without processing`,
    };
  }
  return {
    transform: 'center',
    reason:
      'a pre-6 config without model_from_pretrained_kwargs: trained on TransformerLens from_pretrained, which centres writing weights by default (as SAELens assumes for gpt2-small-res-jb), so each row mean is subtracted',
  };
}

function parseK(cfg: Json, fnKwargs: unknown, where: string, dSae: number): number {
  const raw = cfg.k ?? (isObject(fnKwargs) ? fnKwargs.k : undefined);
  if (raw === undefined || raw === null)
    throw new SaeError('malformed-config', `${where}: a topk SAE needs k ('k', or 'activation_fn_kwargs.k' in pre-6 configs)`);
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0 || raw > dSae) {
    throw new SaeError('malformed-config', `${where}: topk k must be an integer in 1..d_sae (${dSae}), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** The layer in a TL hook name ('blocks.3.hook_resid_pre' → 3; global hooks → 0). */
function layerOfHook(hook: string): number {
  const m = /^blocks\.(\d+)\./.exec(hook);
  return m ? Number(m[1]) : 0;
}

/** cfg.json (v6 or pre-6) → SaeConfig; throws SaeError naming the field. */
export function parseSaeConfig(json: unknown, where = SAE_CONFIG_FILE): SaeConfig {
  if (!isObject(json))
    throw new SaeError('malformed-config', `${where}: expected a JSON object, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`);
  const meta = json.metadata;
  if (meta !== undefined && meta !== null && !isObject(meta)) throw new SaeError('malformed-config', `${where}: 'metadata' must be an object`);
  const version = majorVersion(json.sae_lens_version ?? (isObject(meta) ? meta.sae_lens_version : undefined));
  const form: 'v6' | 'pre6' = version !== undefined ? (version >= 6 ? 'v6' : 'pre6') : isObject(meta) ? 'v6' : 'pre6';

  const dIn = positiveInt(json, 'd_in', where);
  const dSae = positiveInt(json, 'd_sae', where);
  const dtype = normaliseDtype(json.dtype, where);
  const applyBDecToInput = optionalBool(json, 'apply_b_dec_to_input', true, where);
  const normalizeActivations = parseNormalization(json.normalize_activations, where);
  if (json.reshape_activations !== undefined && json.reshape_activations !== null && json.reshape_activations !== 'none') {
    throw new SaeError(
      'unsupported-normalization',
      `${where}: reshape_activations ${JSON.stringify(json.reshape_activations)} is not supported (hook_z SAEs read [head_index, d_head], not d_model)`,
    );
  }
  if (json.rescale_acts_by_decoder_norm === true) {
    throw new SaeError(
      'unsupported-normalization',
      `${where}: rescale_acts_by_decoder_norm true is not supported; fold the decoder norms into W_enc and save again`,
    );
  }

  // Fields that v6 keeps in `metadata` and pre-6 keeps at the top level (v6 files sometimes repeat them).
  const m: Json = form === 'v6' && isObject(meta) ? { ...json, ...meta } : json;
  const metaWhere = form === 'v6' ? `${where} metadata` : where;
  const hookName =
    optionalString(m, form === 'v6' ? 'hook_name' : 'hook_point', metaWhere) ?? optionalString(m, form === 'v6' ? 'hook_point' : 'hook_name', metaWhere);
  if (!hookName)
    throw new SaeError(
      'malformed-config',
      `${where}: no hook name (${form === 'v6' ? 'metadata.hook_name' : 'hook_point'}), so the SAE cannot be attached to the model`,
    );
  const layerField = m.hook_point_layer ?? m.hook_layer;
  const hookLayer = typeof layerField === 'number' && Number.isInteger(layerField) ? layerField : layerOfHook(hookName);
  if (layerField !== undefined && layerField !== null && hookLayer !== layerOfHook(hookName) && /^blocks\./.test(hookName)) {
    throw new SaeError('malformed-config', `${where}: hook layer ${JSON.stringify(layerField)} disagrees with the hook name '${hookName}'`);
  }
  if (m.hook_point_head_index !== undefined && m.hook_point_head_index !== null) {
    throw new SaeError(
      'malformed-config',
      `${where}: SAEs on one attention head (hook_point_head_index ${JSON.stringify(m.hook_point_head_index)}) are not supported`,
    );
  }
  if (m.hook_head_index !== undefined && m.hook_head_index !== null) {
    throw new SaeError('malformed-config', `${where}: SAEs on one attention head (hook_head_index ${JSON.stringify(m.hook_head_index)}) are not supported`);
  }

  const archField = optionalString(json, 'architecture', where);
  const activationFn = optionalString(json, form === 'v6' ? 'activation_fn' : 'activation_fn_str', where) ?? optionalString(json, 'activation_fn', where);
  let architecture: SaeArchitecture;
  if (archField) architecture = parseArchitecture(archField, where);
  else if (activationFn === 'topk') architecture = 'topk';
  else architecture = 'standard';
  // An old 'standard' file with activation_fn_str 'topk' is a TopK SAE (SAELens's TopK activation).
  if (architecture === 'standard' && activationFn === 'topk') architecture = 'topk';
  if (architecture === 'standard' && activationFn !== undefined && activationFn !== 'relu' && activationFn !== 'topk') {
    throw new SaeError(
      'unknown-architecture',
      `${where}: activation function '${activationFn}' is not supported; supported: relu, topk (and the architectures ${SAE_ARCHITECTURES.join(', ')})`,
    );
  }
  const k = architecture === 'topk' ? parseK(json, json.activation_fn_kwargs, where, dSae) : undefined;

  const { transform, reason } = inputTransformOf(m.model_from_pretrained_kwargs, form, where);
  const prependBos =
    m.prepend_bos === undefined || m.prepend_bos === null ? (form === 'pre6' ? true : undefined) : optionalBool(m, 'prepend_bos', true, metaWhere);
  return Object.freeze({
    architecture,
    dIn,
    dSae,
    dtype,
    hookName,
    hookLayer,
    applyBDecToInput,
    ...(k !== undefined ? { k } : {}),
    ...(prependBos !== undefined ? { prependBos } : {}),
    ...(optionalString(m, 'model_name', metaWhere) ? { modelName: optionalString(m, 'model_name', metaWhere) } : {}),
    inputTransform: transform,
    inputTransformReason: reason,
    configForm: form,
    ...(normalizeActivations !== 'none' ? { normalizeActivations } : {}),
  });
}
