/**
 * Inspect Residual Stream's engine methods: what the extension host asks the engine process, and
 * what it answers. Plain data, shared by src/features/residual/session.ts and engine/handlers.ts.
 */
import type { ModelSpec } from '../../../shared/modelSpec';
import type { LensVariant, ResidualStreamRecord } from '../../../shared/residualStream';
import type { DocumentNormsParams, ResidualPartialRecord } from './protocol';

export interface AnalyseParams {
  readonly model: ModelSpec;
  readonly inspectionId: string;
  /** The prompt text (already EOL-normalised by the host). */
  readonly text: string;
  /**
   * The answer token's text (' param'); absent or '' = the model's top token at the last position. Text that
   * is several tokens uses its first token (the result's `notes` say so).
   */
  readonly answer?: string;
  /** The wrong token's text; absent or '' = none (DLA onto W_U[:, answer]). */
  readonly wrong?: string;
  /** DLA position, a token index (BOS included); absent = the last token. */
  readonly position?: number;
  readonly variant: LensVariant;
  /** Top tokens kept per lens cell. */
  readonly k: number;
  /** Keep only `truncateTo` tokens (BOS included); without it a prompt longer than the context fails with `too-long`. */
  readonly truncateTo?: number;
  /** Which tokens `truncateTo` keeps (BOS, when prepended, stays first). */
  readonly keep?: 'first' | 'last';
}

export interface AnalyseResult {
  readonly record: ResidualStreamRecord;
  /** How the input was handled, as sentences for the view (a multi-token answer, truncation). */
  readonly notes: readonly string[];
  /** Tokens before truncation. */
  readonly promptTokens: number;
  readonly truncated: boolean;
  readonly n_ctx: number;
  /** True when the forward came from the engine's cache (the attention panel's run, or an earlier analysis). */
  readonly forwardReused: boolean;
  readonly loadMs: number;
  /** Milliseconds of the forward (0 when reused) and of the analysis. */
  readonly forwardMs: number;
  readonly analysisMs: number;
}

/** What an analysis knows before its logit lens: the result with the record's norms and DLA, no lens. */
export interface AnalysePartial extends Omit<AnalyseResult, 'record' | 'analysisMs'> {
  readonly record: ResidualPartialRecord;
}

/**
 * Progress of an analysis that runs the logit lens: once `partial` (the norms and DLA, before the
 * lens starts), then `lens` after each chunk of rows (boundary, position) unembedded. An analysis
 * that reuses its lens (a new position or wrong token) sends neither: its result comes at once.
 */
export type AnalyseProgress =
  { readonly kind: 'partial'; readonly partial: AnalysePartial } | { readonly kind: 'lens'; readonly rowsDone: number; readonly rowsTotal: number };

export interface DocumentNormsRequest {
  readonly model: ModelSpec;
  readonly runId: string;
  readonly text: string;
  /** Shown in the view (the file name). */
  readonly source: string;
  /** Tokens per window, BOS included; absent = the model's context (n_positions). */
  readonly windowTokens?: number;
  /** Run at most this many windows (the first ones); the result's notes say when the document had more. */
  readonly maxWindows?: number;
}

/** Progress of a document run: windows done of total. */
export interface DocumentNormsProgress {
  readonly done: number;
  readonly total: number;
}

/** Export the residual stream of an analysed prompt as safetensors with TransformerLens hook names. */
export interface ExportResidualParams {
  readonly inspectionId: string;
  /** Absolute path of the .safetensors file to write (replaced if it exists). */
  readonly path: string;
  /** The model as the user named it (the circuitInspector.model value), for the metadata. */
  readonly modelId: string;
}

export interface ExportResidualResult {
  readonly path: string;
  readonly bytes: number;
  readonly tensors: number;
  readonly n_tokens: number;
}

/**
 * `analyse` runs are served one at a time. The forward of a prompt comes from the engine's forward
 * cache when the attention panel (or an earlier analysis) ran the same tokens with the same model;
 * changing the answer, the wrong token, the position or the variant re-runs only the analysis.
 * When it runs the logit lens, its norms and DLA arrive first as `partial` progress.
 * `exportResidual` writes the residual stream of the last analysed prompt.
 */
export type ResidualEngineMethods = {
  analyse: { params: AnalyseParams; result: AnalyseResult; progress: AnalyseProgress };
  documentNorms: { params: DocumentNormsRequest; result: DocumentNormsParams; progress: DocumentNormsProgress };
  exportResidual: { params: ExportResidualParams; result: ExportResidualResult };
};
