/**
 * Messages between the extension host and the Compare Token Substitution webview, plus the pure
 * arithmetic both sides read the tables with (normalisation, the OR/AND reading aid). No `vscode`
 * import: bundled into the webview, used by the host and the unit tests.
 *
 * Every table value is the metric of a patched run ("patched"). Attribution-patching (AtP) tables
 * arrive first as an estimate (target metric + estimated change); exact sweeps replace them one
 * table at a time (`source` says which is which). Shapes are stated in field names; `dims` and
 * `axes` follow the engine (`[layer, pos]`, `[layer, head_index]`, `[layer, head_index, pos]`).
 */
import { normalisePatched, PATCH_DIRECTIONS, SWEEP_KINDS, type PatchDirection, type SweepKind } from '../../../shared/patchingVocabulary';
import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isPositiveInt, isRecord, isString } from '../../../shared/guards';
import { headLabel } from '../../../shared/inspection';
import { defineMessage, defineRequest, defineResponse } from '../../../shared/messageEnvelope';
import { visibleText, type PositionToken, type TokenRef } from '../../../shared/tokens';
import { isExportPngParams, isReadyParams, isRunIdParams, type ExportPngParams, type ReadyParams, type RunIdParams } from '../../../shared/panelMessages';
import { cellAddress } from '../../../shared/patchTables';
import { isLogitsError, isPatchTableCheck, type LogitsError, type PatchTableCheck } from '../../../shared/precision';

import type { Message, RequestMessage, ResponseMessage } from '../../../shared/messageEnvelope';
export type { Message, RequestMessage, ResponseMessage };

export type { PatchDirection, SweepKind };
export { PATCH_DIRECTIONS, SWEEP_KINDS };
export type { ExportPngParams, RunIdParams };

export const SUBSTITUTION_PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

export type MetricSpec =
  /** logit[answer] − logit[wrong] at the last position (the default). */
  | { readonly kind: 'logit_diff'; readonly answer: TokenRef; readonly wrong: TokenRef }
  /** p(answer) at the last position. */
  | { readonly kind: 'prob'; readonly answer: TokenRef }
  /** KL(clean next-token distribution ‖ the run's), in nats: 0 for the clean run. */
  | { readonly kind: 'kl' };
export type MetricKind = MetricSpec['kind'];
export const METRIC_KINDS: readonly MetricKind[] = ['logit_diff', 'prob', 'kl'];

/** Where a table's values come from. */
export type TableSource = 'attribution' | 'exact';

export interface PatchTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly source: TableSource;
  readonly dims: readonly number[];
  readonly axes: readonly string[];
  /** The metric of each patched run (exact), or target metric + AtP estimate; row-major over dims. */
  readonly patched: Float32Array;
}

export type DiffOpKind = 'equal' | 'replace' | 'delete' | 'insert';
export interface DiffOp {
  readonly kind: DiffOpKind;
  /** Index into the clean tokens (absent for insert). */
  readonly a?: number;
  /** Index into the corrupt tokens (absent for delete). */
  readonly b?: number;
}

export interface ComparisonParams {
  readonly runId: string;
  readonly modelName: string;
  readonly clean: { readonly text: string; readonly tokens: readonly PositionToken[] };
  readonly corrupt: { readonly text: string; readonly tokens: readonly PositionToken[] };
  readonly diff: { readonly ops: readonly DiffOp[]; readonly differingPositions: readonly number[] };
  readonly metric: {
    readonly spec: MetricSpec;
    /** e.g. "logit(' a') − logit(' b')". */
    readonly label: string;
    readonly clean: number;
    readonly corrupt: number;
  };
  readonly n_layers: number;
  readonly n_heads: number;
  readonly sweeps: readonly SweepKind[];
  /** Things the user should know about how the input was read (e.g. a multi-token answer). */
  readonly notes: readonly string[];
  readonly stale: boolean;
  /** An int8 run's logits error on the clean prompt against fp32 (absent in the exact mode). */
  readonly precisionError?: LogitsError;
}

export type SubstitutionRunStateKind = 'estimating' | 'sweeping' | 'done' | 'cancelled' | 'error';
export const SUBSTITUTION_RUN_STATES: readonly SubstitutionRunStateKind[] = ['estimating', 'sweeping', 'done', 'cancelled', 'error'];

export interface SweepProgress {
  readonly direction: PatchDirection;
  readonly sweep: SweepKind;
  /** Finished tables / all tables (both directions). */
  readonly tablesDone: number;
  readonly tablesTotal: number;
  readonly layer: number;
  readonly cellsDone: number;
  readonly cellsTotal: number;
  /** Work done and planned over all tables (positions computed: cells × suffix × layers), and the time it took so far: the bar and the time left. */
  readonly workDone?: number;
  readonly workTotal?: number;
  readonly elapsedMs?: number;
}

export interface SubstitutionRunStateParams {
  readonly runId: string;
  readonly state: SubstitutionRunStateKind;
  readonly message?: string;
  readonly progress?: SweepProgress;
}

export interface PatchTablesParams {
  readonly runId: string;
  readonly tables: readonly PatchTable[];
}

export interface SubstitutionStaleParams {
  readonly runId: string;
  readonly reason: string;
}

export interface HeadPatternsRequestParams {
  readonly runId: string;
  readonly layer: number;
  readonly head: number;
}

export interface HeadPatternsParams extends HeadPatternsRequestParams {
  readonly n_tokens: number;
  /** [query_pos, key_pos], row-major. */
  readonly clean_q_k: Float32Array;
  readonly corrupt_q_k: Float32Array;
}

export type ExportFormat = 'json' | 'csv' | 'html';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'html'];

export interface ExportTablesParams {
  readonly runId: string;
  readonly format: ExportFormat;
}

export type SubstitutionReadyParams = ReadyParams;

/** The SAE whose features the comparison is read through. */
export interface SaeSummary {
  /** e.g. "gpt2-python-mini · blocks.1.hook_resid_pre · 1024 features" */
  readonly label: string;
  readonly hook: string;
  readonly dSae: number;
  readonly inputTransform: 'none' | 'center';
}

/** Both directions of one quantity (denoise: clean into corrupt; noise: corrupt into clean). */
export interface DirectionPair {
  readonly denoise: number;
  readonly noise: number;
}

/** One SAE feature of the comparison. */
export interface SaeFeatureRow {
  readonly feature: number;
  /** Attribution: the estimated patched − target metric of patching this feature at every position. */
  readonly attribution: DirectionPair;
  /** The metric of the exact patch; absent until it ran. */
  readonly exact?: DirectionPair;
  /** Attribution per position, [pos] (sums to `attribution`). */
  readonly denoise_pos: Float32Array;
  readonly noise_pos: Float32Array;
}

export type SaeFeaturesState = 'no-sae' | 'estimating' | 'exact' | 'done' | 'cancelled' | 'error';
export const SAE_FEATURES_STATES: readonly SaeFeaturesState[] = ['no-sae', 'estimating', 'exact', 'done', 'cancelled', 'error'];

/** The features that carry the substitution, as far as they are known (each message replaces the last). */
export interface SaeFeaturesParams {
  readonly runId: string;
  readonly state: SaeFeaturesState;
  /** What is happening or went wrong, in a sentence. */
  readonly message?: string;
  readonly sae?: SaeSummary;
  /** Strongest first. */
  readonly features: readonly SaeFeatureRow[];
  /** Features with a non-zero attribution in either direction. */
  readonly attributed?: number;
  readonly warnings: readonly string[];
  /** Exact patches done / to do (both directions). */
  readonly progress?: { readonly done: number; readonly total: number };
}

/** One table of the comparison (int8 runs only) to recompute with the fp32 weights. */
export interface TableRefParams {
  readonly runId: string;
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
}

export type TableCheckState = 'running' | 'done' | 'cancelled' | 'error';
export const TABLE_CHECK_STATES: readonly TableCheckState[] = ['running', 'done', 'cancelled', 'error'];

/** An int8 table's check against fp32, as far as it got (each message replaces the last for its table). */
export interface TableCheckParams extends TableRefParams {
  readonly state: TableCheckState;
  /** What is happening or went wrong, in a sentence. */
  readonly message?: string;
  /** Share of the recompute done, 0..1 (running). */
  readonly progress?: number;
  readonly check?: PatchTableCheck;
}

export interface InspectFeatureParams {
  readonly runId: string;
  readonly feature: number;
}

// ---------------------------------------------------------------------------------------------
// Envelopes and guards
// ---------------------------------------------------------------------------------------------

export const isSweepKind = isOneOf(SWEEP_KINDS);
export const isPatchDirection = isOneOf(PATCH_DIRECTIONS);
export const isExportFormat = isOneOf(EXPORT_FORMATS);
const isRunState = isOneOf(SUBSTITUTION_RUN_STATES);

function isTokenRef(v: unknown): v is TokenRef {
  return isRecord(v) && isIndex(v.id) && isString(v.text);
}
function isPositionToken(v: unknown): v is PositionToken {
  return isRecord(v) && isIndex(v.id) && isString(v.text) && typeof v.isBos === 'boolean' && (v.isSpecial === undefined || typeof v.isSpecial === 'boolean');
}
export function isMetricSpec(v: unknown): v is MetricSpec {
  if (!isRecord(v)) return false;
  if (v.kind === 'kl') return true;
  if (v.kind === 'prob') return isTokenRef(v.answer);
  return v.kind === 'logit_diff' && isTokenRef(v.answer) && isTokenRef(v.wrong);
}

/** dims match the sweep's axes, and `patched` has one value per cell. */
export function isPatchTable(v: unknown): v is PatchTable {
  if (!isRecord(v) || !isSweepKind(v.sweep) || !isPatchDirection(v.direction)) return false;
  if (v.source !== 'attribution' && v.source !== 'exact') return false;
  if (!isArrayOf(v.dims, isPositiveInt) || !isArrayOf(v.axes, isString) || v.dims.length !== v.axes.length) return false;
  if (v.dims.length < 2 || v.axes[0] !== 'layer') return false;
  return v.patched instanceof Float32Array && v.patched.length === v.dims.reduce((a, b) => a * b, 1);
}

function isDiffOp(v: unknown): v is DiffOp {
  if (!isRecord(v)) return false;
  switch (v.kind) {
    case 'equal':
    case 'replace':
      return isIndex(v.a) && isIndex(v.b);
    case 'delete':
      return isIndex(v.a) && v.b === undefined;
    case 'insert':
      return isIndex(v.b) && v.a === undefined;
    default:
      return false;
  }
}

function isPrompt(v: unknown): v is ComparisonParams['clean'] {
  return isRecord(v) && isString(v.text) && isArrayOf(v.tokens, isPositionToken) && v.tokens.length > 0;
}

export function isComparisonParams(v: unknown): v is ComparisonParams {
  if (!isRecord(v) || !isString(v.runId) || !isString(v.modelName) || typeof v.stale !== 'boolean') return false;
  if (!isPrompt(v.clean) || !isPrompt(v.corrupt)) return false;
  if (!isPositiveInt(v.n_layers) || !isPositiveInt(v.n_heads)) return false;
  if (!isArrayOf(v.sweeps, isSweepKind) || !isArrayOf(v.notes, isString)) return false;
  const d = v.diff;
  if (!isRecord(d) || !isArrayOf(d.ops, isDiffOp) || !isArrayOf(d.differingPositions, isIndex)) return false;
  const nA = v.clean.tokens.length;
  const nB = v.corrupt.tokens.length;
  if (!d.ops.every((op) => (op.a === undefined || op.a < nA) && (op.b === undefined || op.b < nB))) return false;
  const m = v.metric;
  // Metric values may be any finite number; equal values are allowed (normalisation is then undefined).
  if (v.precisionError !== undefined && !isLogitsError(v.precisionError)) return false;
  return isRecord(m) && isMetricSpec(m.spec) && isString(m.label) && isFiniteNumber(m.clean) && isFiniteNumber(m.corrupt);
}

function isSweepProgress(v: unknown): v is SweepProgress {
  return (
    isRecord(v) &&
    isPatchDirection(v.direction) &&
    isSweepKind(v.sweep) &&
    isIndex(v.tablesDone) &&
    isPositiveInt(v.tablesTotal) &&
    v.tablesDone <= v.tablesTotal &&
    isIndex(v.layer) &&
    isIndex(v.cellsDone) &&
    isIndex(v.cellsTotal) &&
    v.cellsDone <= v.cellsTotal &&
    (v.workDone === undefined || isFiniteNumber(v.workDone)) &&
    (v.workTotal === undefined || isFiniteNumber(v.workTotal)) &&
    (v.elapsedMs === undefined || isFiniteNumber(v.elapsedMs))
  );
}

function isSubstitutionRunStateParams(v: unknown): v is SubstitutionRunStateParams {
  return (
    isRecord(v) &&
    isString(v.runId) &&
    isRunState(v.state) &&
    (v.message === undefined || isString(v.message)) &&
    (v.progress === undefined || isSweepProgress(v.progress))
  );
}

function isPatchTablesParams(v: unknown): v is PatchTablesParams {
  return isRecord(v) && isString(v.runId) && isArrayOf(v.tables, isPatchTable);
}
function isSubstitutionStaleParams(v: unknown): v is SubstitutionStaleParams {
  return isRecord(v) && isString(v.runId) && isString(v.reason);
}
function isHeadPatternsRequestParams(v: unknown): v is HeadPatternsRequestParams {
  return isRecord(v) && isString(v.runId) && isIndex(v.layer) && isIndex(v.head);
}
function isHeadPatternsParams(v: unknown): v is HeadPatternsParams {
  if (!isHeadPatternsRequestParams(v)) return false;
  const r = v as unknown as Record<string, unknown>;
  const n = r.n_tokens;
  return (
    isPositiveInt(n) &&
    r.clean_q_k instanceof Float32Array &&
    r.corrupt_q_k instanceof Float32Array &&
    r.clean_q_k.length === n * n &&
    r.corrupt_q_k.length === n * n
  );
}
function isExportTablesParams(v: unknown): v is ExportTablesParams {
  return isRecord(v) && isString(v.runId) && isExportFormat(v.format);
}

const isSaeFeaturesState = isOneOf(SAE_FEATURES_STATES);
function isDirectionPair(v: unknown): v is DirectionPair {
  return isRecord(v) && isFiniteNumber(v.denoise) && isFiniteNumber(v.noise);
}
function isSaeSummary(v: unknown): v is SaeSummary {
  return isRecord(v) && isString(v.label) && isString(v.hook) && isPositiveInt(v.dSae) && (v.inputTransform === 'none' || v.inputTransform === 'center');
}
function isSaeFeatureRow(v: unknown): v is SaeFeatureRow {
  return (
    isRecord(v) &&
    isIndex(v.feature) &&
    isDirectionPair(v.attribution) &&
    (v.exact === undefined || isDirectionPair(v.exact)) &&
    v.denoise_pos instanceof Float32Array &&
    v.noise_pos instanceof Float32Array &&
    v.denoise_pos.length === v.noise_pos.length
  );
}
export function isSaeFeaturesParams(v: unknown): v is SaeFeaturesParams {
  if (!isRecord(v) || !isString(v.runId) || !isSaeFeaturesState(v.state) || !isArrayOf(v.features, isSaeFeatureRow) || !isArrayOf(v.warnings, isString)) {
    return false;
  }
  const p = v.progress;
  return (
    (v.message === undefined || isString(v.message)) &&
    (v.sae === undefined || isSaeSummary(v.sae)) &&
    (v.attributed === undefined || isIndex(v.attributed)) &&
    (p === undefined || (isRecord(p) && isIndex(p.done) && isIndex(p.total) && p.done <= p.total))
  );
}
function isTableRefParams(v: unknown): v is TableRefParams {
  return isRecord(v) && isString(v.runId) && isSweepKind(v.sweep) && isPatchDirection(v.direction);
}
const isTableCheckState = isOneOf(TABLE_CHECK_STATES);
export function isTableCheckParams(v: unknown): v is TableCheckParams {
  if (!isTableRefParams(v)) return false;
  const r = v as unknown as Record<string, unknown>;
  const p = r.progress;
  return (
    isTableCheckState(r.state) &&
    (r.message === undefined || isString(r.message)) &&
    (p === undefined || (isFiniteNumber(p) && p >= 0 && p <= 1)) &&
    (r.check === undefined || isPatchTableCheck(r.check))
  );
}
function isInspectFeatureParams(v: unknown): v is InspectFeatureParams {
  return isRecord(v) && isString(v.runId) && isIndex(v.feature);
}

// webview → host
/** Command: the listener is installed; the host replies with the current comparison and tables. */
export const SubstitutionReady = defineMessage('ready', 'command', isReadyParams);
/** Command: cancel the run's exact sweeps (finished tables stay; the one in progress is dropped). */
export const CancelRun = defineMessage('cancelRun', 'command', isRunIdParams);
/** Command: save every table (JSON, CSV) or a self-contained HTML report, through a save dialog. */
export const ExportTables = defineMessage('exportTables', 'command', isExportTablesParams);
/** Command: save a heatmap canvas as PNG, through a save dialog. */
export const ExportPng = defineMessage('exportPng', 'command', isExportPngParams);
/** Command: stop the SAE feature attribution (the features estimated so far stay). */
export const CancelSaeFeatures = defineMessage('cancelSaeFeatures', 'command', isRunIdParams);
/** Command: open Inspect Features on a feature (the command `circuitInspector.inspectFeatures` with `{ feature }`). */
export const InspectFeature = defineMessage('inspectFeature', 'command', isInspectFeatureParams);
/** Command: choose an SAE (the command `circuitInspector.selectSae`). */
export const SelectSae = defineMessage('selectSae', 'command', isRunIdParams);
/** Command: recompute one table of an int8 run with the fp32 weights and compare (answered by `tableCheck` notifications). */
export const CheckTable = defineMessage('checkTable', 'command', isTableRefParams);
/** Command: stop the running fp32 check (the tables stay as they are). */
export const CancelTableCheck = defineMessage('cancelTableCheck', 'command', isRunIdParams);
/** Request: one head's clean and corrupt attention patterns; answered by `headPatterns`. */
export const RequestHeadPatterns = defineRequest('requestHeadPatterns', isHeadPatternsRequestParams);

// host → webview
/** Notification: a new comparison (replaces the previous one and its tables). */
export const Comparison = defineMessage('comparison', 'notification', isComparisonParams);
/**
 * Notification: tables for the current run (an AtP preview, or exact tables replacing it). Named
 * for what it carries (`PatchTable`s, the patching analysis), not for the panel.
 */
export const PatchTables = defineMessage('tables', 'notification', isPatchTablesParams);
/** Notification: run state and per-sweep progress. */
export const SubstitutionRunState = defineMessage('runState', 'notification', isSubstitutionRunStateParams);
/** Notification: the document changed since the comparison was taken. */
export const SubstitutionStale = defineMessage('stale', 'notification', isSubstitutionStaleParams);
/** Notification: the SAE features that carry the substitution (or why there are none). */
export const SaeFeatures = defineMessage('saeFeatures', 'notification', isSaeFeaturesParams);
/** Notification: an int8 table's check against fp32 (running, done, cancelled or failed). */
export const TableCheck = defineMessage('tableCheck', 'notification', isTableCheckParams);
/** Response to `requestHeadPatterns`. */
export const HeadPatterns = defineResponse('headPatterns', isHeadPatternsParams);

export type SubstitutionWebviewToHost =
  | Message<'ready', SubstitutionReadyParams>
  | Message<'cancelRun', RunIdParams>
  | Message<'exportTables', ExportTablesParams>
  | Message<'exportPng', ExportPngParams>
  | Message<'cancelSaeFeatures', RunIdParams>
  | Message<'inspectFeature', InspectFeatureParams>
  | Message<'selectSae', RunIdParams>
  | Message<'checkTable', TableRefParams>
  | Message<'cancelTableCheck', RunIdParams>
  | RequestMessage<'requestHeadPatterns', HeadPatternsRequestParams>;
export type SubstitutionHostToWebview =
  | Message<'comparison', ComparisonParams>
  | Message<'tables', PatchTablesParams>
  | Message<'runState', SubstitutionRunStateParams>
  | Message<'stale', SubstitutionStaleParams>
  | Message<'saeFeatures', SaeFeaturesParams>
  | Message<'tableCheck', TableCheckParams>
  | ResponseMessage<'headPatterns', HeadPatternsParams>;

export function isSubstitutionWebviewToHost(msg: unknown): msg is SubstitutionWebviewToHost {
  return (
    SubstitutionReady.is(msg) ||
    CancelRun.is(msg) ||
    ExportTables.is(msg) ||
    ExportPng.is(msg) ||
    RequestHeadPatterns.is(msg) ||
    CancelSaeFeatures.is(msg) ||
    InspectFeature.is(msg) ||
    SelectSae.is(msg) ||
    CheckTable.is(msg) ||
    CancelTableCheck.is(msg)
  );
}
export function isSubstitutionHostToWebview(msg: unknown): msg is SubstitutionHostToWebview {
  return (
    Comparison.is(msg) ||
    PatchTables.is(msg) ||
    SubstitutionRunState.is(msg) ||
    SubstitutionStale.is(msg) ||
    SaeFeatures.is(msg) ||
    TableCheck.is(msg) ||
    HeadPatterns.is(msg)
  );
}

// ---------------------------------------------------------------------------------------------
// Reading the tables (pure; shared by the panel, the exports and the tests)
// ---------------------------------------------------------------------------------------------

/**
 * How a cell is read. `effect`: the share of the clean–corrupt gap the patch restores (denoising)
 * or removes (noising), so 0 = no effect and 1 = the whole gap in both directions.
 */
export type ValueMode = 'effect' | 'normalised' | 'raw' | 'change';
export const VALUE_MODES: readonly ValueMode[] = ['effect', 'normalised', 'raw', 'change'];

/**
 * Below this |clean − corrupt| the gap is "small": shares of it are dominated by noise, so the
 * panel shows the raw metric and gives no AND/OR readings. Logit difference and KL are in nats;
 * 0.5 nats is a probability ratio of about 1.65. Probability is in probability units: 0.05.
 */
export const SMALL_GAP: Readonly<Record<MetricKind, number>> = { logit_diff: 0.5, kl: 0.5, prob: 0.05 };

/** The unit a metric kind is measured in, for the view's text. */
export const METRIC_UNIT: Readonly<Record<MetricKind, string>> = { logit_diff: 'nats', kl: 'nats', prob: 'probability' };

/** True when the clean–corrupt gap is below the kind's SMALL_GAP threshold (or not finite). */
export function isSmallGap(kind: MetricKind, clean: number, corrupt: number): boolean {
  const gap = Math.abs(clean - corrupt);
  return !Number.isFinite(gap) || gap < SMALL_GAP[kind];
}

/** The small-gap warning: the gap, the stated threshold and what the views do about it. */
export function smallGapNote(m: Pick<ComparisonParams['metric'], 'spec' | 'clean' | 'corrupt'>): string {
  const k = m.spec.kind;
  return `The clean–corrupt gap is ${formatValue(m.clean - m.corrupt)} ${METRIC_UNIT[k]}, below the ${SMALL_GAP[k]} ${METRIC_UNIT[k]} this panel calls small for this metric. Shares of so small a gap are dominated by noise: the heatmaps show the raw metric, and no component is called AND-like or OR-like.`;
}

/** The value mode a comparison is shown in by default: effect; raw when the gap is small; change when there is none. */
export function defaultValueMode(m: Pick<ComparisonParams['metric'], 'spec' | 'clean' | 'corrupt'>): ValueMode {
  if (m.clean === m.corrupt) return 'change';
  return isSmallGap(m.spec.kind, m.clean, m.corrupt) ? 'raw' : 'effect';
}

/** Default share of the gap a component must move to count as significant in a direction. */
export const DEFAULT_SIGNIFICANCE = 0.5;
/** The significance thresholds the view offers. */
export const SIGNIFICANCE_CHOICES: readonly number[] = [0.2, 0.3, 0.5, 0.7, 0.9];

/** (patched − corrupt) / (clean − corrupt), or null when clean and corrupt give the same metric. */
export function normalised(patched: number, clean: number, corrupt: number): number | null {
  if (clean === corrupt || !Number.isFinite(clean - corrupt)) return null;
  const n = normalisePatched(patched, clean, corrupt);
  return Number.isFinite(n) ? n : null;
}

/** The unpatched metric of a direction's target run (denoise runs the corrupt prompt). */
export function targetMetric(direction: PatchDirection, clean: number, corrupt: number): number {
  return direction === 'denoise' ? corrupt : clean;
}

/** One cell read in a mode; null where the mode is undefined (normalised with equal metrics). */
export function cellValue(mode: ValueMode, patched: number, direction: PatchDirection, clean: number, corrupt: number): number | null {
  if (mode === 'raw') return patched;
  if (mode === 'effect') return gapShare(patched, direction, clean, corrupt);
  if (mode === 'change') return patched - targetMetric(direction, clean, corrupt);
  return normalised(patched, clean, corrupt);
}

/**
 * The unpatched run's value in a mode (denoise: 0 normalised; noise: 1 normalised; 0 effect and
 * change in both): the
 * centre of the diverging colour scale, so "no effect" is neutral in both directions.
 */
export function unpatchedValue(mode: ValueMode, direction: PatchDirection, clean: number, corrupt: number): number {
  return cellValue(mode, targetMetric(direction, clean, corrupt), direction, clean, corrupt) ?? 0;
}

/**
 * How much of the clean–corrupt gap a patch moves, as a fraction: in denoising the share of the
 * clean behaviour restored, in noising the share destroyed. Null when the gap is 0.
 */
export function gapShare(patched: number, direction: PatchDirection, clean: number, corrupt: number): number | null {
  const n = normalised(patched, clean, corrupt);
  if (n === null) return null;
  return direction === 'denoise' ? n : 1 - n;
}

export type CircuitHint = 'or-like' | 'and-like' | 'both' | 'none';

/**
 * The OR/AND reading aid for one component. Denoising finds what is sufficient, noising what is
 * necessary: significant when noising only ⇒ AND-like (each part necessary, none alone
 * sufficient); when denoising only ⇒ OR-like (each alone sufficient, none necessary).
 * `denoiseShare` / `noiseShare` are gapShare values; |share| ≥ threshold counts as significant.
 */
export function classifyComponent(denoiseShare: number | null, noiseShare: number | null, threshold = DEFAULT_SIGNIFICANCE): CircuitHint {
  const d = denoiseShare !== null && Math.abs(denoiseShare) >= threshold;
  const n = noiseShare !== null && Math.abs(noiseShare) >= threshold;
  if (d && n) return 'both';
  if (n) return 'and-like';
  if (d) return 'or-like';
  return 'none';
}

export interface ComponentHint {
  readonly layer: number;
  /** Head for head sweeps; position for position sweeps. */
  readonly index: number;
  readonly denoiseShare: number;
  readonly noiseShare: number;
  readonly hint: Exclude<CircuitHint, 'none'>;
}

/**
 * Hints for every cell of a two-axis sweep ([layer, head_index] or [layer, pos]) present in both
 * directions; cells significant in neither are left out. Strongest first.
 */
export function componentHints(denoise: PatchTable, noise: PatchTable, clean: number, corrupt: number, threshold = DEFAULT_SIGNIFICANCE): ComponentHint[] {
  if (denoise.dims.length !== 2 || noise.dims.length !== 2 || denoise.patched.length !== noise.patched.length) return [];
  const [, w] = denoise.dims;
  const out: ComponentHint[] = [];
  for (let i = 0; i < denoise.patched.length; i++) {
    const ds = gapShare(denoise.patched[i], 'denoise', clean, corrupt);
    const ns = gapShare(noise.patched[i], 'noise', clean, corrupt);
    const hint = classifyComponent(ds, ns, threshold);
    if (hint === 'none' || ds === null || ns === null) continue;
    out.push({ layer: Math.floor(i / w), index: i % w, denoiseShare: ds, noiseShare: ns, hint });
  }
  return out.sort((a, b) => Math.max(Math.abs(b.denoiseShare), Math.abs(b.noiseShare)) - Math.max(Math.abs(a.denoiseShare), Math.abs(a.noiseShare)));
}

/** Human labels of the sweeps. */
export const SWEEP_LABELS: Readonly<Record<SweepKind, string>> = {
  resid_pre: 'Residual stream (resid_pre)',
  attn_out: 'Attention output (attn_out)',
  mlp_out: 'MLP output (mlp_out)',
  z: 'Head output z',
  z_by_pos: 'Head output z by position',
  q: 'Queries q',
  k: 'Keys k',
  v: 'Values v',
  pattern: 'Attention pattern',
};

/** One label per position: the clean token, or `clean→corrupt` where the prompts differ. */
export function positionLabels(c: Pick<ComparisonParams, 'clean' | 'corrupt'>): string[] {
  return c.clean.tokens.map((t, i) => {
    const b = c.corrupt.tokens[i];
    const a = t.isBos ? 'BOS' : visibleText(t.text);
    return b && b.id !== t.id ? `${a}→${visibleText(b.text)}` : a;
  });
}

/** A table as a 2-D grid: rows are layers (or layer.head for z by position), columns heads or positions. */
export interface TableGrid {
  readonly rows: number;
  readonly cols: number;
  readonly rowTitle: string;
  readonly colTitle: string;
  readonly rowLabels: readonly string[];
  readonly colLabels: readonly string[];
  /** Row-major: `patched[r * cols + c]` (the table's own order). */
}

export function tableGrid(t: Pick<PatchTable, 'dims' | 'axes'>, posLabels: readonly string[]): TableGrid {
  const [nLayers] = t.dims;
  const last = t.axes[t.axes.length - 1];
  const cols = t.dims[t.dims.length - 1];
  const colLabels =
    last === 'pos' ? Array.from({ length: cols }, (_, p) => `${p} ${posLabels[p] ?? ''}`.trim()) : Array.from({ length: cols }, (_, h) => `H${h}`);
  if (t.dims.length === 3) {
    const nHeads = t.dims[1];
    const rowLabels = Array.from({ length: nLayers * nHeads }, (_, r) => headLabel({ layer: Math.floor(r / nHeads), head: r % nHeads }));
    return { rows: nLayers * nHeads, cols, rowTitle: 'layer.head', colTitle: 'position', rowLabels, colLabels };
  }
  return {
    rows: nLayers,
    cols,
    rowTitle: 'layer',
    colTitle: last === 'pos' ? 'position' : 'head',
    rowLabels: Array.from({ length: nLayers }, (_, l) => `L${l}`),
    colLabels,
  };
}

/** Where a grid cell is in the model: its layer, and head and/or position. */
export { cellAddress };

/** Short number for labels and tooltips: 4 significant digits, no exponent below 1e-4 in magnitude. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}
