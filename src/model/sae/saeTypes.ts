/** The shapes of a loaded sparse autoencoder (SAELens on-disk format, in float32). */

export type SaeArchitecture = 'standard' | 'jumprelu' | 'topk' | 'gated';
export const SAE_ARCHITECTURES: readonly SaeArchitecture[] = ['standard', 'jumprelu', 'topk', 'gated'];

/**
 * SAELens's run-time input normalisations that need nothing outside the folder (absent = 'none'):
 * - 'constant_norm_rescale': x · sqrt(d_in)/‖x‖ before encoding, the reconstruction divided back;
 * - 'layer_norm': (x − mean)/(std + 1e-5) with the unbiased std, the reconstruction · std + mean.
 * ('expected_average_only_in' needs a dataset-wide factor and is refused.)
 */
export type SaeNormalization = 'none' | 'constant_norm_rescale' | 'layer_norm';

/** 'center': subtract each row's mean over d_in (TL's processed GPT-2, center_writing_weights). */
export type SaeInputTransform = 'none' | 'center';

export interface SaeConfig {
  readonly architecture: SaeArchitecture;
  readonly dIn: number;
  readonly dSae: number;
  /** As stored in cfg.json ('float32', 'float16', 'bfloat16'). */
  readonly dtype: string;
  /** A TL hook name, e.g. 'blocks.1.hook_resid_pre'. */
  readonly hookName: string;
  readonly hookLayer: number;
  readonly applyBDecToInput: boolean;
  /** topk only */
  readonly k?: number;
  readonly prependBos?: boolean;
  /** metadata.model_name (v6) / model_name (pre-6) */
  readonly modelName?: string;
  readonly inputTransform: SaeInputTransform;
  /** Why that transform, shown in the view. */
  readonly inputTransformReason: string;
  readonly configForm: 'v6' | 'pre6';
  /** normalize_activations; absent means 'none'. */
  readonly normalizeActivations?: SaeNormalization;
}

/** float32, row-major. */
export interface SaeWeights {
  /** [d_in, d_sae] */ readonly W_enc: Float32Array;
  /** [d_sae, d_in] */ readonly W_dec: Float32Array;
  /** [d_sae] (zeros for gated, which has none) */ readonly b_enc: Float32Array;
  /** [d_in] */ readonly b_dec: Float32Array;
  /** jumprelu [d_sae] */ readonly threshold?: Float32Array;
  /** gated [d_sae] */ readonly b_gate?: Float32Array;
  /** gated [d_sae] */ readonly b_mag?: Float32Array;
  /** gated [d_sae] */ readonly r_mag?: Float32Array;
}

export interface LoadedSae {
  /** Stable key: resolved folder + file sizes/mtimes (for caches). */
  readonly id: string;
  /** Short name for the view, e.g. "gpt2-python-mini · blocks.1.hook_resid_pre · 1024 features". */
  readonly label: string;
  readonly folder: string;
  readonly config: SaeConfig;
  readonly weights: SaeWeights;
  /** [d_sae] log10 feature density from sparsity.safetensors */
  readonly logDensity?: Float32Array;
}
