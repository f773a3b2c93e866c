/**
 * The Inspect Residual Stream panel's protocol: every message between the extension host and the
 * webview, declared once and sorted by direction. No `vscode` import: this module is bundled into
 * the webview too.
 *
 * - Commands (webview → host, no reply): `ready`, `setAnswer`, `setVariant`, `setPosition`,
 *   `selectHead`, `clearHead`, `exportResidual`, `exportPng`, `cancelRun`.
 * - Notifications (host → webview): `residualStream`, `documentNorms`, `runState`, `stale`,
 *   `inputRejected`, `focusPosition`.
 *
 * Handshake: the webview posts `ready` once its listener is installed; the host answers with the
 * latest `runState` and the result on screen (`residualStream` or `documentNorms`).
 *
 * The panel shows one result at a time: the last `residualStream` or `documentNorms` it was sent
 * replaces the other. Changing the answer, the wrong token, the position or the lens variant posts a
 * command; the host re-runs the analysis (never the model: the engine keeps the forward) and
 * answers with a new `residualStream` for the same `inspectionId`, or with `inputRejected` (the
 * record on screen stays, nothing is half-drawn).
 *
 * The logit lens takes several times as long as the rest, so a run posts its record twice: first
 * without `lens` (a `ResidualPartialRecord`: norms and DLA, drawn at once, the lens section showing
 * the run state's progress), then whole. A run that stops after the first leaves it on screen (or
 * the record it replaced, for a change of the same inspection), and the run state says why.
 *
 * Payloads are plain data and typed arrays, shapes spelled in field names (see
 * src/shared/residualStream.ts). Webview → host messages carry only small plain values.
 */

import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isOptional, isPositiveInt, isRecord, isString } from '../../../shared/guards';
import { hasPngExport } from '../../../shared/panelMessages';
import { defineMessage } from '../../../shared/messageEnvelope';
import { LENS_VARIANTS, type GrowthFit, type LensVariant, type ResidualNormsRecord, type ResidualStreamRecord } from '../../../shared/residualStream';
import type { PromptToken } from '../../../shared/tokens';

import type { Message } from '../../../shared/messageEnvelope';
export type { Message } from '../../../shared/messageEnvelope';

/** 2: a `residualStream` record may come without its logit lens (norms and DLA first, the lens after). */
export const RESIDUAL_PROTOCOL_VERSION = 2;

// ---------------------------------------------------------------------------------------------
// Shared payload types
// ---------------------------------------------------------------------------------------------

export type RunStateKind = 'loading' | 'running' | 'done' | 'error' | 'cancelled';
export const RUN_STATE_KINDS: readonly RunStateKind[] = ['loading', 'running', 'done', 'error', 'cancelled'];

export type ResidualExportFormat = 'json' | 'csv' | 'safetensors';
export const RESIDUAL_EXPORT_FORMATS: readonly ResidualExportFormat[] = ['json', 'csv', 'safetensors'];

/** Which input a rejected change was about (the view shows the message next to it). */
export type ResidualInputField = 'answer' | 'wrong' | 'position' | 'variant';
export const RESIDUAL_INPUT_FIELDS: readonly ResidualInputField[] = ['answer', 'wrong', 'position', 'variant'];

// ---------------------------------------------------------------------------------------------
// Message parameters
// ---------------------------------------------------------------------------------------------

export interface ReadyParams {
  readonly protocolVersion: number;
}

export interface SetAnswerParams {
  readonly inspectionId: string;
  /**
   * The answer token's text, exactly (leading space included: ' param'). '' = the model's own top
   * token at the last position (the default). Text that is several tokens uses its first token, and
   * the next `residualStream` says so in `notes`.
   */
  readonly answer: string;
  /** The wrong token's text; '' = none (DLA projects onto W_U[:, answer] alone). Same rules as `answer`. */
  readonly wrong: string;
}

export interface SetVariantParams {
  readonly inspectionId: string;
  readonly variant: LensVariant;
}

export interface SetPositionParams {
  readonly inspectionId: string;
  /** The token index DLA (and the answer default) is taken at: 0 ≤ position < n_tokens. */
  readonly position: number;
}

export interface SelectHeadParams {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
}

export interface ExportResidualParams {
  readonly inspectionId: string;
  /**
   * `json`: the whole record; `csv`: the DLA table and the logit lens's top-1 grid; `safetensors`:
   * the residual stream itself under TransformerLens hook names (written by the engine).
   */
  readonly format: ResidualExportFormat;
}

export interface ExportPngParams {
  readonly inspectionId: string;
  /** Suggested file name without extension, e.g. "logit-lens". */
  readonly name: string;
  /** `data:image/png;base64,…` from canvas.toDataURL(). */
  readonly dataUrl: string;
}

/**
 * A record before its logit lens is computed: tokens, norms and DLA, no `lens`. `pendingVariant` is
 * the lens variant being computed (what the variant toggle shows).
 */
export interface ResidualPartialRecord extends Omit<ResidualStreamRecord, 'lens'> {
  readonly lens?: undefined;
  readonly pendingVariant: LensVariant;
}

/** What the view shows: a whole record, or one whose logit lens is still being computed. */
export type ResidualViewRecord = ResidualStreamRecord | ResidualPartialRecord;

/** True when the record has its logit lens. */
export function hasLens(r: ResidualViewRecord): r is ResidualStreamRecord {
  return r.lens !== undefined;
}

/** The lens variant of a record: the lens's own, or the one being computed. */
export function recordVariant(r: ResidualViewRecord): LensVariant {
  return r.lens ? r.lens.variant : r.pendingVariant;
}

export interface ResidualStreamParams {
  /** The whole record, or (while the lens runs, or after a run stopped during it) one without `lens`. */
  readonly record: ResidualViewRecord;
  /** The document changed since this record was computed (or its run was superseded). */
  readonly stale: boolean;
  /**
   * Sentences the view shows above the plots, as given: how the input was handled (a multi-token
   * answer reduced to its first token, a truncated selection).
   */
  readonly notes: readonly string[];
  /** What the user typed for the answer and wrong token ('' = default / none), to refill the inputs. */
  readonly answerText: string;
  readonly wrongText: string;
}

/** Residual norms over a whole document, run in windows of n_ctx tokens. */
export interface DocumentNormsParams {
  readonly runId: string;
  /** The document's name as shown to the user (its file name). */
  readonly source: string;
  readonly modelName: string;
  readonly n_layers: number;
  readonly n_boundaries: number;
  /** Tokens of the document (BOS not counted). */
  readonly totalTokens: number;
  /** At most this many tokens per window (BOS included). */
  readonly windowTokens: number;
  /** Each window's norms, in document order; each starts with its own BOS when the model prepends one. */
  readonly windows: readonly ResidualNormsRecord[];
  /** Index in the document's tokens of each window's first text token. [n_windows] */
  readonly windowStarts: readonly number[];
  /** Growth over every window's non-BOS positions together (what the legend shows for the document). */
  readonly rawGrowth: GrowthFit;
  readonly centredGrowth: GrowthFit;
  /** Sentences the view shows above the plot (e.g. only the first windows were run). */
  readonly notes: readonly string[];
  readonly stale: boolean;
}

export interface RunStateParams {
  readonly state: RunStateKind;
  readonly message?: string;
  /** 0..1 when known (the document run's windows). */
  readonly progress?: number;
  /** The run can be cancelled from the view (posts `cancelRun`). */
  readonly cancellable?: boolean;
}

export interface StaleParams {
  readonly stale: boolean;
  readonly reason?: string;
}

export interface InputRejectedParams {
  readonly inspectionId: string;
  readonly field: ResidualInputField;
  readonly message: string;
}

export interface FocusPositionParams {
  readonly inspectionId: string;
  /** The token the editor hover link names: the view highlights its column. */
  readonly position: number;
}

// ---------------------------------------------------------------------------------------------
// Payload checks
// ---------------------------------------------------------------------------------------------

export const isRunStateKind = isOneOf(RUN_STATE_KINDS);
export const isLensVariant = isOneOf(LENS_VARIANTS);
export const isResidualExportFormat = isOneOf(RESIDUAL_EXPORT_FORMATS);
export const isResidualInputField = isOneOf(RESIDUAL_INPUT_FIELDS);

function isEmptyParams(v: unknown): v is Record<string, never> {
  return isRecord(v) && Object.keys(v).length === 0;
}
function isReadyParams(v: unknown): v is ReadyParams {
  return isRecord(v) && isPositiveInt(v.protocolVersion);
}
function isSetAnswerParams(v: unknown): v is SetAnswerParams {
  return isRecord(v) && isString(v.inspectionId) && isString(v.answer) && v.answer.length <= 200 && isString(v.wrong) && v.wrong.length <= 200;
}
function isSetVariantParams(v: unknown): v is SetVariantParams {
  return isRecord(v) && isString(v.inspectionId) && isLensVariant(v.variant);
}
function isSetPositionParams(v: unknown): v is SetPositionParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.position);
}
function isSelectHeadParams(v: unknown): v is SelectHeadParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.layer) && isIndex(v.head);
}
function isExportResidualParams(v: unknown): v is ExportResidualParams {
  return isRecord(v) && isString(v.inspectionId) && isResidualExportFormat(v.format);
}
function isExportPngParams(v: unknown): v is ExportPngParams {
  return isRecord(v) && isString(v.inspectionId) && hasPngExport(v);
}
function isRunStateParams(v: unknown): v is RunStateParams {
  return (
    isRecord(v) &&
    isRunStateKind(v.state) &&
    isOptional(v.message, isString) &&
    (v.progress === undefined || (isFiniteNumber(v.progress) && v.progress >= 0 && v.progress <= 1)) &&
    (v.cancellable === undefined || typeof v.cancellable === 'boolean')
  );
}
function isStaleParams(v: unknown): v is StaleParams {
  return isRecord(v) && typeof v.stale === 'boolean' && isOptional(v.reason, isString);
}
function isInputRejectedParams(v: unknown): v is InputRejectedParams {
  return isRecord(v) && isString(v.inspectionId) && isResidualInputField(v.field) && isString(v.message);
}
function isFocusPositionParams(v: unknown): v is FocusPositionParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.position);
}

function isF32(v: unknown, length: number): v is Float32Array {
  return v instanceof Float32Array && v.length === length;
}
function isI32(v: unknown, length: number): v is Int32Array {
  return v instanceof Int32Array && v.length === length;
}
function isTokenRef(v: unknown): boolean {
  return isRecord(v) && isIndex(v.id) && isString(v.text);
}
function isPromptToken(v: unknown): v is PromptToken {
  return isRecord(v) && isTokenRef(v) && typeof v.isBos === 'boolean' && isIndex(v.start) && isIndex(v.end) && v.end >= v.start;
}

export function isGrowthFit(v: unknown, nLayers: number): v is GrowthFit {
  return isRecord(v) && isF32(v.factor_layer, nLayers) && (v.bos_factor_layer === null || isF32(v.bos_factor_layer, nLayers)) && typeof v.fitted === 'number';
}

/** A norms record whose arrays have the lengths its dimensions say. */
export function isResidualNormsRecord(v: unknown): v is ResidualNormsRecord {
  if (!isRecord(v)) return false;
  const { n_boundaries: b, n_layers: l, n_tokens: t } = v;
  return (
    isPositiveInt(b) &&
    isPositiveInt(l) &&
    b === l + 1 &&
    isPositiveInt(t) &&
    typeof v.hasBos === 'boolean' &&
    isF32(v.raw_boundary_pos, b * t) &&
    isF32(v.centred_boundary_pos, b * t) &&
    isF32(v.attn_out_layer_pos, l * t) &&
    isF32(v.mlp_out_layer_pos, l * t) &&
    isGrowthFit(v.rawGrowth, l) &&
    isGrowthFit(v.centredGrowth, l)
  );
}

/** A whole record: consistent dimensions, every array of its stated length, DLA at a token of the prompt. */
export function isResidualStreamRecord(v: unknown): v is ResidualStreamRecord {
  return isRecord(v) && v.lens !== undefined && isResidualViewRecord(v);
}

/** A whole record, or one without `lens` that names the variant being computed (`ResidualPartialRecord`). */
export function isResidualViewRecord(v: unknown): v is ResidualViewRecord {
  if (!isRecord(v) || !isString(v.inspectionId) || !isString(v.modelName)) return false;
  const { n_layers: l, n_heads: h, tokens, lens, norms, dla } = v;
  if (!isPositiveInt(l) || !isPositiveInt(h) || !isArrayOf(tokens, isPromptToken) || tokens.length === 0) return false;
  const t = tokens.length;
  if (!isRecord(dla) || !isResidualNormsRecord(norms)) return false;
  if (norms.n_tokens !== t || norms.n_layers !== l) return false;
  if (lens === undefined ? !isLensVariant(v.pendingVariant) : !isLensRecord(lens, l + 1, t)) return false;
  return isDlaRecord(dla, l, h, t);
}

function isLensRecord(lens: unknown, b: number, t: number): boolean {
  if (!isRecord(lens)) return false;
  const k = lens.k;
  return (
    isLensVariant(lens.variant) &&
    lens.n_boundaries === b &&
    lens.n_tokens === t &&
    isPositiveInt(k) &&
    isArrayOf(lens.boundaryHooks, isString) &&
    lens.boundaryHooks.length === b &&
    isTokenRef(lens.answer) &&
    isI32(lens.top_ids_boundary_pos_k, b * t * k) &&
    isF32(lens.top_probs_boundary_pos_k, b * t * k) &&
    isF32(lens.entropy_boundary_pos, b * t) &&
    isF32(lens.answer_logprob_boundary_pos, b * t) &&
    isI32(lens.answer_rank_boundary_pos, b * t) &&
    isRecord(lens.tokenTexts)
  );
}

function isDlaRecord(dla: Record<string, unknown>, l: number, h: number, t: number): boolean {
  const dir = dla.direction;
  return (
    isIndex(dla.position) &&
    dla.position < t &&
    isRecord(dir) &&
    isTokenRef(dir.answer) &&
    (dir.wrong === undefined || isTokenRef(dir.wrong)) &&
    dla.n_layers === l &&
    dla.n_heads === h &&
    dla.n_tokens === t &&
    [dla.logitDiff, dla.total, dla.finalScale, dla.tokenEmbed, dla.posEmbed, dla.lnFinalBias].every(isFiniteNumber) &&
    isF32(dla.heads_layer_head, l * h) &&
    isF32(dla.attnBias_layer, l) &&
    isF32(dla.mlp_layer, l) &&
    isF32(dla.sources_layer_head_key, l * h * t)
  );
}

function isResidualStreamParams(v: unknown): v is ResidualStreamParams {
  return (
    isRecord(v) &&
    isResidualViewRecord(v.record) &&
    typeof v.stale === 'boolean' &&
    isArrayOf(v.notes, isString) &&
    isString(v.answerText) &&
    isString(v.wrongText)
  );
}

function isDocumentNormsParams(v: unknown): v is DocumentNormsParams {
  if (!isRecord(v)) return false;
  const l = v.n_layers;
  return (
    isString(v.runId) &&
    isString(v.source) &&
    isString(v.modelName) &&
    isPositiveInt(l) &&
    v.n_boundaries === l + 1 &&
    isIndex(v.totalTokens) &&
    isPositiveInt(v.windowTokens) &&
    isArrayOf(v.windows, isResidualNormsRecord) &&
    v.windows.length > 0 &&
    v.windows.every((w) => w.n_layers === l && w.n_tokens <= (v.windowTokens as number)) &&
    isArrayOf(v.windowStarts, isIndex) &&
    v.windowStarts.length === v.windows.length &&
    isGrowthFit(v.rawGrowth, l) &&
    isGrowthFit(v.centredGrowth, l) &&
    isArrayOf(v.notes, isString) &&
    typeof v.stale === 'boolean'
  );
}

// ---------------------------------------------------------------------------------------------
// Messages: webview → host
// ---------------------------------------------------------------------------------------------

/** Command: the webview's listener is installed; the host replies with the current state. */
export const ResidualReady = defineMessage('ready', 'command', isReadyParams);
/** Command: analyse for another answer / wrong token (the forward is reused). */
export const SetAnswer = defineMessage('setAnswer', 'command', isSetAnswerParams);
/** Command: switch the logit lens between recomputed ln_final and the cached final scale. */
export const SetVariant = defineMessage('setVariant', 'command', isSetVariantParams);
/** Command: take DLA (and the default answer) at another token. */
export const SetPosition = defineMessage('setPosition', 'command', isSetPositionParams);
/** Command: a DLA head was clicked: paint its per-source contributions over the source in the editor. */
export const SelectHead = defineMessage('selectHead', 'command', isSelectHeadParams);
/** Command: no head is selected any more: remove the editor decorations. */
export const ClearHead = defineMessage('clearHead', 'command', isEmptyParams);
/** Command: save the record (JSON, CSV) or the residual stream (safetensors) through a save dialog. */
export const ExportResidual = defineMessage('exportResidual', 'command', isExportResidualParams);
/** Command: save a plot's canvas as PNG, through a save dialog. */
export const ExportPng = defineMessage('exportPng', 'command', isExportPngParams);
/** Command: cancel the run in flight (a document run's windows, or an analysis). */
export const CancelRun = defineMessage('cancelRun', 'command', isEmptyParams);

// ---------------------------------------------------------------------------------------------
// Messages: host → webview
// ---------------------------------------------------------------------------------------------

/** Notification: a residual-stream record (replaces what is on screen). */
export const ResidualStream = defineMessage('residualStream', 'notification', isResidualStreamParams);
/** Notification: the norms of a whole document (replaces what is on screen). */
export const DocumentNorms = defineMessage('documentNorms', 'notification', isDocumentNormsParams);
/** Notification: the run state, for the header (progress and a Cancel button while running). */
export const RunState = defineMessage('runState', 'notification', isRunStateParams);
/** Notification: the inspected document changed (or a newer run replaced this one). */
export const Stale = defineMessage('stale', 'notification', isStaleParams);
/** Notification: a change the user asked for was refused; the record on screen stays. */
export const InputRejected = defineMessage('inputRejected', 'notification', isInputRejectedParams);
/** Notification: highlight a token's column (from the editor hover link). */
export const FocusPosition = defineMessage('focusPosition', 'notification', isFocusPositionParams);

export type ResidualWebviewToHost =
  | Message<'ready', ReadyParams>
  | Message<'setAnswer', SetAnswerParams>
  | Message<'setVariant', SetVariantParams>
  | Message<'setPosition', SetPositionParams>
  | Message<'selectHead', SelectHeadParams>
  | Message<'clearHead', Record<string, never>>
  | Message<'exportResidual', ExportResidualParams>
  | Message<'exportPng', ExportPngParams>
  | Message<'cancelRun', Record<string, never>>;

export type ResidualHostToWebview =
  | Message<'residualStream', ResidualStreamParams>
  | Message<'documentNorms', DocumentNormsParams>
  | Message<'runState', RunStateParams>
  | Message<'stale', StaleParams>
  | Message<'inputRejected', InputRejectedParams>
  | Message<'focusPosition', FocusPositionParams>;

const TO_HOST = [ResidualReady, SetAnswer, SetVariant, SetPosition, SelectHead, ClearHead, ExportResidual, ExportPng, CancelRun] as const;
const TO_WEBVIEW = [ResidualStream, DocumentNorms, RunState, Stale, InputRejected, FocusPosition] as const;

export function isResidualWebviewToHost(msg: unknown): msg is ResidualWebviewToHost {
  return TO_HOST.some((d) => d.is(msg));
}
export function isResidualHostToWebview(msg: unknown): msg is ResidualHostToWebview {
  return TO_WEBVIEW.some((d) => d.is(msg));
}
