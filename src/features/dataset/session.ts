/**
 * Run Prompt Set, end to end: read a `*.prompts.jsonl` file (its editor's text when open, unsaved
 * edits included), check every line in the engine (each bad line listed by number, in the Output
 * channel and as problems in the editor; nothing runs then), show the attribution-patching preview
 * over the set, then the exact sweeps (both directions) with "pair i of N, table j of M" progress,
 * the tables over the finished pairs filling in as blocks of pairs finish. Cancel (the notification,
 * the panel, or closing the panel) stops the sweeps softly: the finished pairs stay, labelled
 * partial N of M. The session owns the results (results.ts); the panel renders them and the
 * exports read them.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { isCancelled } from '../../engine/protocol';
import { Disposable } from '../../platform/disposable';
import { ModelResolveCancelled, resolveModelSpec } from '../../platform/modelResolver';
import { reportFailure, tellUser } from '../../platform/notify';
import { getSettings } from '../../platform/settings';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import type { PromptSetLineError } from '../../shared/promptSet';
import { datasetToCsv, datasetToJson } from './export';
import { DatasetPanel, type DatasetPanelHandlers } from './panel';
import { DatasetResults } from './results';
import { isSweepsDetail, type CheckPromptSetResult, type DatasetEngineMethods, type SetPair, type SetRunResult } from './shared/engineMethods';
import {
  partialText,
  POSITION_SWEEPS,
  positionSweepsNote,
  progressText,
  SWEEP_KINDS,
  PATCH_DIRECTIONS,
  zeroGapNote,
  type DatasetParams,
  type DatasetRunStateParams,
  type ExportFormat,
  type PatchDirection,
  type SummaryParams,
  type SweepKind,
} from './shared/protocol';

/** The command Compare Token Substitution is run by (features never import each other). */
export const COMPARE_SUBSTITUTION = 'circuitInspector.compareSubstitution';

/** Arguments for automation and tests: anything given is not asked for. */
export interface RunPromptSetOptions {
  readonly sweeps?: readonly SweepKind[];
  readonly directions?: readonly PatchDirection[];
  /** Run at most this many pairs (the first valid ones); default the setting `promptSetMaxPairs`. */
  readonly maxPairs?: number;
  readonly maxBatch?: number;
}

export type RunPromptSetOutcome =
  | {
      readonly status: 'done' | 'cancelled';
      readonly runId: string;
      readonly pairs: number;
      readonly tablesExact: number;
      readonly tablesTotal: number;
      readonly partial?: { readonly done: number; readonly total: number };
      readonly notes: readonly string[];
    }
  | { readonly status: 'invalid'; readonly message: string; readonly errors: readonly PromptSetLineError[] }
  | { readonly status: 'no-file' | 'aborted' | 'error'; readonly message: string };

/** The sweeps a set runs by default: every sweep single-pair comparison has. */
export const DEFAULT_SWEEPS: readonly SweepKind[] = ['resid_pre', 'attn_out', 'mlp_out', 'z', 'z_by_pos', 'q', 'k', 'v', 'pattern'];

/** Most errors quoted in the notification (all of them go to the Output channel and the Problems view). */
const ERRORS_SHOWN = 3;

interface Current {
  readonly runId: string;
  readonly spec: ModelSpec;
  readonly uri: vscode.Uri;
  readonly pairs: readonly SetPair[];
  call?: EngineCall<unknown>;
  /** The exact sweeps are running (a cancel stops them softly). */
  sweeping: boolean;
  cancelled: boolean;
}

export class DatasetSession extends Disposable {
  private current: Current | undefined;
  readonly results = new DatasetResults();
  /** Bad lines of prompt-set files, as problems in the editor. */
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('circuitInspector.promptSet'));

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly engine: TypedEngine<DatasetEngineMethods>,
  ) {
    super();
  }

  /** What the tests read: the set, its summary, each table's source and size, and the run state. */
  state() {
    const s = this.results.snapshot();
    return {
      runId: s?.dataset.runId,
      fileName: s?.dataset.fileName,
      pairs: s?.dataset.pairs.length ?? 0,
      pairsInFile: s?.dataset.pairsInFile ?? 0,
      sweeps: s?.dataset.sweeps ?? [],
      notes: [...(s?.dataset.notes ?? []), ...(s?.summary?.notes ?? [])],
      runState: s?.runState?.state,
      message: s?.runState?.message,
      partial: s?.summary?.partial,
      summary: s?.summary && {
        pairs: s.summary.summary.pairs,
        meanClean: s.summary.summary.meanClean,
        meanCorrupt: s.summary.summary.meanCorrupt,
        cleanBeatsCorrupt: s.summary.summary.cleanBeatsCorrupt,
        zeroGap: s.summary.summary.zeroGap,
      },
      tables: (s?.tables ?? []).map((t) => ({
        sweep: t.sweep,
        direction: t.direction,
        source: t.source,
        cells: t.mean.length,
        pairs: t.perPair.length / Math.max(1, t.mean.length),
        finite: t.mean.every(Number.isFinite) && t.standardError.every(Number.isFinite),
      })),
    };
  }

  /** Stops the run's sweeps softly (the finished pairs stay, labelled partial); before the sweeps, drops the run. */
  cancelRun(runId?: string): void {
    const c = this.current;
    if (!c || (runId !== undefined && runId !== c.runId) || c.cancelled) return;
    c.cancelled = true;
    if (c.sweeping) void this.engine.call('stopSetSweeps', { runId: c.runId }).result.catch((e: unknown) => this.log.warn(`stop failed: ${errorMessage(e)}`));
    else c.call?.cancel();
  }

  /** Runs the set in `uri` (its open editor's text when there is one). */
  async run(uri: vscode.Uri | undefined, options: RunPromptSetOptions = {}): Promise<RunPromptSetOutcome> {
    if (!uri) return this.tell('no-file', 'Open a *.prompts.jsonl file (or generate one with Circuit Inspector: Generate Prompt Set) to run it.');
    let text: string;
    try {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (e) {
      return this.tell('error', `Could not read ${uri.fsPath}: ${errorMessage(e)}`);
    }
    const settings = getSettings(uri);
    const fileName = path.basename(uri.path);
    const maxPairs = options.maxPairs ?? settings.promptSetMaxPairs;
    const sweepsAsked = options.sweeps ?? DEFAULT_SWEEPS;
    const directions = options.directions ?? PATCH_DIRECTIONS;
    if (!sweepsAsked.length || !sweepsAsked.every((s) => SWEEP_KINDS.includes(s)))
      return this.tell('error', `Unknown sweeps: ${sweepsAsked.join(', ')} (${SWEEP_KINDS.join(', ')}).`);
    if (!directions.length || !directions.every((d) => PATCH_DIRECTIONS.includes(d)))
      return this.tell('error', `Unknown directions: ${directions.join(', ')}.`);
    if (!(Number.isInteger(maxPairs) && maxPairs >= 1)) return this.tell('error', `maxPairs must be a whole number ≥ 1, not ${maxPairs}.`);

    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, settings, this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'aborted', message: e.message };
      return this.tell('error', errorMessage(e));
    }

    let checked: CheckPromptSetResult;
    try {
      checked = await this.withWindowProgress(`Checking ${fileName}…`, this.engine.call('checkPromptSet', { model: spec, text, maxPairs }).result);
    } catch (e) {
      if (isCancelled(e)) return { status: 'aborted', message: 'cancelled' };
      return this.tell('error', errorMessage(e));
    }
    this.showDiagnostics(uri, text, checked.errors);
    if (checked.errors.length) return this.invalid(uri, checked.errors);

    const notes: string[] = [];
    let sweeps = [...sweepsAsked];
    if (checked.positions === null) {
      const left = sweeps.filter((s) => POSITION_SWEEPS.includes(s));
      if (left.length) {
        notes.push(
          positionSweepsNote(
            left,
            checked.info.map((p) => p.n_tokens),
          ),
        );
        sweeps = sweeps.filter((s) => !POSITION_SWEEPS.includes(s));
      }
    }
    if (checked.pairsInFile > checked.pairs.length)
      notes.push(
        `The file has ${checked.pairsInFile} pairs; the first ${checked.pairs.length} run (maxPairs, the setting circuitInspector.promptSetMaxPairs).`,
      );
    if (!sweeps.length) return this.tell('error', `${notes[0]} Choose a head sweep (z, q, k, v, pattern) to run this set.`);

    this.cancelRun();
    const runId = randomUUID();
    const dataset: DatasetParams = {
      runId,
      modelName: spec.displayName,
      fileName,
      n_layers: checked.n_layers,
      n_heads: checked.n_heads,
      pairs: checked.info,
      pairsInFile: checked.pairsInFile,
      sweeps,
      directions: [...directions],
      positions: checked.positions,
      notes,
    };
    const cur: Current = { runId, spec, uri, pairs: checked.pairs, sweeping: false, cancelled: false };
    this.current = cur;
    this.results.start(dataset);
    const panel = DatasetPanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    panel.showDataset(dataset);
    // Closing the panel stops the run: the finished pairs stay in the results (reopened, they show).
    const closed = panel.onDidDispose(() => this.cancelRun(runId));
    try {
      return await this.runSet(cur, dataset, settings.patchingMemoryBudgetMB * 2 ** 20, options.maxBatch);
    } finally {
      closed.dispose();
    }
  }

  private async runSet(cur: Current, dataset: DatasetParams, memoryBudgetBytes: number, maxBatch?: number): Promise<RunPromptSetOutcome> {
    const { runId } = cur;
    const params = { model: cur.spec, runId, pairs: cur.pairs, sweeps: dataset.sweeps, directions: dataset.directions, maxBatch, memoryBudgetBytes };
    const total = dataset.sweeps.length * dataset.directions.length;
    const n = cur.pairs.length;
    const outcome = (status: 'done' | 'cancelled', partial?: { done: number; total: number }): RunPromptSetOutcome => ({
      status,
      runId,
      pairs: n,
      tablesExact: this.results.exactCount,
      tablesTotal: total,
      ...(partial ? { partial } : {}),
      notes: [...dataset.notes, ...(this.results.snapshot()?.summary?.notes ?? [])],
    });

    // 1. The attribution preview over the set.
    this.showRunState({ runId, state: 'estimating', message: `Estimating ${total} tables over ${n} pairs with attribution patching…` });
    let preview: SetRunResult;
    try {
      const call = this.engine.call('setAttribution', params);
      cur.call = call;
      preview = await this.withWindowProgress(`Estimating over ${n} pairs…`, call.result);
    } catch (e) {
      if (isCancelled(e)) {
        this.showRunState({ runId, state: 'cancelled', message: 'Cancelled before the preview: nothing was computed.' });
        return outcome('cancelled', { done: 0, total: n });
      }
      return this.failed(runId, `The attribution preview failed: ${errorMessage(e)}`);
    }
    this.showSummary(runId, preview);
    this.showTables(runId, preview.tables);
    this.log.info(`prompt set ${dataset.fileName}: preview of ${n} pairs in ${preview.ms} ms`);
    if (cur.cancelled) {
      this.showRunState({ runId, state: 'cancelled', message: 'Cancelled: the tables show the attribution-patching estimate; no exact sweep ran.' });
      return outcome('cancelled', { done: 0, total: n });
    }

    // 2. The exact sweeps, table by table once every pair is done; the finished pairs as they finish.
    this.showRunState({ runId, state: 'sweeping', message: 'Attribution-patching estimate shown; exact sweeps replace it.' });
    let partial: { done: number; total: number } | undefined;
    const result = await vscode.window
      .withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: ${dataset.fileName}`, cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => this.cancelRun(runId));
          let reported = 0;
          cur.sweeping = true;
          const call = this.engine.call('setSweeps', params, (_phase, _message, detail) => {
            if (!isSweepsDetail(detail) || this.current !== cur) return;
            if (detail.kind === 'table') return this.showTables(runId, [detail.table]);
            if (detail.kind === 'pairs') {
              partial = detail.result.partial;
              this.showSummary(runId, detail.result);
              return this.showTables(runId, detail.result.tables);
            }
            const p = detail.progress;
            const pct = Math.round(p.fraction * 100);
            progress.report({ message: progressText(p), increment: Math.max(0, pct - reported) });
            reported = Math.max(reported, pct);
            this.showRunState({ runId, state: 'sweeping', message: progressText(p), progress: p, ...(partial ? { partial } : {}) });
          });
          cur.call = call;
          if (cur.cancelled) void this.engine.call('stopSetSweeps', { runId }).result.catch(() => undefined);
          try {
            return await call.result;
          } finally {
            cur.sweeping = false;
            sub.dispose();
          }
        },
      )
      .then(
        (r) => r,
        (e: unknown) => e,
      );
    if (!(result instanceof Error) && typeof result === 'object' && result !== null && 'summary' in result) {
      const r = result as SetRunResult;
      this.showSummary(runId, r);
      this.showTables(runId, r.tables);
      this.log.info(`prompt set ${dataset.fileName}: exact sweeps in ${r.ms} ms${r.partial ? ` (${partialText(r.partial)})` : ''}`);
      if (r.partial) {
        this.showRunState({
          runId,
          state: 'cancelled',
          partial: r.partial,
          message: `Cancelled: ${partialText(r.partial)}. The tables are over the finished pairs.`,
        });
        return outcome('cancelled', r.partial);
      }
      this.showRunState({ runId, state: 'done', message: `All ${total} tables exact over ${n} pairs.` });
      return outcome('done');
    }
    if (isCancelled(result)) {
      // Stopped before a block of pairs was finished (or the engine was restarted): what is shown stays.
      const kept = partial ?? { done: 0, total: n };
      this.showRunState({
        runId,
        state: 'cancelled',
        partial: kept,
        message:
          kept.done > 0
            ? `Cancelled: ${partialText(kept)}. The tables are over the finished pairs.`
            : 'Cancelled before a pair was finished: the tables show the attribution-patching estimate.',
      });
      return outcome('cancelled', kept);
    }
    return this.failed(runId, `The exact sweeps failed: ${errorMessage(result)}. The tables shown so far stay.`);
  }

  /** Opens pair `index` of the set on screen as a single comparison (Compare Token Substitution). */
  async openPair(runId: string, index: number): Promise<unknown> {
    const s = this.results.snapshotOf(runId);
    const p = s.dataset.pairs[index];
    if (!p) throw new Error(`the set has no pair ${index}`);
    return vscode.commands.executeCommand(COMPARE_SUBSTITUTION, {
      prompts: { clean: p.clean, corrupt: p.corrupt },
      answer: p.answer,
      wrong: p.wrong,
      metric: 'logit_diff',
      sweeps: s.dataset.sweeps,
    });
  }

  /** Runs the set on screen again with other sweeps or directions. */
  async rerun(runId: string, sweeps: readonly SweepKind[], directions: readonly PatchDirection[]): Promise<RunPromptSetOutcome> {
    const c = this.current;
    if (!c || c.runId !== runId) throw new Error('this prompt set is no longer shown');
    return this.run(c.uri, { sweeps, directions, maxPairs: c.pairs.length });
  }

  /** Exports the set on screen (automation: the panel's Export buttons); the path written, if any. */
  async exportCurrent(format: unknown, target?: vscode.Uri): Promise<string | undefined> {
    const runId = this.results.runId;
    if (!runId) throw new Error('no prompt set is shown');
    if (format !== 'json' && format !== 'csv') throw new Error(`unknown export format ${String(format)} (json, csv)`);
    return this.exportTables(runId, format, target);
  }

  private async exportTables(runId: string, format: ExportFormat, target?: vscode.Uri): Promise<string | undefined> {
    const s = this.results.snapshotOf(runId);
    const body = format === 'json' ? `${JSON.stringify(datasetToJson(s), null, 1)}\n` : datasetToCsv(s);
    const base = s.dataset.fileName.replace(/\.prompts\.jsonl$|\.jsonl$/, '');
    return this.save(`${base}.dataset.${format}`, format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] }, Buffer.from(body, 'utf8'), target);
  }

  private async exportPng(runId: string, name: string, dataUrl: string): Promise<string | undefined> {
    this.results.snapshotOf(runId);
    return this.save(`${name}.png`, { PNG: ['png'] }, Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64'));
  }

  private async save(defaultName: string, filters: Record<string, string[]>, bytes: Uint8Array, target?: vscode.Uri): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined, filters, saveLabel: 'Export' }));
    if (!uri) return undefined;
    // One write of the whole file: an export is never left half-written by a running sweep.
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.log.info(`exported ${uri.fsPath} (${bytes.length} bytes)`);
    void vscode.window.setStatusBarMessage(`Circuit Inspector: exported ${path.basename(uri.fsPath)}`, 4000);
    return uri.fsPath;
  }

  /** Every bad line as a problem of the file (so the editor underlines it), or none. */
  private showDiagnostics(uri: vscode.Uri, text: string, errors: readonly PromptSetLineError[]): void {
    const lines = text.split(/\r?\n/);
    this.diagnostics.set(
      uri,
      errors.map((e) => {
        const line = Math.max(0, Math.min(e.line - 1, lines.length - 1));
        const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, lines[line]?.length ?? 0), e.message, vscode.DiagnosticSeverity.Error);
        d.source = 'Circuit Inspector';
        return d;
      }),
    );
  }

  private invalid(uri: vscode.Uri, errors: readonly PromptSetLineError[]): RunPromptSetOutcome {
    const file = path.basename(uri.path);
    this.log.error(`${file}: ${errors.length} bad line${errors.length === 1 ? '' : 's'}; nothing was run:`);
    for (const e of errors) this.log.error(`  ${uri.fsPath}:${e.line}: ${e.message}`);
    const where = (e: PromptSetLineError) => (e.line > 0 ? `line ${e.line}` : 'the file');
    const shown = errors
      .slice(0, ERRORS_SHOWN)
      .map((e) => `${where(e)}: ${e.message}`)
      .join('; ');
    const more = errors.length > ERRORS_SHOWN ? ` (and ${errors.length - ERRORS_SHOWN} more: see the Output channel or the Problems view)` : '';
    const message = `${file} has ${errors.length} bad line${errors.length === 1 ? '' : 's'}, so nothing ran: ${shown}${more}.`;
    reportFailure(this.log, message);
    return { status: 'invalid', message, errors };
  }

  private failed(runId: string, message: string): RunPromptSetOutcome {
    this.showRunState({ runId, state: 'error', message });
    reportFailure(this.log, message);
    return { status: 'error', message };
  }

  private showSummary(runId: string, r: Pick<SetRunResult, 'summary' | 'partial' | 'notes' | 'pairIndex'>): void {
    const notes = [...r.notes];
    if (r.summary.zeroGap) notes.push(zeroGapNote(r.summary));
    const p: SummaryParams = {
      runId,
      summary: r.summary,
      notes,
      ...(r.partial ? { partial: r.partial } : {}),
      ...(r.pairIndex ? { pairIndex: r.pairIndex } : {}),
    };
    if (this.results.setSummary(p)) DatasetPanel.instance?.showSummary(p);
  }

  private showTables(runId: string, tables: SetRunResult['tables']): void {
    const changed = this.results.addTables(runId, tables);
    DatasetPanel.instance?.showTables(runId, changed);
  }

  private showRunState(p: DatasetRunStateParams): void {
    if (this.results.setRunState(p)) DatasetPanel.instance?.showRunState(p);
  }

  private panelHandlers(): DatasetPanelHandlers {
    return {
      snapshot: () => this.results.snapshot(),
      cancel: (runId) => this.cancelRun(runId),
      exportTables: (runId, format) => this.exportTables(runId, format),
      exportPng: (runId, name, dataUrl) => this.exportPng(runId, name, dataUrl),
      openPair: (runId, pair) => this.openPair(runId, pair),
      rerun: (runId, sweeps, directions) => this.rerun(runId, sweeps, directions),
      log: (m) => this.log.info(m),
    };
  }

  /** Closes the panel (tests: a closed panel mid-run). */
  closePanel(): void {
    DatasetPanel.instance?.dispose();
  }

  private withWindowProgress<T>(title: string, p: Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Circuit Inspector: ${title}` }, () => p));
  }

  private tell(status: 'no-file' | 'error', message: string): RunPromptSetOutcome {
    if (status === 'error') reportFailure(this.log, message);
    else tellUser(this.log, message, 'warn');
    return { status, message };
  }
}
