/**
 * Messages between the extension host and the dataset webview (patching over a set of prompt
 * pairs, a `*.prompts.jsonl` file), plus the small pure helpers both sides read the tables with.
 * No `vscode` import: bundled into the webview, used by the host and the unit tests.
 *
 * A run shows the set (`dataset`), its summary (`summary`: per-pair clean and corrupt metrics,
 * their means, the fraction of pairs where clean beats corrupt, a zero-gap flag), then tables
 * (`tables`): an attribution-patching preview over the set first, replaced one table at a time by
 * the exact sweeps. Every table is the mean over pairs of the patched metric (logit difference),
 * with its normalised mean, standard error, restored fraction and the per-pair values. The plain
 * records are src/shared/datasetRecords.ts (the webview cannot import src/analysis).
 */
import { isArrayOf, isFiniteNumber, isIndex, isOneOf, isPositiveInt, isRecord, isString } from '../../../shared/guards';
import { defineMessage } from '../../../shared/messageEnvelope';
import { PATCH_DIRECTIONS, SWEEP_KINDS, type PatchDirection, type SweepKind } from '../../../shared/patchingVocabulary';
import { isExportPngParams, isReadyParams, isRunIdParams, type ExportPngParams, type ReadyParams, type RunIdParams } from '../../../shared/panelMessages';
import { mergeTables, tableKey, type TableKey } from '../../../shared/patchTables';
import type { DatasetProgress, DatasetSummary, DatasetTableRecord } from '../../../shared/datasetRecords';

import type { Message } from '../../../shared/messageEnvelope';
export type { Message };
export type { PatchDirection, SweepKind };
export { PATCH_DIRECTIONS, SWEEP_KINDS };
export type { ExportPngParams, ReadyParams, RunIdParams, TableKey };
export type { DatasetProgress, DatasetSummary };
export { mergeTables, tableKey };

export const DATASET_PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

/** Sweeps whose columns are positions: they need every pair of the set to have the same length. */
export const POSITION_SWEEPS: readonly SweepKind[] = ['resid_pre', 'attn_out', 'mlp_out', 'z_by_pos'];

/** One pair of the set, as shown (an ids line is decoded to text). */
export interface PairInfo {
  /** 1-based line of the file. */
  readonly line: number;
  readonly clean: string;
  readonly corrupt: string;
  /** The answer and wrong tokens' text (e.g. ' b'). */
  readonly answer: string;
  readonly wrong: string;
  /** Tokens of each prompt (BOS included when prepended). */
  readonly n_tokens: number;
}

/** A position column of the set (only when every pair has the same length). */
export interface PositionLabel {
  /** The first pair's clean token there. */
  readonly text: string;
  /** True when some pair (clean or corrupt) has another token there: a slot. */
  readonly varies: boolean;
}

/** The set being run: replaces the previous run and its tables. */
export interface DatasetParams {
  readonly runId: string;
  readonly modelName: string;
  /** The file's name (e.g. `docstring.prompts.jsonl`). */
  readonly fileName: string;
  readonly n_layers: number;
  readonly n_heads: number;
  /** The pairs run, in order: row i of a table's `perPair` is pair i (or `pairIndex[i]` when given). */
  readonly pairs: readonly PairInfo[];
  /** Valid pairs in the file (more than `pairs.length` when `maxPairs` kept fewer). */
  readonly pairsInFile: number;
  /** The sweeps that run (position sweeps are left out when lengths differ; `notes` says so). */
  readonly sweeps: readonly SweepKind[];
  readonly directions: readonly PatchDirection[];
  /** One per position when every pair has the same length, else null (position sweeps left out). */
  readonly positions: readonly PositionLabel[] | null;
  /** Sentences about how the set was read: lines skipped, sweeps left out, …. */
  readonly notes: readonly string[];
}

export type TableSource = 'attribution' | 'exact';

/** A table over the set (DatasetTableRecord) and which pairs its rows are. */
export interface DatasetTable extends DatasetTableRecord {
  /** Row i of `perPair` is the set's pair `pairIndex[i]`; absent: rows are the pairs in order. */
  readonly pairIndex?: readonly number[];
}

/** Finished pairs of a cancelled run. */
export interface Partial {
  readonly done: number;
  readonly total: number;
}

export interface SummaryParams {
  readonly runId: string;
  readonly summary: DatasetSummary;
  /** Set when the run was cancelled (or is still going): the tables cover `done` of `total` pairs. */
  readonly partial?: Partial;
  /** Entry i of the summary's per-pair arrays is the set's pair `pairIndex[i]`; absent: the pairs in order. */
  readonly pairIndex?: readonly number[];
  /** Sentences learned while running (e.g. why a sweep was left out). */
  readonly notes: readonly string[];
}

export interface TablesParams {
  readonly runId: string;
  readonly tables: readonly DatasetTable[];
}

export type DatasetRunStateKind = 'checking' | 'estimating' | 'sweeping' | 'done' | 'cancelled' | 'error';
export const DATASET_RUN_STATES: readonly DatasetRunStateKind[] = ['checking', 'estimating', 'sweeping', 'done', 'cancelled', 'error'];

export interface DatasetRunStateParams {
  readonly runId: string;
  readonly state: DatasetRunStateKind;
  readonly message?: string;
  readonly progress?: DatasetProgress;
  /** A cancelled run's finished pairs. */
  readonly partial?: Partial;
}

export type ExportFormat = 'json' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv'];

export interface ExportTablesParams {
  readonly runId: string;
  readonly format: ExportFormat;
}

export interface OpenPairParams {
  readonly runId: string;
  /** Index into DatasetParams.pairs. */
  readonly pair: number;
}

export interface RerunParams {
  readonly runId: string;
  readonly sweeps: readonly SweepKind[];
  readonly directions: readonly PatchDirection[];
}

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

export const isSweepKind = isOneOf(SWEEP_KINDS);
export const isPatchDirection = isOneOf(PATCH_DIRECTIONS);
export const isExportFormat = isOneOf(EXPORT_FORMATS);
const isRunState = isOneOf(DATASET_RUN_STATES);

const isFraction = (v: unknown): v is number => isFiniteNumber(v) && v >= 0 && v <= 1;

function isPairInfo(v: unknown): v is PairInfo {
  return isRecord(v) && isIndex(v.line) && isString(v.clean) && isString(v.corrupt) && isString(v.answer) && isString(v.wrong) && isPositiveInt(v.n_tokens);
}
function isPositionLabel(v: unknown): v is PositionLabel {
  return isRecord(v) && isString(v.text) && typeof v.varies === 'boolean';
}
function isPartial(v: unknown): v is Partial {
  return isRecord(v) && isIndex(v.done) && isPositiveInt(v.total) && v.done <= v.total;
}

export function isDatasetParams(v: unknown): v is DatasetParams {
  if (!isRecord(v) || !isString(v.runId) || !isString(v.modelName) || !isString(v.fileName)) return false;
  if (!isPositiveInt(v.n_layers) || !isPositiveInt(v.n_heads) || !isIndex(v.pairsInFile)) return false;
  if (!isArrayOf(v.pairs, isPairInfo) || v.pairs.length > v.pairsInFile) return false;
  if (!isArrayOf(v.sweeps, isSweepKind) || !isArrayOf(v.directions, isPatchDirection) || !isArrayOf(v.notes, isString)) return false;
  return v.positions === null || isArrayOf(v.positions, isPositionLabel);
}

export function isDatasetSummary(v: unknown): v is DatasetSummary {
  if (!isRecord(v) || !isIndex(v.pairs) || typeof v.zeroGap !== 'boolean') return false;
  if (!(v.metricClean instanceof Float32Array) || !(v.metricCorrupt instanceof Float32Array)) return false;
  if (v.metricClean.length !== v.pairs || v.metricCorrupt.length !== v.pairs) return false;
  // Means of an empty set are NaN; a summary always has pairs.
  return v.pairs > 0 && isFiniteNumber(v.meanClean) && isFiniteNumber(v.meanCorrupt) && isFraction(v.cleanBeatsCorrupt);
}

/** dims match the axes, and every array has one value per cell (perPair: per pair and cell). */
export function isDatasetTable(v: unknown): v is DatasetTable {
  if (!isRecord(v) || !isSweepKind(v.sweep) || !isPatchDirection(v.direction)) return false;
  if (v.source !== 'attribution' && v.source !== 'exact') return false;
  if (!isArrayOf(v.dims, isPositiveInt) || !isArrayOf(v.axes, isString) || v.dims.length !== v.axes.length) return false;
  if (v.dims.length < 2 || v.axes[0] !== 'layer') return false;
  const cells = v.dims.reduce((a, b) => a * b, 1);
  const cellArray = (a: unknown) => a instanceof Float32Array && a.length === cells;
  if (!cellArray(v.mean) || !cellArray(v.standardError)) return false;
  if (v.normalised !== null && !cellArray(v.normalised)) return false;
  if (v.restoredFraction !== null && !cellArray(v.restoredFraction)) return false;
  if (!(v.perPair instanceof Float32Array) || v.perPair.length % cells !== 0) return false;
  const rows = v.perPair.length / cells;
  return v.pairIndex === undefined || (isArrayOf(v.pairIndex, isIndex) && v.pairIndex.length === rows);
}

function isProgress(v: unknown): v is DatasetProgress {
  return (
    isRecord(v) &&
    isIndex(v.pairsDone) &&
    isPositiveInt(v.pairsTotal) &&
    v.pairsDone <= v.pairsTotal &&
    isIndex(v.tablesDone) &&
    isPositiveInt(v.tablesTotal) &&
    v.tablesDone <= v.tablesTotal &&
    isSweepKind(v.sweep) &&
    isPatchDirection(v.direction) &&
    isFraction(v.fraction)
  );
}

function isSummaryParams(v: unknown): v is SummaryParams {
  if (!isRecord(v) || !isString(v.runId) || !isDatasetSummary(v.summary) || !isArrayOf(v.notes, isString)) return false;
  if (v.partial !== undefined && !isPartial(v.partial)) return false;
  return v.pairIndex === undefined || (isArrayOf(v.pairIndex, isIndex) && v.pairIndex.length === v.summary.pairs);
}
function isTablesParams(v: unknown): v is TablesParams {
  return isRecord(v) && isString(v.runId) && isArrayOf(v.tables, isDatasetTable);
}
function isRunStateParams(v: unknown): v is DatasetRunStateParams {
  return (
    isRecord(v) &&
    isString(v.runId) &&
    isRunState(v.state) &&
    (v.message === undefined || isString(v.message)) &&
    (v.progress === undefined || isProgress(v.progress)) &&
    (v.partial === undefined || isPartial(v.partial))
  );
}
function isExportTablesParams(v: unknown): v is ExportTablesParams {
  return isRecord(v) && isString(v.runId) && isExportFormat(v.format);
}
function isOpenPairParams(v: unknown): v is OpenPairParams {
  return isRecord(v) && isString(v.runId) && isIndex(v.pair);
}
function isRerunParams(v: unknown): v is RerunParams {
  return (
    isRecord(v) &&
    isString(v.runId) &&
    isArrayOf(v.sweeps, isSweepKind) &&
    v.sweeps.length > 0 &&
    isArrayOf(v.directions, isPatchDirection) &&
    v.directions.length > 0
  );
}

// webview → host
/** Command: the listener is installed; the host replies with the current run (replay). */
export const DatasetReady = defineMessage('ready', 'command', isReadyParams);
/** Command: stop the run; the pairs finished so far stay, labelled partial (N of M). */
export const CancelRun = defineMessage('cancelRun', 'command', isRunIdParams);
/** Command: save the mean, standard-error and per-pair tables as JSON or CSV, through a save dialog. */
export const ExportTables = defineMessage('exportTables', 'command', isExportTablesParams);
/** Command: save a heatmap canvas as PNG, through a save dialog. */
export const ExportPng = defineMessage('exportPng', 'command', isExportPngParams);
/** Command: open pair `pair` as a single comparison (Compare Token Substitution with the two prompts). */
export const OpenPair = defineMessage('openPair', 'command', isOpenPairParams);
/** Command: run the same set again with these sweeps and directions. */
export const Rerun = defineMessage('rerun', 'command', isRerunParams);

// host → webview
/** Notification: a new run of a set (replaces the previous one, its summary and tables). */
export const Dataset = defineMessage('dataset', 'notification', isDatasetParams);
/** Notification: the set's metrics (from the preview; again at the end, with `partial` when cancelled). */
export const Summary = defineMessage('summary', 'notification', isSummaryParams);
/** Notification: tables (the preview, or exact tables replacing it; an exact table is never replaced by an estimate). */
export const Tables = defineMessage('tables', 'notification', isTablesParams);
/** Notification: run state and "pair i of N, table j of M" progress. */
export const DatasetRunState = defineMessage('runState', 'notification', isRunStateParams);

export type DatasetWebviewToHost =
  | Message<'ready', ReadyParams>
  | Message<'cancelRun', RunIdParams>
  | Message<'exportTables', ExportTablesParams>
  | Message<'exportPng', ExportPngParams>
  | Message<'openPair', OpenPairParams>
  | Message<'rerun', RerunParams>;
export type DatasetHostToWebview =
  Message<'dataset', DatasetParams> | Message<'summary', SummaryParams> | Message<'tables', TablesParams> | Message<'runState', DatasetRunStateParams>;

export function isDatasetWebviewToHost(msg: unknown): msg is DatasetWebviewToHost {
  return DatasetReady.is(msg) || CancelRun.is(msg) || ExportTables.is(msg) || ExportPng.is(msg) || OpenPair.is(msg) || Rerun.is(msg);
}
export function isDatasetHostToWebview(msg: unknown): msg is DatasetHostToWebview {
  return Dataset.is(msg) || Summary.is(msg) || Tables.is(msg) || DatasetRunState.is(msg);
}

// ---------------------------------------------------------------------------------------------
// Reading (pure; shared by the host, the exports and the webview)
// ---------------------------------------------------------------------------------------------

/** Rows of a table's perPair (pairs it covers). */
export function pairRows(t: Pick<DatasetTable, 'dims' | 'perPair'>): number {
  const cells = t.dims.reduce((a, b) => a * b, 1);
  return cells > 0 ? t.perPair.length / cells : 0;
}

/** The set's pair index of perPair row `row`. */
export function pairOfRow(t: Pick<DatasetTable, 'pairIndex'>, row: number): number {
  return t.pairIndex ? t.pairIndex[row] : row;
}

/** One cell's value for every pair the table covers, [rows]. */
export function cellPerPair(t: Pick<DatasetTable, 'dims' | 'perPair'>, cell: number): Float32Array {
  const cells = t.dims.reduce((a, b) => a * b, 1);
  const rows = pairRows(t);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = t.perPair[r * cells + cell];
  return out;
}

/** "pair i of N, table j of M" (i and j count from 1 and never pass N and M). */
export function progressText(p: DatasetProgress): string {
  const pair = Math.min(p.pairsDone + 1, p.pairsTotal);
  const table = Math.min(p.tablesDone + 1, p.tablesTotal);
  return `pair ${pair} of ${p.pairsTotal}, table ${table} of ${p.tablesTotal} (${p.sweep}, ${p.direction})`;
}

/** "partial: 12 of 100 pairs". */
export function partialText(p: Partial): string {
  return `partial: ${p.done} of ${p.total} pairs`;
}

/** The note a set of unequal lengths gets when position sweeps were asked for. */
export function positionSweepsNote(left: readonly SweepKind[], lengths: readonly number[]): string {
  const min = Math.min(...lengths);
  const max = Math.max(...lengths);
  return `Position sweeps need equal lengths: the pairs have ${min}–${max} tokens, so ${left.join(', ')} ${left.length === 1 ? 'was' : 'were'} left out. Head sweeps work across lengths.`;
}

/** The zero-gap note: the views show raw values only. */
export function zeroGapNote(s: Pick<DatasetSummary, 'meanClean' | 'meanCorrupt'>): string {
  return `The set's mean clean and corrupt logit differences are ${s.meanClean.toPrecision(4)} and ${s.meanCorrupt.toPrecision(4)}: the gap is too small to normalise, so the tables show raw values only.`;
}
