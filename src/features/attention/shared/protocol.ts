/**
 * The Inspect Attention panel's protocol: every message between the extension host and the
 * webview is declared once here, sorted by direction. No `vscode` import: this module is bundled
 * into the webview too.
 *
 * - Commands (webview → host, no reply): `ready`, `focusChanged`, `clearFocus`, `timing`,
 *   `exportActivations`, `openResidualStream`.
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
import { isInspectionParams, type InspectionParams } from '../../../shared/inspection';
import { defineMessage, defineRequest, defineResponse } from '../../../shared/messageEnvelope';

import type { Message, RequestMessage, ResponseMessage } from '../../../shared/messageEnvelope';
export type { Message, NotificationDef, RequestDef, RequestMessage, ResponseDef, ResponseMessage } from '../../../shared/messageEnvelope';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Shared payload types
// ---------------------------------------------------------------------------------------------

/**
 * Which attention the token strip and editor decorations show for the focused token:
 * `from` = the focused token is the query, colour each key k by pattern[focus, k];
 * `to` = the focused token is the key, colour each query q by pattern[q, focus].
 */
export type AttentionDirection = 'from' | 'to';
export const ATTENTION_DIRECTIONS: readonly AttentionDirection[] = ['from', 'to'];

export type RunStateKind = 'loading' | 'running' | 'done' | 'error' | 'cancelled';
export const RUN_STATE_KINDS: readonly RunStateKind[] = ['loading', 'running', 'done', 'error', 'cancelled'];

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

export interface ExportActivationsParams {
  /** The inspection on screen, whose run the host exports (Save dialog, then the engine writes). */
  readonly inspectionId: string;
}

export interface OpenResidualStreamParams {
  /** The inspection on screen: the host opens Inspect Residual Stream on its prompt (the engine still holds its forward). */
  readonly inspectionId: string;
}

export interface HeadPatternRequestParams {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
}

export interface HeadPatternParams extends HeadPatternRequestParams {
  readonly n_tokens: number;
  /** Full attention pattern [n_tokens (query), n_tokens (key)], row-major. */
  readonly pattern_q_k: Float32Array;
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

function isExportActivationsParams(v: unknown): v is ExportActivationsParams {
  return isRecord(v) && isString(v.inspectionId);
}

function isOpenResidualStreamParams(v: unknown): v is OpenResidualStreamParams {
  return isRecord(v) && isString(v.inspectionId);
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
  return isIndex(v.tokenIndex) && isOptional(v.direction, isAttentionDirection) && (!headGiven || (isIndex(v.layer) && isIndex(v.head)));
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
/** Command: export the inspection's activations for Python (the Export button). */
export const ExportActivations = defineMessage('exportActivations', 'command', isExportActivationsParams);
/** Command: open Inspect Residual Stream on this inspection's prompt (the header's Residual Stream button). */
export const OpenResidualStream = defineMessage('openResidualStream', 'command', isOpenResidualStreamParams);
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
export type ExportActivationsMessage = Message<'exportActivations', ExportActivationsParams>;
export type OpenResidualStreamMessage = Message<'openResidualStream', OpenResidualStreamParams>;
export type RequestHeadPatternMessage = RequestMessage<'requestHeadPattern', HeadPatternRequestParams>;
export type HeadPatternMessage = ResponseMessage<'headPattern', HeadPatternParams>;
export type InspectionMessage = Message<'inspection', InspectionParams>;
export type FocusTokenMessage = Message<'focusToken', FocusTokenParams>;
export type StaleMessage = Message<'stale', StaleParams>;
export type RunStateMessage = Message<'runState', RunStateParams>;

export type WebviewToHostMessage =
  ReadyMessage | FocusChangedMessage | ClearFocusMessage | TimingMessage | ExportActivationsMessage | OpenResidualStreamMessage | RequestHeadPatternMessage;
export type HostToWebviewMessage = HeadPatternMessage | InspectionMessage | FocusTokenMessage | StaleMessage | RunStateMessage;

// One named guard per message.
export const isReady = Ready.is;
export const isFocusChanged = FocusChanged.is;
export const isClearFocus = ClearFocus.is;
export const isTiming = Timing.is;
export const isExportActivations = ExportActivations.is;
export const isOpenResidualStream = OpenResidualStream.is;
export const isRequestHeadPattern = RequestHeadPattern.is;
export const isHeadPattern = HeadPattern.is;
export const isInspection = Inspection.is;
export const isFocusToken = FocusToken.is;
export const isStale = Stale.is;
export const isRunState = RunState.is;

export function isWebviewToHostMessage(msg: unknown): msg is WebviewToHostMessage {
  return (
    isReady(msg) ||
    isFocusChanged(msg) ||
    isClearFocus(msg) ||
    isTiming(msg) ||
    isExportActivations(msg) ||
    isOpenResidualStream(msg) ||
    isRequestHeadPattern(msg)
  );
}

export function isHostToWebviewMessage(msg: unknown): msg is HostToWebviewMessage {
  return isHeadPattern(msg) || isInspection(msg) || isFocusToken(msg) || isStale(msg) || isRunState(msg);
}
