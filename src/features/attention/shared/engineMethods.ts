/**
 * Inspect Attention's engine methods: what the extension host asks the engine process, and what
 * it answers. Plain data, shared by src/features/attention/session.ts and engine/handlers.ts.
 */
import type { HeadActivity, InspectionParams } from '../../../shared/inspection';
import type { ModelSpec } from '../../../shared/modelSpec';
import type { HeadPatternParams, HeadPatternRequestParams } from './protocol';

export interface InspectParams {
  readonly model: ModelSpec;
  readonly inspectionId: string;
  /** The prompt text (already EOL-normalised by the host). */
  readonly text: string;
  readonly watchTokens: readonly string[];
  /**
   * Keep only `truncateTo` tokens (BOS included). Without it a prompt longer than the model's
   * context fails with code `too-long`.
   */
  readonly truncateTo?: number;
  /**
   * Which tokens `truncateTo` keeps: the first (default) or the last, the ones that matter for the
   * next-token question. With the last, BOS (when prepended) still comes first.
   */
  readonly keep?: 'first' | 'last';
}

export interface InspectResult {
  readonly inspection: InspectionParams;
  /** Tokens before truncation (equal to inspection.tokens.length when not truncated). */
  readonly promptTokens: number;
  readonly truncated: boolean;
  /** The model's context (n_positions). */
  readonly n_ctx: number;
  readonly loadMs: number;
  readonly runMs: number;
}

export interface TokenActivityQuery {
  readonly inspectionId: string;
  readonly tokenIndex: number;
}

export interface TokenActivityResult {
  readonly inspectionId: string;
  readonly tokenIndex: number;
  readonly n_layers: number;
  readonly n_heads: number;
  /** Ordered by layer then head. */
  readonly heads: readonly HeadActivity[];
}

/** Export the kept inspection's activations (every hook) to one safetensors file, written by the engine. */
export interface ExportCacheParams {
  readonly inspectionId: string;
  /** Absolute path of the .safetensors file to write (chosen by the host; replaced if it exists). */
  readonly path: string;
  /** The model as the user named it (the circuitInspector.model value, a hub id), for the metadata. */
  readonly modelId: string;
}

export interface ExportCacheResult {
  readonly path: string;
  readonly bytes: number;
  /** How many hook tensors the file holds. */
  readonly tensors: number;
  readonly n_tokens: number;
}

/**
 * `inspect` runs are served one at a time, in order (cancelling a queued one removes it; one in
 * flight finishes and its result is dropped). The engine keeps the last delivered inspection's
 * patterns for `headPattern` and `tokenActivity`, which only read memory, and its tokens for
 * `exportCache`, which runs them again with every hook (queued like `inspect`).
 */
export type AttentionEngineMethods = {
  inspect: { params: InspectParams; result: InspectResult };
  headPattern: { params: HeadPatternRequestParams; result: HeadPatternParams };
  tokenActivity: { params: TokenActivityQuery; result: TokenActivityResult };
  exportCache: { params: ExportCacheParams; result: ExportCacheResult };
};
