/**
 * The residual-stream analysis as plain data: the logit lens, residual norms and direct logit
 * attribution of one prompt. `src/analysis/residual/` computes these records in the engine; the
 * CLI writes them as JSON; the host and the webview read them. No `vscode`, no Node.
 *
 * Arrays named by their shape are row-major with the named axes outermost first, as elsewhere:
 * `entropy_boundary_pos` is [n_boundaries, n_tokens].
 *
 * A **boundary** is a point between blocks where the residual stream is read: boundary b < n_layers
 * is `blocks.{b}.hook_resid_pre`, boundary n_layers is `blocks.{n_layers-1}.hook_resid_post` (the
 * stream ln_final reads). So n_boundaries = n_layers + 1, and `blocks.{l}.hook_resid_post` is
 * boundary l + 1.
 */
import type { PromptToken, TokenRef } from './tokens';

/**
 * How ln_final is applied to an intermediate residual in the logit lens:
 * - `recompute`: its own mean and variance (TransformerLens after PR#1180; the default);
 * - `cached-scale`: centred, but divided by the final layer's cached scale at that position (what TL
 *   did before PR#1180: early layers look nearly uniform).
 * With LayerNorm in identity mode both are the identity.
 */
export type LensVariant = 'recompute' | 'cached-scale';
export const LENS_VARIANTS: readonly LensVariant[] = ['recompute', 'cached-scale'];

/** The logit direction DLA projects onto: `W_U[:, answer] − W_U[:, wrong]`, or `W_U[:, answer]` when `wrong` is absent. */
export interface LogitDirection {
  readonly answer: TokenRef;
  readonly wrong?: TokenRef;
}

export interface LogitLensRecord {
  readonly variant: LensVariant;
  readonly n_boundaries: number;
  readonly n_tokens: number;
  /** Top tokens kept per cell. */
  readonly k: number;
  /** Hook name of each boundary (see the file comment). */
  readonly boundaryHooks: readonly string[];
  /** The token whose probability and rank are reported per cell. */
  readonly answer: TokenRef;
  /** [n_boundaries, n_tokens, k] token ids, most probable first. */
  readonly top_ids_boundary_pos_k: Int32Array;
  /** [n_boundaries, n_tokens, k] their probabilities (softmax over the whole vocabulary). */
  readonly top_probs_boundary_pos_k: Float32Array;
  /** [n_boundaries, n_tokens] entropy of the lens distribution, in nats. */
  readonly entropy_boundary_pos: Float32Array;
  /** [n_boundaries, n_tokens] log-probability of `answer`. */
  readonly answer_logprob_boundary_pos: Float32Array;
  /** [n_boundaries, n_tokens] rank of `answer`: 0 when it is the top token (the number of tokens with a larger logit). */
  readonly answer_rank_boundary_pos: Int32Array;
  /** Text of every token id that appears in `top_ids_boundary_pos_k` (and of `answer`), keyed by id. */
  readonly tokenTexts: Readonly<Record<number, string>>;
}

export interface GrowthFit {
  /** Per layer l: geometric mean over non-BOS positions of norm(boundary l + 1) / norm(boundary l). [n_layers] */
  readonly factor_layer: Float32Array;
  /** The same ratio at position 0 when it is a BOS token, else null. */
  readonly bos_factor_layer: Float32Array | null;
  /**
   * One factor per layer fitted to the median (over non-BOS positions) norm: exp of the least-squares
   * slope of ln(median norm) against the boundary index. What the legend shows.
   */
  readonly fitted: number;
}

export interface ResidualNormsRecord {
  readonly n_boundaries: number;
  readonly n_layers: number;
  readonly n_tokens: number;
  /** Position 0 is a BOS token (reported apart from the others). */
  readonly hasBos: boolean;
  /** [n_boundaries, n_tokens] L2 norm of the residual stream. */
  readonly raw_boundary_pos: Float32Array;
  /** [n_boundaries, n_tokens] L2 norm after subtracting its mean over d_model. */
  readonly centred_boundary_pos: Float32Array;
  /** [n_layers, n_tokens] L2 norms of `blocks.{l}.hook_attn_out` and `hook_mlp_out`. */
  readonly attn_out_layer_pos: Float32Array;
  readonly mlp_out_layer_pos: Float32Array;
  readonly rawGrowth: GrowthFit;
  readonly centredGrowth: GrowthFit;
}

/**
 * Direct logit attribution at one position. Every component goes through ln_final with the final
 * layer's cached scale at that position (centred, ÷ scale, × ln_f.w), then onto the direction;
 * ln_f.b's contribution is its own constant. The components add up to `logitDiff`.
 */
export interface DirectLogitAttributionRecord {
  readonly position: number;
  readonly direction: LogitDirection;
  readonly n_layers: number;
  readonly n_heads: number;
  readonly n_tokens: number;
  /** The model's own logit[answer] − logit[wrong] (or logit[answer]) at `position`. */
  readonly logitDiff: number;
  /** The sum of every component below (equals logitDiff up to float rounding). */
  readonly total: number;
  /** ln_final's cached scale at `position` (sqrt(var + eps); 1 in identity mode). */
  readonly finalScale: number;
  readonly tokenEmbed: number;
  readonly posEmbed: number;
  /** [n_layers, n_heads] each head's result (z · W_O of that head), without b_O. */
  readonly heads_layer_head: Float32Array;
  /** [n_layers] each layer's attention output bias b_O. */
  readonly attnBias_layer: Float32Array;
  /** [n_layers] each MLP's output. */
  readonly mlp_layer: Float32Array;
  /** ln_f.b · direction (0 in identity mode). */
  readonly lnFinalBias: number;
  /**
   * [n_layers, n_heads, n_tokens] a head's contribution through each key position: pattern[position, key]
   * × (v[key] · W_O of the head). Sums over keys to `heads_layer_head`; zero after `position`.
   */
  readonly sources_layer_head_key: Float32Array;
}

export interface ResidualStreamRecord {
  readonly inspectionId: string;
  readonly modelName: string;
  readonly n_layers: number;
  readonly n_heads: number;
  readonly tokens: readonly PromptToken[];
  readonly lens: LogitLensRecord;
  readonly norms: ResidualNormsRecord;
  readonly dla: DirectLogitAttributionRecord;
}

/** Index of boundary b, position p in a [n_boundaries, n_tokens] array. */
export function boundaryPosIndex(nTokens: number, boundary: number, position: number): number {
  return boundary * nTokens + position;
}

/** The hook name of boundary b (see the file comment). */
export function boundaryHook(nLayers: number, boundary: number): string {
  if (!Number.isInteger(boundary) || boundary < 0 || boundary > nLayers) throw new RangeError(`boundary ${boundary} outside 0..${nLayers}`);
  return boundary < nLayers ? `blocks.${boundary}.hook_resid_pre` : `blocks.${nLayers - 1}.hook_resid_post`;
}
