/**
 * The Inspect Features (SAE) panel's protocol: every message between the extension host and the
 * webview, declared once and sorted by direction. No `vscode` import: this module is bundled into
 * the webview too.
 *
 * - Commands (webview → host, no reply): `ready`, `selectFeature`, `selectToken`, `runAblation`,
 *   `scanWorkspace`, `cancelScan`, `openExample`, `export`, `clearEditorPaint`, `cancel`.
 * - Notifications (host → webview): `runState`, `features`, `featureCard`, `tokenFeatures`,
 *   `ablation`, `scanProgress`, `scanResult`, `stale`.
 *
 * Handshake: the webview posts `ready` once its listener is installed; the host answers with the
 * latest `runState` and everything on screen, in this order: `features`, then (if any) the
 * `featureCard`, `tokenFeatures`, `ablation` and `scanResult` of the same inspection.
 *
 * Errors: a failed or refused run is a `runState` `error` with a message naming the problem (a
 * malformed cfg.json, a d_in that does not match, a feature out of range…). The view shows it in
 * its header and keeps what it was showing. A `features` with a new `inspectionId` replaces the
 * whole view (card, token list, ablation and examples are dropped); one with the same
 * `inspectionId` (e.g. the reconstruction quality arriving after the activations) keeps them.
 * `featureCard`, `tokenFeatures`, `ablation` and `scanResult` for another inspection are ignored.
 *
 * Payloads are plain data and typed arrays. Arrays named by their shape are snake_case
 * (`acts_pos`, `kl_pos`: one entry per prompt position, BOS included when the model prepends
 * one); everything else is camelCase. Activations and norms are in the SAE's units; densities are
 * fractions of tokens (0..1); KL and cross-entropy are in nats.
 */

import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isOptional, isPositiveInt, isRecord, isString } from '../../../shared/guards';
import { defineMessage } from '../../../shared/messageEnvelope';
import type { PositionToken } from '../../../shared/tokens';

import type { Message } from '../../../shared/messageEnvelope';
export type { Message } from '../../../shared/messageEnvelope';

export const PROTOCOL_VERSION = 1;
export const SAE_PROTOCOL_VERSION = PROTOCOL_VERSION;

// ---------------------------------------------------------------------------------------------
// Shared payload types
// ---------------------------------------------------------------------------------------------

export type RunStateKind = 'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'error';
export const RUN_STATE_KINDS: readonly RunStateKind[] = ['idle', 'loading', 'running', 'done', 'cancelled', 'error'];

/** Which job a run state is about (the view shows a scan's failure in the examples section too). */
export type SaeJob = 'features' | 'card' | 'tokenFeatures' | 'ablation' | 'scan' | 'export';
export const SAE_JOBS: readonly SaeJob[] = ['features', 'card', 'tokenFeatures', 'ablation', 'scan', 'export'];

export type DensitySource = 'sparsity file' | 'workspace scan' | 'unknown';
export const DENSITY_SOURCES: readonly DensitySource[] = ['sparsity file', 'workspace scan', 'unknown'];

export type SaeExportFormat = 'json' | 'csv' | 'png';
export const SAE_EXPORT_FORMATS: readonly SaeExportFormat[] = ['json', 'csv', 'png'];

/** Where a workspace scan reads: files of the selection's language, or a folder the host asks for. */
export type ScanScope = 'language' | 'folder';
export const SCAN_SCOPES: readonly ScanScope[] = ['language', 'folder'];

/** A feature's activation. */
export interface FeatureAct {
  readonly feature: number;
  readonly act: number;
}

/** An active feature at a position, with its density (null: unknown, see `densitySource`). */
export interface ActiveFeature extends FeatureAct {
  readonly density: number | null;
}

/** The loaded SAE as the view names it. */
export interface SaeInfo {
  /** e.g. "gpt2-python-mini · blocks.1.hook_resid_pre · 1024 features". */
  readonly label: string;
  /** The TL hook it reads, e.g. 'blocks.1.hook_resid_pre'. */
  readonly hookName: string;
  readonly architecture: string;
  readonly d_sae: number;
  readonly d_in: number;
  /** The input transform applied before encoding, and why ("model_from_pretrained_kwargs.center_writing_weights is true (TL default)"). */
  readonly inputTransform: 'none' | 'center';
  readonly inputTransformReason: string;
  /** Where densities come from before any scan: 'sparsity file' when the SAE ships one, else 'unknown'. */
  readonly densitySource: DensitySource;
  /** Where it was loaded from, as the user gave it ('' shipped, a folder, 'hf:owner/repo:subfolder'). */
  readonly source: string;
  /** Optional: how well the SAE does on the text it was evaluated on (its card / evaluation.json), shown beside this prompt's numbers. */
  readonly reference?: SaeReference;
}

/** An SAE's own evaluation numbers, to read a prompt's against. */
export interface SaeReference {
  /** Fraction of variance explained on its evaluation text. */
  readonly varianceExplained?: number;
  /** Next-token loss increase when spliced in, nats. */
  readonly deltaCe?: number;
  /** Where the numbers come from, e.g. "evaluation.json (held-out Python, 200k tokens)". */
  readonly source: string;
}

/**
 * How well the SAE reconstructs this prompt's activations (`runReconstructionQuality`). Per-position
 * arrays have one entry per prompt position; `scored_pos` marks the positions the summaries count
 * (BOS excluded: its residual is an outlier every SAE reconstructs badly or is not trained on).
 */
export interface ReconstructionQuality {
  /** ‖x − x̂‖₂ / ‖x‖₂ per position. [pos] */
  readonly rel_error_pos: Float32Array;
  /** 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖² over the scored positions. */
  readonly varianceExplained: number;
  /** KL(clean ‖ spliced) of the next-token distribution, per position, nats. [pos] */
  readonly kl_pos: Float32Array;
  /** Mean next-token cross-entropy over the scored positions with a next token, nats: clean model, and with x̂ spliced in at the hook. */
  readonly ceClean: number;
  readonly ceSpliced: number;
  /** Optional: the same with the hook's activation zero-ablated, for "CE loss recovered". */
  readonly ceZeroAblated?: number;
  /** Fraction of scored positions whose top-1 next token is unchanged by splicing. */
  readonly top1Agreement: number;
  /** How many positions the summaries count. */
  readonly nScored: number;
}

export interface LensToken {
  readonly id: number;
  readonly text: string;
  readonly value: number;
}

export interface FeatureLogitLens {
  /** What was projected, e.g. "W_dec[f] · W_U (no ln_final)". */
  readonly basis: string;
  /** Most promoted first. */
  readonly top: readonly LensToken[];
  /** Most suppressed first (most negative value first). */
  readonly bottom: readonly LensToken[];
}

/** A context from the workspace where the feature fires. */
export interface ScanExample {
  /** Opaque: the host resolves it in `openExample`. */
  readonly exampleId: string;
  /** The file as shown to the user (workspace-relative path). */
  readonly file: string;
  /** 1-based line of the peak token. */
  readonly line: number;
  /** The activation this example is ranked by (its peak). */
  readonly act: number;
  /** The snippet, a few tokens either side of the peak, each with the feature's activation. */
  readonly tokens: readonly { readonly text: string; readonly act: number }[];
  /** Index in `tokens` of the peak. */
  readonly peak: number;
  /** Uniform examples only: the quantile (0..1) of the activation bin it was drawn from, over the feature's nonzero activations. */
  readonly quantile?: number;
}

// ---------------------------------------------------------------------------------------------
// Message parameters: webview → host
// ---------------------------------------------------------------------------------------------

export interface ReadyParams {
  readonly protocolVersion: number;
}

export interface SelectFeatureParams {
  readonly inspectionId: string;
  /** 0 ≤ feature < d_sae. The host answers with `featureCard` and paints the feature over the editor. */
  readonly feature: number;
}

export interface SelectTokenParams {
  readonly inspectionId: string;
  /** 0 ≤ position < n_tokens. The host answers with `tokenFeatures`. */
  readonly position: number;
}

export interface RunAblationParams {
  readonly inspectionId: string;
  readonly feature: number;
  readonly position: number;
}

export interface ScanWorkspaceParams {
  readonly inspectionId: string;
  readonly feature: number;
  readonly scope: ScanScope;
}

export interface OpenExampleParams {
  readonly exampleId: string;
}

export interface ExportParams {
  readonly inspectionId: string;
  /** `json`: the record (top-k per position, quality, card, ablation); `csv`: activations per position; `png`: `dataUrl`. */
  readonly format: SaeExportFormat;
  /** PNG only: suggested file name without extension, e.g. "feature-123-strip". */
  readonly name?: string;
  /** PNG only: `data:image/png;base64,…` from canvas.toDataURL(). */
  readonly dataUrl?: string;
}

// ---------------------------------------------------------------------------------------------
// Message parameters: host → webview
// ---------------------------------------------------------------------------------------------

export interface RunStateParams {
  readonly state: RunStateKind;
  /** Progress text while running ("encoding 48 tokens…"), or the error / reason when stopped. */
  readonly message?: string;
  /** 0..1 when known. */
  readonly progress?: number;
  /** The run can be cancelled from the view (posts `cancel`). */
  readonly cancellable?: boolean;
  readonly job?: SaeJob;
}

export interface FeaturesParams {
  readonly inspectionId: string;
  readonly modelName: string;
  readonly sae: SaeInfo;
  /** Plain sentences shown as warnings (e.g. the SAE's metadata.model_name differs from the model's). */
  readonly warnings: readonly string[];
  /** Plain sentences about the input (a truncated selection…). */
  readonly notes: readonly string[];
  readonly tokens: readonly PositionToken[];
  /** The k of `top`. */
  readonly k: number;
  /** Per position, the top-k active features, descending by act (fewer when fewer are active). [pos][≤k] */
  readonly top: readonly (readonly FeatureAct[])[];
  /** Number of active features per position (L0). [pos] */
  readonly l0_pos: Float32Array;
  /** ‖x‖₂ of the hook activation per position. [pos] */
  readonly resid_norm_pos: Float32Array;
  /** ‖x − x̂‖₂ per position. [pos] */
  readonly error_norm_pos: Float32Array;
  /** Undefined while it is being computed (or when it failed: then a `runState` says why). */
  readonly quality?: ReconstructionQuality;
  readonly stale: boolean;
}

export interface FeatureCardParams {
  readonly inspectionId: string;
  readonly feature: number;
  /** The feature's activation at every position of the prompt. [pos] */
  readonly acts_pos: Float32Array;
  /** Fraction of tokens it is active on; null when unknown. */
  readonly density: number | null;
  readonly densitySource: DensitySource;
  /** Largest activation seen, and over what: this prompt, or the workspace scan. */
  readonly maxAct: number;
  readonly maxActSource: 'prompt' | 'workspace scan';
  readonly logitLens: FeatureLogitLens;
}

export interface TokenFeaturesParams {
  readonly inspectionId: string;
  readonly position: number;
  /** Every feature active (act > 0) at the position, descending by act. */
  readonly features: readonly ActiveFeature[];
  readonly densitySource: DensitySource;
}

export interface AblationParams {
  readonly inspectionId: string;
  readonly feature: number;
  readonly position: number;
  /** The feature's activation at `position` on the clean prompt. */
  readonly clean: number;
  /** The activation at `position` when token j's embedding (hook_embed) is replaced by the mean token embedding; j = 0..position. [position + 1] */
  readonly ablated_pos: Float32Array;
  /** How tokens were ablated, shown as the legend's caption, e.g. "hook_embed[j] → mean token embedding". */
  readonly method: string;
}

export interface ScanProgressParams {
  readonly scanId: string;
  readonly feature: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly tokens: number;
  readonly tokensPerSecond: number;
}

export interface ScanResultParams {
  readonly inspectionId: string;
  readonly scanId: string;
  readonly feature: number;
  /** What was scanned, e.g. "python files in the workspace" or a folder. */
  readonly scope: string;
  /** Highest first. */
  readonly top: readonly ScanExample[];
  /** Ascending quantile. */
  readonly uniform: readonly ScanExample[];
  /** Density over the scanned tokens, and the largest activation seen. */
  readonly density: number;
  readonly maxAct: number;
  readonly filesScanned: number;
  readonly filesTotal: number;
  readonly tokensScanned: number;
  /** Cancelled (or stopped by an error) midway: what was found so far. */
  readonly partial: boolean;
  /** Served from the cache (same model, SAE and file versions). */
  readonly cached: boolean;
}

export interface StaleParams {
  readonly stale: boolean;
  readonly reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Payload checks
// ---------------------------------------------------------------------------------------------

export const isRunStateKind = isOneOf(RUN_STATE_KINDS);
export const isSaeJob = isOneOf(SAE_JOBS);
export const isDensitySource = isOneOf(DENSITY_SOURCES);
export const isSaeExportFormat = isOneOf(SAE_EXPORT_FORMATS);
export const isScanScope = isOneOf(SCAN_SCOPES);

function isEmptyParams(v: unknown): v is Record<string, never> {
  return isRecord(v) && Object.keys(v).length === 0;
}
function isBool(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
function isF32(v: unknown, length: number): v is Float32Array {
  return v instanceof Float32Array && v.length === length;
}
function isFraction(v: unknown): v is number {
  return isFiniteNumber(v) && v >= 0 && v <= 1;
}
function isPositionToken(v: unknown): v is PositionToken {
  return isRecord(v) && isIndex(v.id) && isString(v.text) && isBool(v.isBos) && isOptional(v.isSpecial, isBool);
}
function isFeatureActIn(dSae: number) {
  return (v: unknown): v is FeatureAct => isRecord(v) && isIndex(v.feature) && v.feature < dSae && isFiniteNumber(v.act);
}
function isActiveFeature(v: unknown): v is ActiveFeature {
  return isRecord(v) && isIndex(v.feature) && isFiniteNumber(v.act) && (v.density === null || isFraction(v.density));
}
function isLensToken(v: unknown): v is LensToken {
  return isRecord(v) && isIndex(v.id) && isString(v.text) && isFiniteNumber(v.value);
}
function isFeatureLogitLens(v: unknown): v is FeatureLogitLens {
  return isRecord(v) && isString(v.basis) && isArrayOf(v.top, isLensToken) && isArrayOf(v.bottom, isLensToken);
}
function isSaeInfo(v: unknown): v is SaeInfo {
  return (
    isRecord(v) &&
    isString(v.label) &&
    isString(v.hookName) &&
    isString(v.architecture) &&
    isPositiveInt(v.d_sae) &&
    isPositiveInt(v.d_in) &&
    (v.inputTransform === 'none' || v.inputTransform === 'center') &&
    isString(v.inputTransformReason) &&
    isDensitySource(v.densitySource) &&
    isString(v.source) &&
    (v.reference === undefined || isSaeReference(v.reference))
  );
}
function isSaeReference(v: unknown): v is SaeReference {
  return isRecord(v) && isOptional(v.varianceExplained, isFiniteNumber) && isOptional(v.deltaCe, isFiniteNumber) && isString(v.source);
}
function isNonNegative(v: unknown): v is number {
  return isFiniteNumber(v) && v >= 0;
}

/** Quality arrays have one entry per position; the summaries are finite (varianceExplained may be negative). */
export function isReconstructionQuality(v: unknown, nTokens: number): v is ReconstructionQuality {
  return (
    isRecord(v) &&
    isF32(v.rel_error_pos, nTokens) &&
    isF32(v.kl_pos, nTokens) &&
    isFiniteNumber(v.varianceExplained) &&
    isNonNegative(v.ceClean) &&
    isNonNegative(v.ceSpliced) &&
    isOptional(v.ceZeroAblated, isNonNegative) &&
    isFraction(v.top1Agreement) &&
    isIndex(v.nScored) &&
    v.nScored <= nTokens
  );
}

function isScanExample(v: unknown): v is ScanExample {
  return (
    isRecord(v) &&
    isString(v.exampleId) &&
    v.exampleId.length > 0 &&
    isString(v.file) &&
    isPositiveInt(v.line) &&
    isFiniteNumber(v.act) &&
    isArrayOf(v.tokens, (t): t is { text: string; act: number } => isRecord(t) && isString(t.text) && isFiniteNumber(t.act)) &&
    isIndex(v.peak) &&
    v.peak < v.tokens.length &&
    isOptional(v.quantile, isFraction)
  );
}

function isReadyParams(v: unknown): v is ReadyParams {
  return isRecord(v) && isPositiveInt(v.protocolVersion);
}
function isSelectFeatureParams(v: unknown): v is SelectFeatureParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.feature);
}
function isSelectTokenParams(v: unknown): v is SelectTokenParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.position);
}
function isRunAblationParams(v: unknown): v is RunAblationParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.feature) && isIndex(v.position);
}
function isScanWorkspaceParams(v: unknown): v is ScanWorkspaceParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.feature) && isScanScope(v.scope);
}
function isOpenExampleParams(v: unknown): v is OpenExampleParams {
  return isRecord(v) && isString(v.exampleId) && v.exampleId.length > 0 && v.exampleId.length <= 500;
}
/** JSON and CSV carry nothing else; PNG needs a safe name and a PNG data URL. */
function isExportParams(v: unknown): v is ExportParams {
  if (!isRecord(v) || !isString(v.inspectionId) || !isSaeExportFormat(v.format)) return false;
  if (v.format !== 'png') return v.dataUrl === undefined;
  return isString(v.name) && /^[\w.-]{1,80}$/.test(v.name) && isString(v.dataUrl) && v.dataUrl.startsWith('data:image/png;base64,');
}

function isRunStateParams(v: unknown): v is RunStateParams {
  return (
    isRecord(v) &&
    isRunStateKind(v.state) &&
    isOptional(v.message, isString) &&
    isOptional(v.progress, isFraction) &&
    isOptional(v.cancellable, isBool) &&
    isOptional(v.job, isSaeJob)
  );
}

/** A features record whose per-position arrays all have one entry per token, features below d_sae. */
export function isFeaturesParams(v: unknown): v is FeaturesParams {
  if (!isRecord(v) || !isString(v.inspectionId) || !isString(v.modelName) || !isSaeInfo(v.sae)) return false;
  const t = Array.isArray(v.tokens) ? v.tokens.length : -1;
  if (!isArrayOf(v.tokens, isPositionToken) || t === 0 || !isPositiveInt(v.k)) return false;
  const k = v.k;
  const isFa = isFeatureActIn(v.sae.d_sae);
  return (
    isArrayOf(v.warnings, isString) &&
    isArrayOf(v.notes, isString) &&
    Array.isArray(v.top) &&
    v.top.length === t &&
    v.top.every((row: unknown) => isArrayOf(row, isFa) && row.length <= k) &&
    isF32(v.l0_pos, t) &&
    isF32(v.resid_norm_pos, t) &&
    isF32(v.error_norm_pos, t) &&
    (v.quality === undefined || isReconstructionQuality(v.quality, t)) &&
    isBool(v.stale)
  );
}

function isFeatureCardParams(v: unknown): v is FeatureCardParams {
  return (
    isRecord(v) &&
    isString(v.inspectionId) &&
    isIndex(v.feature) &&
    v.acts_pos instanceof Float32Array &&
    v.acts_pos.length > 0 &&
    (v.density === null || isFraction(v.density)) &&
    isDensitySource(v.densitySource) &&
    isFiniteNumber(v.maxAct) &&
    (v.maxActSource === 'prompt' || v.maxActSource === 'workspace scan') &&
    isFeatureLogitLens(v.logitLens)
  );
}
function isTokenFeaturesParams(v: unknown): v is TokenFeaturesParams {
  return isRecord(v) && isString(v.inspectionId) && isIndex(v.position) && isArrayOf(v.features, isActiveFeature) && isDensitySource(v.densitySource);
}
function isAblationParams(v: unknown): v is AblationParams {
  return (
    isRecord(v) &&
    isString(v.inspectionId) &&
    isIndex(v.feature) &&
    isIndex(v.position) &&
    isFiniteNumber(v.clean) &&
    isF32(v.ablated_pos, v.position + 1) &&
    isString(v.method)
  );
}
function isScanProgressParams(v: unknown): v is ScanProgressParams {
  return (
    isRecord(v) &&
    isString(v.scanId) &&
    isIndex(v.feature) &&
    isIndex(v.filesDone) &&
    isIndex(v.filesTotal) &&
    v.filesDone <= v.filesTotal &&
    isIndex(v.tokens) &&
    isNonNegative(v.tokensPerSecond)
  );
}
function isScanResultParams(v: unknown): v is ScanResultParams {
  return (
    isRecord(v) &&
    isString(v.inspectionId) &&
    isString(v.scanId) &&
    isIndex(v.feature) &&
    isString(v.scope) &&
    isArrayOf(v.top, isScanExample) &&
    isArrayOf(v.uniform, isScanExample) &&
    isFraction(v.density) &&
    isFiniteNumber(v.maxAct) &&
    isIndex(v.filesScanned) &&
    isIndex(v.filesTotal) &&
    isIndex(v.tokensScanned) &&
    isBool(v.partial) &&
    isBool(v.cached)
  );
}
function isStaleParams(v: unknown): v is StaleParams {
  return isRecord(v) && isBool(v.stale) && isOptional(v.reason, isString);
}

// ---------------------------------------------------------------------------------------------
// Messages: webview → host
// ---------------------------------------------------------------------------------------------

/** Command: the webview's listener is installed; the host replays the run state and what is on screen. */
export const SaeReady = defineMessage('ready', 'command', isReadyParams);
/** Command: a feature was picked: send its card and paint it over the source in the editor. */
export const SelectFeature = defineMessage('selectFeature', 'command', isSelectFeatureParams);
/** Command: a token was clicked: send every feature active there. */
export const SelectToken = defineMessage('selectToken', 'command', isSelectTokenParams);
/** Command: run the ablated text for a feature at a position (one batched run). */
export const RunAblation = defineMessage('runAblation', 'command', isRunAblationParams);
/** Command: scan the workspace for a feature's examples (progress, then `scanResult`). */
export const ScanWorkspace = defineMessage('scanWorkspace', 'command', isScanWorkspaceParams);
/** Command: stop the scan in flight; the host sends what it found as a partial `scanResult`. */
export const CancelScan = defineMessage('cancelScan', 'command', isEmptyParams);
/** Command: open an example's file at its line with the feature painted. */
export const OpenExample = defineMessage('openExample', 'command', isOpenExampleParams);
/** Command: save JSON / CSV of the activations, or a PNG the view drew, through a save dialog. */
export const Export = defineMessage('export', 'command', isExportParams);
/** Command: remove the feature's decorations from the editor. */
export const ClearEditorPaint = defineMessage('clearEditorPaint', 'command', isEmptyParams);
/** Command: cancel the run in flight (features, card, ablation). */
export const Cancel = defineMessage('cancel', 'command', isEmptyParams);

// ---------------------------------------------------------------------------------------------
// Messages: host → webview
// ---------------------------------------------------------------------------------------------

/** Notification: the run state, for the header (progress and Cancel while running; errors keep the view). */
export const RunState = defineMessage('runState', 'notification', isRunStateParams);
/** Notification: the prompt's features (a new inspectionId replaces the view). */
export const Features = defineMessage('features', 'notification', isFeaturesParams);
/** Notification: the picked feature's card and its activation over the prompt. */
export const FeatureCard = defineMessage('featureCard', 'notification', isFeatureCardParams);
/** Notification: every feature active at the clicked position. */
export const TokenFeatures = defineMessage('tokenFeatures', 'notification', isTokenFeaturesParams);
/** Notification: the ablated text for a feature at a position. */
export const Ablation = defineMessage('ablation', 'notification', isAblationParams);
/** Notification: a workspace scan's progress. */
export const ScanProgress = defineMessage('scanProgress', 'notification', isScanProgressParams);
/** Notification: a workspace scan's examples (whole, partial or cached). */
export const ScanResult = defineMessage('scanResult', 'notification', isScanResultParams);
/** Notification: the inspected document changed since the features were computed. */
export const Stale = defineMessage('stale', 'notification', isStaleParams);

export type SaeWebviewToHost =
  | Message<'ready', ReadyParams>
  | Message<'selectFeature', SelectFeatureParams>
  | Message<'selectToken', SelectTokenParams>
  | Message<'runAblation', RunAblationParams>
  | Message<'scanWorkspace', ScanWorkspaceParams>
  | Message<'cancelScan', Record<string, never>>
  | Message<'openExample', OpenExampleParams>
  | Message<'export', ExportParams>
  | Message<'clearEditorPaint', Record<string, never>>
  | Message<'cancel', Record<string, never>>;

export type SaeHostToWebview =
  | Message<'runState', RunStateParams>
  | Message<'features', FeaturesParams>
  | Message<'featureCard', FeatureCardParams>
  | Message<'tokenFeatures', TokenFeaturesParams>
  | Message<'ablation', AblationParams>
  | Message<'scanProgress', ScanProgressParams>
  | Message<'scanResult', ScanResultParams>
  | Message<'stale', StaleParams>;

const TO_HOST = [SaeReady, SelectFeature, SelectToken, RunAblation, ScanWorkspace, CancelScan, OpenExample, Export, ClearEditorPaint, Cancel] as const;
const TO_WEBVIEW = [RunState, Features, FeatureCard, TokenFeatures, Ablation, ScanProgress, ScanResult, Stale] as const;

export function isSaeWebviewToHost(msg: unknown): msg is SaeWebviewToHost {
  return TO_HOST.some((d) => d.is(msg));
}
export function isSaeHostToWebview(msg: unknown): msg is SaeHostToWebview {
  return TO_WEBVIEW.some((d) => d.is(msg));
}
