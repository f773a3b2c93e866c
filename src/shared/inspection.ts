/**
 * What an inspection is made of: tokens, heads, head scores, special-token findings, and the
 * inspection record the attention panel shows. Plain data with checks, no `vscode`, no Node: the
 * analysis builds these records, the engine sends them, the host and the webview read them.
 */
import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isPositiveInt, isRecord, isString } from './guards';
import type { PromptToken } from './tokens';
import { isLogitsError, type LogitsError } from './precision';

/** One attention head. */
export interface HeadRef {
  readonly layer: number;
  readonly head: number;
}

/** Coarse token classes used to compare a token with "comparable" tokens. */
export type TokenKind = 'bos' | 'whitespace' | 'identifier' | 'keyword' | 'number' | 'punctuation' | 'other';
export const TOKEN_KINDS: readonly TokenKind[] = ['bos', 'whitespace', 'identifier', 'keyword', 'number', 'punctuation', 'other'];

/**
 * An inspected token. Its offsets are UTF-16 offsets in the inspected document, `end` exclusive; a
 * BOS token, which is not in the document, has an empty range (`start === end`) at the start of the
 * prompt.
 */
export interface TokenInfo extends PromptToken {
  /** Matches one of the `circuitInspector.watchTokens` entries. */
  readonly isWatched: boolean;
}

/** Per-head scores on this prompt; averages run over query positions q ≥ 1. */
export interface HeadSummary {
  readonly layer: number;
  readonly head: number;
  /** Mean attention from position q to q − 1. */
  readonly prevToken: number;
  /** Mean attention from q to j + 1 for earlier occurrences j of token[q]; null when no token repeats. */
  readonly induction: number | null;
  /** Mean attention to position 0 (the BOS token when there is one). */
  readonly bos: number;
  /** Mean entropy of the query rows, in nats. */
  readonly entropy: number;
}

/** One head's share of a special-token finding. */
export interface SpecialTokenHead {
  readonly layer: number;
  readonly head: number;
  /** Attention to the token divided by attention to other same-kind tokens in the same query rows. */
  readonly ratio: number;
  /** Robust z-score of log(ratio) among the head's ratios for all same-kind token types. */
  readonly robustZ: number;
  /** Number of (query, key) pairs the ratio rests on. */
  readonly support: number;
}

export interface SpecialTokenFinding {
  readonly tokenId: number;
  readonly text: string;
  readonly kind: TokenKind;
  /** Positions of the token in the prompt. */
  readonly tokenIndices: readonly number[];
  readonly direction: 'more' | 'less';
  /** How many other same-kind token types it was compared with. */
  readonly comparedWith: number;
  /** |ln ratio| of the strongest head: findings are sorted by it, descending. */
  readonly strength: number;
  /** Responsible heads, strongest first. */
  readonly heads: readonly SpecialTokenHead[];
  /** e.g. "head 0.2 attends to ` param` 8.1× more than to other identifier tokens". */
  readonly message: string;
}

export interface InspectionParams {
  /** Changes with every inspection; pattern requests and focus reports carry it back. */
  readonly inspectionId: string;
  readonly modelName: string;
  readonly n_layers: number;
  readonly n_heads: number;
  readonly tokens: readonly TokenInfo[];
  /** Side of each thumbnail: min(n_tokens, 32) by default. */
  readonly thumbSize: number;
  /** Max-pooled patterns [n_layers, n_heads, thumbSize (query), thumbSize (key)], row-major. */
  readonly thumbnails_layer_head_q_k: Float32Array;
  /** One row per head, ordered by layer then head. */
  readonly headSummaries: readonly HeadSummary[];
  /** Sorted by strength, strongest first. */
  readonly specialTokens: readonly SpecialTokenFinding[];
  /** The watch list the tokens were matched against. */
  readonly watchTokens: readonly string[];
  /** The document changed since this inspection ran. */
  readonly stale: boolean;
  /** An int8 run only: its logits against fp32 on this prompt (the model name then ends in "int8 approximate"). */
  readonly precisionError?: LogitsError;
}

export const isTokenKind = isOneOf(TOKEN_KINDS);
export function isTokenInfo(v: unknown): v is TokenInfo {
  return (
    isRecord(v) &&
    isString(v.text) &&
    isIndex(v.id) &&
    isIndex(v.start) &&
    isIndex(v.end) &&
    v.end >= v.start &&
    typeof v.isBos === 'boolean' &&
    (v.isSpecial === undefined || typeof v.isSpecial === 'boolean') &&
    typeof v.isWatched === 'boolean'
  );
}

export function isHeadSummary(v: unknown): v is HeadSummary {
  return (
    isRecord(v) &&
    isIndex(v.layer) &&
    isIndex(v.head) &&
    isFiniteNumber(v.prevToken) &&
    (v.induction === null || isFiniteNumber(v.induction)) &&
    isFiniteNumber(v.bos) &&
    isFiniteNumber(v.entropy)
  );
}

function isSpecialTokenHead(v: unknown): v is SpecialTokenHead {
  return isRecord(v) && isIndex(v.layer) && isIndex(v.head) && isFiniteNumber(v.ratio) && isFiniteNumber(v.robustZ) && isIndex(v.support);
}

export function isSpecialTokenFinding(v: unknown): v is SpecialTokenFinding {
  return (
    isRecord(v) &&
    isIndex(v.tokenId) &&
    isString(v.text) &&
    isTokenKind(v.kind) &&
    isArrayOf(v.tokenIndices, isIndex) &&
    (v.direction === 'more' || v.direction === 'less') &&
    isIndex(v.comparedWith) &&
    isFiniteNumber(v.strength) &&
    isArrayOf(v.heads, isSpecialTokenHead) &&
    isString(v.message)
  );
}

export function isHeadInRange(layer: unknown, head: unknown, nLayers: number, nHeads: number): boolean {
  return isIndex(layer) && isIndex(head) && layer < nLayers && head < nHeads;
}

export function isInspectionParams(v: unknown): v is InspectionParams {
  if (!isRecord(v)) return false;
  const { n_layers, n_heads, thumbSize, tokens, thumbnails_layer_head_q_k: thumbs } = v;
  if (!isString(v.inspectionId) || !isString(v.modelName) || typeof v.stale !== 'boolean') return false;
  if (!isPositiveInt(n_layers) || !isPositiveInt(n_heads) || !isPositiveInt(thumbSize)) return false;
  if (!isArrayOf(tokens, isTokenInfo) || tokens.length === 0 || thumbSize > tokens.length) return false;
  if (!(thumbs instanceof Float32Array) || thumbs.length !== n_layers * n_heads * thumbSize * thumbSize) return false;
  if (!isArrayOf(v.watchTokens, isString)) return false;
  if (v.precisionError !== undefined && !isLogitsError(v.precisionError)) return false;
  if (!isArrayOf(v.headSummaries, isHeadSummary) || v.headSummaries.length !== n_layers * n_heads) return false;
  if (!v.headSummaries.every((s) => isHeadInRange(s.layer, s.head, n_layers, n_heads))) return false;
  if (!isArrayOf(v.specialTokens, isSpecialTokenFinding)) return false;
  return v.specialTokens.every(
    (f) => f.tokenIndices.every((i) => i < tokens.length) && f.heads.every((h) => isHeadInRange(h.layer, h.head, n_layers, n_heads)),
  );
}

/** Short label used across the UI and in messages: `3.5` is layer 3, head 5 (TL convention). */
export function headLabel(h: HeadRef): string {
  return `${h.layer}.${h.head}`;
}

/** One head's strongest attention from and to one token (BOS keys left out of `from`). */
export interface HeadActivity {
  readonly layer: number;
  readonly head: number;
  /** max over keys k ≠ BOS, k ≤ q of pattern[q = token, k]; 0 when there is no such key. */
  readonly fromWeight: number;
  /** The key that maximum is at, or -1. */
  readonly fromKey: number;
  /** max over later queries q > token of pattern[q, k = token]; 0 for the last token. */
  readonly toWeight: number;
  /** The query that maximum is at, or -1. */
  readonly toQuery: number;
}
