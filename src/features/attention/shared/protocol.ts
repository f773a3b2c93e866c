/**
 * The Inspect Attention panel's protocol: every message between the extension host and the
 * webview is declared once here, sorted by direction. No `vscode` import: this module is bundled
 * into the webview too.
 *
 * - Commands (webview → host, no reply): `ready`, `focusChanged`, `clearFocus`, `timing`.
 * - Requests (webview → host, with an `id`) and their responses (host → webview, echoing the `id`,
 *   carrying either `params` or `error`): `requestHeadPattern` → `headPattern`.
 * - Notifications (host → webview): `inspection`, `focusToken`, `stale`, `runState`.
 *
 * Handshake: the webview posts `ready` once its listener is installed; the host answers with the
 * latest `runState` and `inspection` (a reloaded webview gets them again the same way).
 *
 * Payloads are plain data and typed arrays. Host → webview, VS Code (≥ 1.57) transfers typed arrays
 * out of band and recreates them in the webview, but only genuine ones: send a `Float32Array`,
 * never a Node `Buffer` or a view into a larger buffer (the whole buffer would travel). Webview →
 * host, typed arrays have arrived as index-keyed objects (microsoft/vscode#201933), so the webview
 * sends small plain number arrays (guards accept a Float32Array there too). Array shapes are spelled in field names, outermost axis first:
 * `thumbnails_layer_head_q_k` is [n_layers, n_heads, thumbSize, thumbSize], row-major. JSON-like
 * fields never hold NaN (it does not survive JSON): "no value" is `null`.
 *
 * Every message has an `is…()` guard that checks the envelope and the payload (types, ranges and
 * array lengths) and narrows `unknown` to the message type, so neither side needs casts.
 */

import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isOptional, isPositiveInt, isRecord, isString } from '../../../shared/guards';
import { defineMessage, defineRequest, defineResponse } from '../../../shared/messageEnvelope';

import type { Message, RequestMessage, ResponseMessage } from '../../../shared/messageEnvelope';
export type { Message, NotificationDef, RequestDef, RequestMessage, ResponseDef, ResponseMessage } from '../../../shared/messageEnvelope';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Shared payload types
// ---------------------------------------------------------------------------------------------

/** One attention head. */
export interface HeadRef {
  readonly layer: number;
  readonly head: number;
}

/**
 * Which attention the token strip and editor decorations show for the focused token:
 * `from` = the focused token is the query, colour each key k by pattern[focus, k];
 * `to` = the focused token is the key, colour each query q by pattern[q, focus].
 */
export type AttentionDirection = 'from' | 'to';
export const ATTENTION_DIRECTIONS: readonly AttentionDirection[] = ['from', 'to'];

export type RunStateKind = 'loading' | 'running' | 'done' | 'error' | 'cancelled';
export const RUN_STATE_KINDS: readonly RunStateKind[] = ['loading', 'running', 'done', 'error', 'cancelled'];

/** Coarse token classes used to compare a token with "comparable" tokens. */
export type TokenKind = 'bos' | 'whitespace' | 'identifier' | 'keyword' | 'number' | 'punctuation' | 'other';
export const TOKEN_KINDS: readonly TokenKind[] = ['bos', 'whitespace', 'identifier', 'keyword', 'number', 'punctuation', 'other'];

export interface TokenInfo {
  /** Decoded text exactly as tokenized (real spaces and newlines, e.g. ' param'). */
  readonly text: string;
  /** Vocabulary id. */
  readonly id: number;
  /**
   * UTF-16 offsets of the token in the inspected document, `end` exclusive. A BOS token, which
   * is not in the document, has an empty range (`start === end`) at the start of the prompt.
   */
  readonly start: number;
  readonly end: number;
  readonly isBos: boolean;
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

// ---------------------------------------------------------------------------------------------
// Message parameters
// ---------------------------------------------------------------------------------------------

export interface ReadyParams {
  readonly protocolVersion: number;
}

export interface FocusChangedParams {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
  /** The focused token (a query for direction `from`, a key for `to`); absent when only a head is focused. */
  readonly tokenIndex?: number;
  readonly direction: AttentionDirection;
  /** True when the head is locked (clicked), false while it is only previewed (hovered). */
  readonly locked: boolean;
  /**
   * Attention weight per token in `direction` (pattern[tokenIndex, :] or pattern[:, tokenIndex]),
   * length n_tokens; present when a token is focused and the head's pattern has arrived. The
   * webview sends a plain array (see the note at the top about typed arrays sent by webviews).
   */
  readonly weights_token?: readonly number[] | Float32Array;
}

export interface TimingParams {
  readonly inspectionId: string;
  /** `gridFirstPaint`: from receiving `inspection` to the end of the first head-grid paint. */
  readonly name: 'gridFirstPaint';
  readonly ms: number;
}

export interface HeadPatternRequestParams {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
}

export interface HeadPatternParams {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
  readonly n_tokens: number;
  /** Full attention pattern [n_tokens (query), n_tokens (key)], row-major. */
  readonly pattern_q_k: Float32Array;
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
}

export interface FocusTokenParams {
  readonly tokenIndex: number;
  readonly direction?: AttentionDirection;
  /** Also lock this head, when the hover link names one. */
  readonly layer?: number;
  readonly head?: number;
}

export interface StaleParams {
  readonly stale: boolean;
  readonly reason?: string;
}

export interface RunStateParams {
  readonly state: RunStateKind;
  readonly message?: string;
  /** 0..1 when known. */
  readonly progress?: number;
}

// ---------------------------------------------------------------------------------------------
// Payload checks (hand-written; they return type predicates so callers need no casts)
// ---------------------------------------------------------------------------------------------

export const isAttentionDirection = isOneOf(ATTENTION_DIRECTIONS);
export const isRunStateKind = isOneOf(RUN_STATE_KINDS);
export const isTokenKind = isOneOf(TOKEN_KINDS);

function isTokenInfo(v: unknown): v is TokenInfo {
  return (
    isRecord(v) &&
    isString(v.text) &&
    isIndex(v.id) &&
    isIndex(v.start) &&
    isIndex(v.end) &&
    v.end >= v.start &&
    typeof v.isBos === 'boolean' &&
    typeof v.isWatched === 'boolean'
  );
}

function isHeadSummary(v: unknown): v is HeadSummary {
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
  return isRecord(v) && isIndex(v.layer) && isIndex(v.head) && isFiniteNumber(v.ratio) && isFiniteNumber(v.robustZ);
}

function isSpecialTokenFinding(v: unknown): v is SpecialTokenFinding {
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

function isHeadInRange(layer: unknown, head: unknown, nLayers: number, nHeads: number): boolean {
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
  if (!isArrayOf(v.headSummaries, isHeadSummary) || v.headSummaries.length !== n_layers * n_heads) return false;
  if (!v.headSummaries.every((s) => isHeadInRange(s.layer, s.head, n_layers, n_heads))) return false;
  if (!isArrayOf(v.specialTokens, isSpecialTokenFinding)) return false;
  return v.specialTokens.every(
    (f) =>
      f.tokenIndices.every((i) => i < tokens.length) &&
      f.heads.every((h) => isHeadInRange(h.layer, h.head, n_layers, n_heads)),
  );
}

function isReadyParams(v: unknown): v is ReadyParams {
  return isRecord(v) && isPositiveInt(v.protocolVersion);
}

function isFocusChangedParams(v: unknown): v is FocusChangedParams {
  if (!isRecord(v)) return false;
  const w = v.weights_token;
  return (
    isString(v.inspectionId) &&
    isIndex(v.layer) &&
    isIndex(v.head) &&
    isOptional(v.tokenIndex, isIndex) &&
    isAttentionDirection(v.direction) &&
    typeof v.locked === 'boolean' &&
    (w === undefined || ((w instanceof Float32Array || isArrayOf(w, isFiniteNumber)) && v.tokenIndex !== undefined))
  );
}

function isEmptyParams(v: unknown): v is Record<string, never> {
  return isRecord(v) && Object.keys(v).length === 0;
}

function isTimingParams(v: unknown): v is TimingParams {
  return isRecord(v) && isString(v.inspectionId) && v.name === 'gridFirstPaint' && isFiniteNumber(v.ms) && v.ms >= 0;
}

function isHeadPatternRequestParams(v: unknown): v is HeadPatternRequestParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.layer) && isIndex(v.head);
}

function isHeadPatternParams(v: unknown): v is HeadPatternParams {
  if (!isRecord(v)) return false;
  const n = v.n_tokens;
  return (
    isString(v.inspectionId) &&
    isIndex(v.layer) &&
    isIndex(v.head) &&
    isPositiveInt(n) &&
    v.pattern_q_k instanceof Float32Array &&
    v.pattern_q_k.length === n * n
  );
}

function isFocusTokenParams(v: unknown): v is FocusTokenParams {
  if (!isRecord(v)) return false;
  const headGiven = v.layer !== undefined || v.head !== undefined;
  return (
    isIndex(v.tokenIndex) &&
    isOptional(v.direction, isAttentionDirection) &&
    (!headGiven || (isIndex(v.layer) && isIndex(v.head)))
  );
}

function isStaleParams(v: unknown): v is StaleParams {
  return isRecord(v) && typeof v.stale === 'boolean' && isOptional(v.reason, isString);
}

function isRunStateParams(v: unknown): v is RunStateParams {
  return (
    isRecord(v) &&
    isRunStateKind(v.state) &&
    isOptional(v.message, isString) &&
    (v.progress === undefined || (isFiniteNumber(v.progress) && v.progress >= 0 && v.progress <= 1))
  );
}

// ---------------------------------------------------------------------------------------------
// Messages: webview → host
// ---------------------------------------------------------------------------------------------

/** Command: the webview's listener is installed; the host replies with the current state. */
export const Ready = defineMessage('ready', 'command', isReadyParams);
/** Command: the focused head/token changed, so the host can paint editor decorations. */
export const FocusChanged = defineMessage('focusChanged', 'command', isFocusChangedParams);
/** Command: nothing is focused any more; the host removes its decorations. */
export const ClearFocus = defineMessage('clearFocus', 'command', isEmptyParams);
/** Command: a measured duration (for BENCHMARKS.md). */
export const Timing = defineMessage('timing', 'command', isTimingParams);
/** Request: one head's full [q, k] pattern; answered by `headPattern`. */
export const RequestHeadPattern = defineRequest('requestHeadPattern', isHeadPatternRequestParams);

// ---------------------------------------------------------------------------------------------
// Messages: host → webview
// ---------------------------------------------------------------------------------------------

/** Response to `requestHeadPattern`. */
export const HeadPattern = defineResponse('headPattern', isHeadPatternParams);
/** Notification: a new inspection (replaces the previous one). */
export const Inspection = defineMessage('inspection', 'notification', isInspectionParams);
/** Notification: focus a token (from the editor hover link). */
export const FocusToken = defineMessage('focusToken', 'notification', isFocusTokenParams);
/** Notification: the inspected document changed (or was re-inspected). */
export const Stale = defineMessage('stale', 'notification', isStaleParams);
/** Notification: the model/run state, for the header. */
export const RunState = defineMessage('runState', 'notification', isRunStateParams);

export type ReadyMessage = Message<'ready', ReadyParams>;
export type FocusChangedMessage = Message<'focusChanged', FocusChangedParams>;
export type ClearFocusMessage = Message<'clearFocus', Record<string, never>>;
export type TimingMessage = Message<'timing', TimingParams>;
export type RequestHeadPatternMessage = RequestMessage<'requestHeadPattern', HeadPatternRequestParams>;
export type HeadPatternMessage = ResponseMessage<'headPattern', HeadPatternParams>;
export type InspectionMessage = Message<'inspection', InspectionParams>;
export type FocusTokenMessage = Message<'focusToken', FocusTokenParams>;
export type StaleMessage = Message<'stale', StaleParams>;
export type RunStateMessage = Message<'runState', RunStateParams>;

export type WebviewToHostMessage =
  | ReadyMessage
  | FocusChangedMessage
  | ClearFocusMessage
  | TimingMessage
  | RequestHeadPatternMessage;
export type HostToWebviewMessage = HeadPatternMessage | InspectionMessage | FocusTokenMessage | StaleMessage | RunStateMessage;

// One named guard per message.
export const isReady = Ready.is;
export const isFocusChanged = FocusChanged.is;
export const isClearFocus = ClearFocus.is;
export const isTiming = Timing.is;
export const isRequestHeadPattern = RequestHeadPattern.is;
export const isHeadPattern = HeadPattern.is;
export const isInspection = Inspection.is;
export const isFocusToken = FocusToken.is;
export const isStale = Stale.is;
export const isRunState = RunState.is;

export function isWebviewToHostMessage(msg: unknown): msg is WebviewToHostMessage {
  return isReady(msg) || isFocusChanged(msg) || isClearFocus(msg) || isTiming(msg) || isRequestHeadPattern(msg);
}

export function isHostToWebviewMessage(msg: unknown): msg is HostToWebviewMessage {
  return isHeadPattern(msg) || isInspection(msg) || isFocusToken(msg) || isStale(msg) || isRunState(msg);
}

/** Short label used across the UI and in messages: `3.5` is layer 3, head 5 (TL convention). */
export function headLabel(h: HeadRef): string {
  return `${h.layer}.${h.head}`;
}
