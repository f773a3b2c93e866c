/**
 * The engine worker's patching requests (Compare Token Substitution): their params, results and
 * the structured progress `patchSweeps` sends. No `vscode` import. The request envelope, ids,
 * cancel and errors are engineProtocol.ts's.
 */
import type { TokenDiffOp } from '../../../analysis/substitution/tokenDiff';
import type { SpecialTokenFinding } from '../../attention/shared/protocol';
import type { MetricSpec, PatchDirection, PatchTable, SweepKind, SweepProgress, TokenRef } from './protocol';
import type { ModelSpec } from '../../../engine/protocol';

export interface PlanToken extends TokenRef {
  readonly isBos: boolean;
  /** [start, end) in the prompt text (UTF-16); BOS is empty at 0. */
  readonly start: number;
  readonly end: number;
}

export interface TopTokenInfo extends TokenRef {
  readonly logit: number;
  readonly prob: number;
}

export interface SubstitutionPlanParams {
  readonly model: ModelSpec;
  readonly clean: string;
  /** The prompt with the substitution made; omit to only tokenize (and rank) the clean one. */
  readonly corrupt?: string;
  /**
   * Rank same-kind single-token substitutes for this clean token index (costs model runs), or only
   * the given `candidates` (e.g. the replacement chosen, to check whether a head treats it specially).
   */
  readonly rank?: { readonly position: number; readonly limit: number; readonly candidates?: readonly number[] };
  /** When the counts differ: the clean position replaced and the requested text, for nearest alternatives. */
  readonly replaced?: { readonly position: number; readonly text: string };
  /** Texts to tokenize (e.g. an answer the user typed). */
  readonly encode?: readonly string[];
  /** How many next-token predictions to return per prompt (default 5). */
  readonly topK?: number;
}

export interface SuggestionInfo extends TokenRef {
  /** Mean |Δ treatment| over heads against the original (lower = treated more alike). */
  readonly distance: number;
  readonly special: readonly SpecialTokenFinding[];
}

export interface SubstitutionPlanResult {
  readonly clean: readonly PlanToken[];
  readonly corrupt?: readonly PlanToken[];
  readonly diff?: {
    readonly ops: readonly TokenDiffOp[];
    readonly aligned: boolean;
    readonly differingPositions: readonly number[];
    readonly firstDifference: number;
  };
  readonly topClean: readonly TopTokenInfo[];
  readonly topCorrupt?: readonly TopTokenInfo[];
  readonly suggestions?: { readonly position: number; readonly original: SuggestionInfo; readonly ranked: readonly SuggestionInfo[] };
  readonly nearest?: readonly TokenRef[];
  readonly encoded?: readonly (readonly TokenRef[])[];
  readonly n_layers: number;
  readonly n_heads: number;
  readonly nCtx: number;
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

export interface PatchingEngineMethods {
  substitutionPlan: { params: SubstitutionPlanParams; result: SubstitutionPlanResult };
  attribution: { params: PatchRunParams; result: PatchRunResult };
  patchSweeps: { params: PatchRunParams; result: PatchRunResult };
  headPatterns: { params: HeadPatternsQuery; result: HeadPatternsResult };
}
export type PatchingEngineMethod = keyof PatchingEngineMethods;
export const PATCHING_ENGINE_METHODS: readonly PatchingEngineMethod[] = ['substitutionPlan', 'attribution', 'patchSweeps', 'headPatterns'];

export function isPatchingEngineMethod(m: unknown): m is PatchingEngineMethod {
  return PATCHING_ENGINE_METHODS.some((x) => x === m);
}

export function isPatchSweepsDetail(v: unknown): v is PatchSweepsDetail {
  return typeof v === 'object' && v !== null && 'kind' in v && ((v.kind === 'progress' && 'progress' in v) || (v.kind === 'table' && 'table' in v));
}
