/**
 * Compare Token Substitution's engine methods. A comparison starts with `openComparison`, which
 * tokenizes the clean prompt and runs it once; the engine keeps that as the comparison's context,
 * and the small methods after it (`rankSubstitutes`, `tokenizeCorrupt`) reuse it instead of
 * re-running the clean prompt. The patching runs take token ids. Plain data, no `vscode`.
 */
import type { LogitsError, PatchTableCheck } from '../../../shared/precision';
import type { SubstituteRanking } from '../../../shared/substitutes';
import type { ModelSpec } from '../../../shared/modelSpec';
import type { PromptToken, TokenRef, TopToken } from '../../../shared/tokens';
import type { DiffOp, MetricSpec, PatchDirection, PatchTable, SaeFeatureRow, SaeSummary, SweepKind, SweepProgress } from './protocol';

export interface OpenComparisonParams {
  readonly model: ModelSpec;
  /** Chosen by the host; names the context in the calls that follow. */
  readonly comparisonId: string;
  readonly clean: string;
  /** How many next-token predictions to return per prompt (default 5). */
  readonly topK?: number;
}

export interface OpenComparisonResult {
  readonly comparisonId: string;
  readonly clean: readonly PromptToken[];
  readonly topClean: readonly TopToken[];
  readonly n_layers: number;
  readonly n_heads: number;
  readonly n_ctx: number;
  /** An int8 model's logits error on the clean prompt against its fp32 forward (absent in the exact mode). */
  readonly precisionError?: LogitsError;
}

export interface RankSubstitutesParams {
  readonly comparisonId: string;
  /** The clean token to substitute. */
  readonly position: number;
  readonly limit: number;
  /** Rank only these ids (e.g. the replacement chosen, to check whether a head treats it specially). */
  readonly candidates?: readonly number[];
  /** The document around the prompt: its words are suggested first. */
  readonly context?: string;
}

export interface TokenizeCorruptParams {
  readonly comparisonId: string;
  /** The prompt with the substitution made. */
  readonly corrupt: string;
  /** The clean position replaced and the requested text: nearest single-token alternatives when the counts differ. */
  readonly replaced?: { readonly position: number; readonly text: string };
}

export interface TokenDiffInfo {
  readonly ops: readonly DiffOp[];
  readonly aligned: boolean;
  readonly differingPositions: readonly number[];
  readonly firstDifference: number;
}

export interface TokenizeCorruptResult {
  readonly corrupt: readonly PromptToken[];
  readonly diff: TokenDiffInfo;
  /** Next-token predictions of the corrupt prompt (only when the prompts align). */
  readonly topCorrupt?: readonly TopToken[];
  /** Single-token alternatives for the replaced token, when the counts differ. */
  readonly nearest?: readonly TokenRef[];
}

export interface EncodeParams {
  readonly model: ModelSpec;
  readonly texts: readonly string[];
}

export interface PatchRunParams {
  readonly model: ModelSpec;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: MetricSpec;
  readonly sweeps: readonly SweepKind[];
  readonly directions?: readonly PatchDirection[];
  /** Most patches per batched run (default 32). */
  readonly maxBatch?: number;
  /** Bytes the exact sweeps' batched runs may take (the setting `patchingMemoryBudgetMB`; default 2 GiB). */
  readonly memoryBudgetBytes?: number;
}

export interface PatchRunResult {
  readonly metricClean: number;
  readonly metricCorrupt: number;
  /** attribution: every table; patchSweeps: none (each arrived as progress). */
  readonly tables: readonly PatchTable[];
  readonly ms: number;
}

/** `detail` of a patchSweeps progress message. */
export type PatchSweepsDetail = { readonly kind: 'progress'; readonly progress: SweepProgress } | { readonly kind: 'table'; readonly table: PatchTable };

/** One exact table of an int8 run, recomputed with the fp32 weights of the same loaded model and compared. */
export interface CheckTableParams extends Omit<PatchRunParams, 'sweeps' | 'directions'> {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  /** The int8 table shown: its patched metric per cell and the int8 runs' metric. */
  readonly int8: { readonly patched: Float32Array; readonly metricClean: number; readonly metricCorrupt: number };
}

export interface CheckTableResult {
  readonly check: PatchTableCheck;
  /** The table recomputed in fp32. */
  readonly fp32: PatchTable;
  readonly ms: number;
}

/** `detail` of a checkTable progress message: work done of the table's planned work. */
export interface CheckTableDetail {
  readonly done: number;
  readonly total: number;
}

export function isCheckTableDetail(v: unknown): v is CheckTableDetail {
  return typeof v === 'object' && v !== null && 'done' in v && 'total' in v && typeof v.done === 'number' && typeof v.total === 'number';
}

export interface HeadPatternsQuery {
  readonly model: ModelSpec;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly layer: number;
  readonly head: number;
}

export interface HeadPatternsResult {
  readonly n_tokens: number;
  readonly clean_q_k: Float32Array;
  readonly corrupt_q_k: Float32Array;
}

/** Features of an SAE that carry the substitution: attribution, then exact patches of the top ones. */
export interface FeatureAttributionParams {
  readonly model: ModelSpec;
  /** The SAE's folder (SAELens format), resolved by the host from `circuitInspector.sae`. */
  readonly sae: string;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: MetricSpec;
  /** How many features to list and patch exactly (default 10). */
  readonly topK?: number;
  /** Most features per batched exact run (default 32). */
  readonly maxBatch?: number;
}

export interface FeatureAttributionResult {
  readonly sae: SaeSummary;
  readonly metricClean: number;
  readonly metricCorrupt: number;
  /** The top features, strongest first, each with its exact patches in both directions. */
  readonly features: readonly SaeFeatureRow[];
  /** Features with a non-zero attribution in either direction. */
  readonly attributed: number;
  /** The SAE was trained for another model, …. */
  readonly warnings: readonly string[];
  readonly attributionMs: number;
  readonly exactMs: number;
}

/**
 * `detail` of a featureAttribution progress message: the ranked estimate as soon as it is known
 * (rows without `exact`), then the exact patches' progress.
 */
export type FeatureAttributionDetail =
  | { readonly kind: 'estimate'; readonly estimate: Omit<FeatureAttributionResult, 'exactMs'> }
  | { readonly kind: 'exact'; readonly direction: PatchDirection; readonly done: number; readonly total: number };

export function isFeatureAttributionDetail(v: unknown): v is FeatureAttributionDetail {
  return typeof v === 'object' && v !== null && 'kind' in v && ((v.kind === 'estimate' && 'estimate' in v) || (v.kind === 'exact' && 'done' in v));
}

export type SubstitutionEngineMethods = {
  openComparison: { params: OpenComparisonParams; result: OpenComparisonResult };
  rankSubstitutes: { params: RankSubstitutesParams; result: SubstituteRanking };
  tokenizeCorrupt: { params: TokenizeCorruptParams; result: TokenizeCorruptResult };
  encode: { params: EncodeParams; result: readonly (readonly TokenRef[])[] };
  attribution: { params: PatchRunParams; result: PatchRunResult };
  patchSweeps: { params: PatchRunParams; result: PatchRunResult; progress: PatchSweepsDetail };
  headPatterns: { params: HeadPatternsQuery; result: HeadPatternsResult };
  checkTable: { params: CheckTableParams; result: CheckTableResult; progress: CheckTableDetail };
  featureAttribution: { params: FeatureAttributionParams; result: FeatureAttributionResult; progress: FeatureAttributionDetail };
};

export function isPatchSweepsDetail(v: unknown): v is PatchSweepsDetail {
  return typeof v === 'object' && v !== null && 'kind' in v && ((v.kind === 'progress' && 'progress' in v) || (v.kind === 'table' && 'table' in v));
}
