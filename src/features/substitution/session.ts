/**
 * Compare Token Substitution, end to end: ask what to replace and with what, check the two
 * prompts align token by token, pick the metric, then show the attribution-patching preview at
 * once and refine it with the exact sweeps (both directions), table by table, in the patching
 * panel. The model runs in the engine process (shared with Inspect Attention, so it is loaded
 * once), so the editor never waits on it. The session owns the results (results.ts): the panel
 * renders them and export reads them. Sweeps can be cancelled from the notification or the panel, and only whole tables are ever shown.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { EngineError, isCancelled } from '../../engine/protocol';
import { Disposable } from '../../platform/disposable';
import { ModelResolveCancelled, resolveModelSpec } from '../../platform/modelResolver';
import { normalizeEol } from '../../platform/offsets';
import { getSettings } from '../../platform/settings';
import type { Settings } from '../../platform/settingsKeys';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import { visibleText, type PositionToken } from '../../shared/tokens';
import { comparisonToCsv, comparisonToHtml, comparisonToJson } from './export';
import { describeChange, documentContext, metricLabel, spanText, substitute, SWEEP_ORDER, tokensAt, type TokenSpan } from './flow';
import { SubstitutionPanel, type SubstitutionPanelHandlers } from './panel';
import { SubstitutionQuestions, type CompareOptions } from './questions';
import { inspectFeatureAt, SaeFeatureRunner, SELECT_SAE_COMMAND } from './saeFeatures';
import { ComparisonResults } from './results';
import { TableCheckRunner } from './tableCheck';
import { isPatchSweepsDetail, type OpenComparisonResult, type SubstitutionEngineMethods, type TokenizeCorruptResult } from './shared/engineMethods';
import type {
  ComparisonParams,
  ExportFormat,
  HeadPatternsParams,
  HeadPatternsRequestParams,
  MetricSpec,
  PatchTable,
  SaeFeaturesParams,
  SubstitutionRunStateParams,
  TableCheckParams,
  TableRefParams,
} from './shared/protocol';
import { formatTimeLeft, sweepFraction, sweepSecondsLeft } from './shared/tables';

export type { CompareOptions };

export type CompareOutcome =
  | {
      readonly status: 'done' | 'cancelled';
      readonly runId: string;
      readonly tablesExact: number;
      readonly tablesTotal: number;
      readonly notes: readonly string[];
    }
  | { readonly status: 'no-editor' | 'empty' | 'aborted' | 'identical' | 'mismatch' | 'error'; readonly message: string };

interface Current {
  readonly runId: string;
  readonly spec: ModelSpec;
  readonly cleanIds: readonly number[];
  readonly corruptIds: readonly number[];
  readonly uri: string;
  readonly version: number;
  /** The prompt's range in its document (Inspect Features opens there). */
  readonly range?: vscode.Range;
  readonly maxBatch?: number;
  readonly memoryBudgetBytes: number;
  call?: EngineCall<unknown>;
  cancelled: boolean;
}

export class SubstitutionSession extends Disposable {
  private readonly questions: SubstitutionQuestions;
  private readonly saeFeatures: SaeFeatureRunner;
  private readonly tableChecks: TableCheckRunner;
  private current: Current | undefined;
  /** The comparison on screen: the panel renders it, export reads it. */
  readonly results = new ComparisonResults();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    /** Shared with Inspect Attention; owned (and disposed) by the extension. */
    private readonly engine: TypedEngine<SubstitutionEngineMethods>,
  ) {
    super();
    this.questions = new SubstitutionQuestions(this.engine, log);
    this.saeFeatures = new SaeFeatureRunner(context, log, engine, (p) => this.showSaeFeatures(p));
    this.tableChecks = new TableCheckRunner(
      engine,
      (p, fp32) => this.showTableCheck(p, fp32),
      (m) => this.log.info(m),
    );
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const c = this.current;
        if (!c || e.document.uri.toString() !== c.uri || e.contentChanges.length === 0 || e.document.version === c.version) return;
        const reason = 'The document was edited after this comparison was taken: the results describe the prompts shown here, not the edited text.';
        if (this.results.markStale(c.runId, reason)) SubstitutionPanel.instance?.showStale(c.runId, reason);
      }),
    );
  }

  /** What the tests read: the comparison, each table's source, and the run state. */
  state() {
    const r = this.results.snapshot();
    const c = r?.comparison;
    return {
      runId: c?.runId,
      stale: c?.stale ?? false,
      metric: c?.metric,
      notes: c?.notes ?? [],
      runState: r?.runState?.state,
      saeFeatures: r?.saeFeatures && {
        state: r.saeFeatures.state,
        message: r.saeFeatures.message,
        features: r.saeFeatures.features.map((f) => ({ feature: f.feature, attribution: f.attribution, exact: f.exact })),
      },
      precisionError: c?.precisionError,
      tableChecks: (r?.tableChecks ?? []).map(({ params: p }) => ({ sweep: p.sweep, direction: p.direction, state: p.state, check: p.check })),
      tables: (r?.tables ?? []).map((t) => ({
        sweep: t.sweep,
        direction: t.direction,
        source: t.source,
        cells: t.patched.length,
        finite: t.patched.every(Number.isFinite),
      })),
    };
  }

  cancelRun(runId?: string): void {
    const c = this.current;
    if (!c || (runId !== undefined && runId !== c.runId) || c.cancelled) return;
    c.cancelled = true;
    c.call?.cancel();
  }

  async compare(editor: vscode.TextEditor | undefined, options: CompareOptions = {}): Promise<CompareOutcome> {
    if (options.prompts) return this.comparePrompts(options.prompts, options);
    if (!editor) return this.tell('no-editor', 'Open a file and select a prompt to compare a token substitution in.');
    const doc = editor.document;
    const sel = editor.selection;
    const range: vscode.Range = sel.isEmpty ? doc.lineAt(sel.active.line).range : sel;
    const source = doc.getText(range);
    if (!source.trim()) return this.tell('empty', 'Nothing to compare: select a prompt (or put the cursor on a non-empty line).');
    const prompt = normalizeEol(source).text;
    const base = doc.offsetAt(range.start);
    // With no selection the prompt is the cursor's line and the cursor names the token to replace;
    // with one, the cursor sits at its edge, so the token list is offered with that token first.
    const rel = (p: vscode.Position) => normalizeEol(doc.getText(new vscode.Range(range.start, p))).text.length;
    const cursor = { start: rel(sel.active), end: rel(sel.active) };
    const settings = getSettings(doc.uri);
    const docRef = { uri: doc.uri.toString(), version: doc.version, range: new vscode.Range(range.start, range.end), settings };
    this.log.info(`compare substitution: ${prompt.length} characters at offset ${base} of ${doc.uri.fsPath}`);

    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, settings, this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'aborted', message: e.message };
      return this.tell('error', errorMessage(e), 'error');
    }

    try {
      const plan = await this.withWindowProgress(
        'Tokenizing the prompt…',
        this.engine.call('openComparison', { model: spec, comparisonId: randomUUID(), clean: prompt }).result,
      );
      // 1. What to replace.
      const atCursor = tokensAt(plan.clean, cursor.start, cursor.end);
      if (options.position === 'cursor' && !atCursor) return this.tell('error', 'There is no token of the prompt at the cursor.', 'warn');
      let span: TokenSpan | undefined =
        options.position === 'cursor' ? atCursor : options.position !== undefined ? { first: options.position, last: options.position } : undefined;
      if (span && (span.first < 0 || span.first >= plan.clean.length || plan.clean[span.first].isBos)) {
        return this.tell(
          'error',
          `Token ${span.first} is not a token of the prompt that can be replaced (0..${plan.clean.length - 1}, BOS excluded).`,
          'error',
        );
      }
      span ??= await this.questions.pickSpan(plan.clean, atCursor);
      if (!span) return { status: 'aborted', message: 'no token picked' };
      const original = spanText(prompt, plan.clean, span);

      // 2. With what; 3. check the alignment (never patch misaligned prompts).
      let replacement = options.replacement ?? (await this.questions.pickReplacement(plan, span, original, documentContext(doc.getText())));
      if (replacement === undefined) return { status: 'aborted', message: 'no replacement given' };
      let corrupt: TokenizeCorruptResult;
      for (;;) {
        const corruptText = substitute(prompt, plan.clean, span, replacement);
        corrupt = await this.withWindowProgress(
          'Comparing the prompts…',
          this.engine.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt: corruptText, replaced: { position: span.first, text: replacement } })
            .result,
        );
        const diff = corrupt.diff;
        if (diff.aligned && diff.differingPositions.length === 0) {
          return this.tell(
            'identical',
            `Replacing ‘${visibleText(original)}’ with ‘${visibleText(replacement)}’ leaves the prompt’s tokens unchanged: clean and corrupt are identical, so there is nothing to patch (and (clean − corrupt) would be 0).`,
            'warn',
          );
        }
        if (diff.aligned) break;
        const change = describeChange(plan.clean, corrupt.corrupt, diff.ops);
        const message = `The corrupt prompt has ${corrupt.corrupt.length} tokens and the clean one ${plan.clean.length} (${change}): position-wise patching needs equal token counts.`;
        const next = await this.questions.pickNearest(message, corrupt.nearest ?? [], options.onMismatch);
        if (next === undefined) return this.tell('mismatch', message, 'warn');
        replacement = next;
      }
      const corruptText = substitute(prompt, plan.clean, span, replacement);

      // 4. The metric.
      const picked = await this.questions.pickMetric(spec, plan, corrupt, options);
      if (!picked) return { status: 'aborted', message: 'no metric picked' };
      picked.notes.push(...(await this.specialTreatment(plan, corrupt)));

      // 5. Run: preview, then exact sweeps.
      return await this.run(spec, docRef, { text: prompt, plan }, { text: corruptText, tokens: corrupt }, picked.spec, picked.notes, options);
    } catch (e) {
      if (isCancelled(e)) return { status: 'aborted', message: 'cancelled' };
      if (e instanceof EngineError && e.code === 'too-long') return this.tell('error', `${e.message}. Select a shorter prompt.`, 'warn');
      if (e instanceof EngineError && e.code === 'empty') return this.tell('empty', `Nothing to compare: ${e.message}.`);
      return this.tell('error', errorMessage(e), 'error');
    }
  }

  /**
   * Two given prompts compared directly (a pair of a prompt set, opened from the dataset panel): no
   * editor, no token to pick; the prompts must align token by token. The metric comes from the
   * options (answer and wrong given) or is asked as usual.
   */
  private async comparePrompts(prompts: { readonly clean: string; readonly corrupt: string }, options: CompareOptions): Promise<CompareOutcome> {
    if (!prompts.clean.trim() || !prompts.corrupt.trim()) return this.tell('empty', 'Nothing to compare: the clean or the corrupt prompt is empty.');
    const settings = getSettings();
    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, settings, this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'aborted', message: e.message };
      return this.tell('error', errorMessage(e), 'error');
    }
    try {
      const plan = await this.withWindowProgress(
        'Tokenizing the prompts…',
        this.engine.call('openComparison', { model: spec, comparisonId: randomUUID(), clean: prompts.clean }).result,
      );
      const corrupt = await this.engine.call('tokenizeCorrupt', { comparisonId: plan.comparisonId, corrupt: prompts.corrupt }).result;
      if (!corrupt.diff.aligned) {
        const change = describeChange(plan.clean, corrupt.corrupt, corrupt.diff.ops);
        return this.tell(
          'mismatch',
          `The corrupt prompt has ${corrupt.corrupt.length} tokens and the clean one ${plan.clean.length} (${change}): position-wise patching needs equal token counts.`,
          'warn',
        );
      }
      if (corrupt.diff.differingPositions.length === 0)
        return this.tell('identical', 'The clean and corrupt prompts have the same tokens: there is nothing to patch.', 'warn');
      const picked = await this.questions.pickMetric(spec, plan, corrupt, options);
      if (!picked) return { status: 'aborted', message: 'no metric picked' };
      picked.notes.push(...(await this.specialTreatment(plan, corrupt)));
      const docRef = { uri: '', version: 0, settings };
      return await this.run(spec, docRef, { text: prompts.clean, plan }, { text: prompts.corrupt, tokens: corrupt }, picked.spec, picked.notes, options);
    } catch (e) {
      if (isCancelled(e)) return { status: 'aborted', message: 'cancelled' };
      if (e instanceof EngineError && e.code === 'too-long') return this.tell('error', `${e.message}.`, 'warn');
      if (e instanceof EngineError && e.code === 'empty') return this.tell('empty', `Nothing to compare: ${e.message}.`);
      return this.tell('error', errorMessage(e), 'error');
    }
  }

  /**
   * The `param`/`arg` lesson: when one token was swapped, whether some head singles out the
   * original or the substitute (then the comparison measures that head's quirk, not the circuit).
   */
  private async specialTreatment(plan: OpenComparisonResult, corrupt: TokenizeCorruptResult): Promise<string[]> {
    const diff = corrupt.diff;
    if (diff.differingPositions.length !== 1) return [];
    const pos = diff.differingPositions[0];
    try {
      const s = await this.engine.call('rankSubstitutes', { comparisonId: plan.comparisonId, position: pos, limit: 1, candidates: [corrupt.corrupt[pos].id] })
        .result;
      return [...s.original.special.slice(0, 1), ...(s.ranked[0]?.special.slice(0, 1) ?? [])].map(
        (f) => `Heads treat a token of this substitution specially: ${f.message}.`,
      );
    } catch (e) {
      if (isCancelled(e)) throw e;
      this.log.warn(`special-treatment check failed: ${errorMessage(e)}`);
      return [];
    }
  }

  private async run(
    spec: ModelSpec,
    docRef: { uri: string; version: number; range?: vscode.Range; settings: Settings },
    clean: { readonly text: string; readonly plan: OpenComparisonResult },
    corrupt: { readonly text: string; readonly tokens: TokenizeCorruptResult },
    metric: MetricSpec,
    notes: string[],
    options: CompareOptions,
  ): Promise<CompareOutcome> {
    this.cancelRun();
    this.tableChecks.cancel(); // a re-run drops the check of the comparison it replaces
    const runId = randomUUID();
    const sweeps = options.sweeps ?? SWEEP_ORDER;
    const plan = clean.plan;
    const cleanIds = plan.clean.map((t) => t.id);
    const corruptIds = corrupt.tokens.corrupt.map((t) => t.id);
    const memoryBudgetBytes = docRef.settings.patchingMemoryBudgetMB * 2 ** 20;
    const params = { model: spec, clean: cleanIds, corrupt: corruptIds, metric, sweeps, maxBatch: options.maxBatch, memoryBudgetBytes };
    const cur: Current = {
      runId,
      spec,
      cleanIds,
      corruptIds,
      uri: docRef.uri,
      version: docRef.version,
      range: docRef.range,
      maxBatch: options.maxBatch,
      memoryBudgetBytes,
      cancelled: false,
    };
    this.current = cur;

    const atp = this.engine.call('attribution', params);
    cur.call = atp;
    const preview = await this.withWindowProgress('Estimating with attribution patching…', atp.result);
    if (cur.cancelled) return { status: 'cancelled', runId, tablesExact: 0, tablesTotal: sweeps.length * 2, notes };
    if (preview.metricClean === preview.metricCorrupt) {
      notes.push(
        `Clean and corrupt give the same metric (${preview.metricClean}): normalised values are undefined, so the panel shows the change from the unpatched run.`,
      );
    }
    const tok = (t: PositionToken): PositionToken => ({ id: t.id, text: t.text, isBos: t.isBos, ...(t.isSpecial ? { isSpecial: true } : {}) });
    const diff = corrupt.tokens.diff;
    const comparison: ComparisonParams = {
      runId,
      modelName: spec.displayName,
      clean: { text: clean.text, tokens: plan.clean.map(tok) },
      corrupt: { text: corrupt.text, tokens: corrupt.tokens.corrupt.map(tok) },
      diff: { ops: diff.ops.map((o) => ({ ...o })), differingPositions: diff.differingPositions },
      metric: { spec: metric, label: metricLabel(metric), clean: preview.metricClean, corrupt: preview.metricCorrupt },
      n_layers: plan.n_layers,
      n_heads: plan.n_heads,
      sweeps,
      notes,
      stale: false,
      ...(plan.precisionError ? { precisionError: plan.precisionError } : {}),
    };
    this.results.start(comparison);
    const shownTables = this.results.addTables(runId, preview.tables);
    const panel = SubstitutionPanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    panel.showComparison(comparison);
    panel.showTables(runId, shownTables);
    this.log.info(`run ${runId}: AtP preview in ${preview.ms} ms; metric clean ${preview.metricClean}, corrupt ${preview.metricCorrupt}`);
    // The SAE's features, beside the sweeps (own progress and cancel); hidden with a hint when no SAE applies.
    void this.saeFeatures.run({ runId, model: spec, clean: cleanIds, corrupt: corruptIds, metric, settings: docRef.settings });

    const total = sweeps.length * 2;
    // Closing the panel stops the sweeps: nobody would see them.
    const closed = panel.onDidDispose(() => {
      this.cancelRun(runId);
      this.saeFeatures.cancel(runId);
    });
    this.showRunState({ runId, state: 'sweeping', message: 'Attribution-patching estimate shown; exact sweeps replace it table by table.' });
    const outcome = await vscode.window
      .withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Circuit Inspector: patching sweeps', cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => this.cancelRun(runId));
          let reported = 0;
          const call = this.engine.call('patchSweeps', params, (_phase, message, detail) => {
            if (!isPatchSweepsDetail(detail) || cur.cancelled || this.current !== cur) return;
            if (detail.kind === 'table') {
              SubstitutionPanel.instance?.showTables(runId, this.results.addTables(runId, [detail.table]));
              return;
            }
            const p = detail.progress;
            const pct = Math.round(sweepFraction(p, comparison.n_layers) * 100);
            const left = sweepSecondsLeft(p);
            progress.report({
              message: `${p.sweep} (${p.direction}) · table ${p.tablesDone + 1} of ${p.tablesTotal}${left !== undefined ? ` · ${formatTimeLeft(left)}` : ''}`,
              increment: Math.max(0, pct - reported),
            });
            reported = Math.max(reported, pct);
            this.showRunState({ runId, state: 'sweeping', message, progress: p });
          });
          cur.call = call;
          if (cur.cancelled) call.cancel();
          try {
            await call.result;
            return 'done' as const;
          } catch (e) {
            if (isCancelled(e)) return 'cancelled' as const;
            throw e;
          } finally {
            sub.dispose();
          }
        },
      )
      .then(
        (s) => s,
        (e: unknown) => {
          const message = errorMessage(e);
          this.showRunState({ runId, state: 'error', message: `Exact sweeps failed: ${message}. Tables not yet refined still show the estimate.` });
          void vscode.window.showErrorMessage(`Circuit Inspector: exact sweeps failed: ${message}`);
          return 'error' as const;
        },
      );
    closed.dispose();
    if (outcome === 'error') return { status: 'error', message: 'exact sweeps failed' };
    if (outcome === 'cancelled') {
      const exact = this.results.exactCount;
      this.showRunState({
        runId,
        state: 'cancelled',
        message: `Cancelled: ${exact} of ${total} tables are exact; the others still show the attribution-patching estimate. The sweep in progress was dropped.`,
      });
      return { status: 'cancelled', runId, tablesExact: exact, tablesTotal: total, notes };
    }
    this.showRunState({ runId, state: 'done', message: `All ${total} tables exact.` });
    return { status: 'done', runId, tablesExact: this.results.exactCount, tablesTotal: total, notes };
  }

  /** Records the SAE features with the results and shows them (for the comparison on screen only). */
  private showSaeFeatures(p: SaeFeaturesParams): void {
    if (this.results.setSaeFeatures(p)) SubstitutionPanel.instance?.showSaeFeatures(p);
  }

  /** Records an fp32 check with the results and shows it (for the comparison on screen only). */
  private showTableCheck(p: TableCheckParams, fp32?: PatchTable): void {
    if (this.results.setTableCheck(p, fp32)) SubstitutionPanel.instance?.showTableCheck(p);
  }

  /**
   * "Check against fp32": recomputes the shown exact table of an int8 comparison with the fp32
   * weights. Keeps running when the panel closes (recorded with the results); cancelled by its own
   * Cancel and by a new comparison.
   */
  private async checkTable(p: TableRefParams): Promise<void> {
    const c = this.current;
    const shown = this.results.snapshot();
    if (!c || c.runId !== p.runId || shown?.comparison.runId !== p.runId) throw new Error('this comparison is no longer current');
    if (c.spec.precision !== 'int8') throw new Error('the model runs in the exact mode: there is nothing to check against fp32');
    const table = shown.tables.find((t) => t.sweep === p.sweep && t.direction === p.direction);
    if (table?.source !== 'exact') throw new Error('only an exact table can be checked against fp32: wait for its sweep');
    const busy = shown.runState?.state === 'sweeping' || shown.runState?.state === 'estimating';
    if (busy) throw new Error('the exact sweeps are still running: check a table once they finish (or are cancelled)');
    const { metric } = shown.comparison;
    await this.tableChecks.run({
      runId: c.runId,
      model: c.spec,
      clean: c.cleanIds,
      corrupt: c.corruptIds,
      metric: metric.spec,
      table,
      metricClean: metric.clean,
      metricCorrupt: metric.corrupt,
      maxBatch: c.maxBatch,
      memoryBudgetBytes: c.memoryBudgetBytes,
    });
  }

  /** Records the run state with the results and shows it (for the comparison on screen only). */
  private showRunState(p: SubstitutionRunStateParams): void {
    if (this.results.setRunState(p)) SubstitutionPanel.instance?.showRunState(p);
  }

  private panelHandlers(): SubstitutionPanelHandlers {
    return {
      snapshot: () => this.results.snapshot(),
      cancel: (runId: string) => this.cancelRun(runId),
      exportTables: (runId: string, format: ExportFormat) => this.exportTables(runId, format),
      exportPng: (runId: string, name: string, dataUrl: string) => this.exportPng(runId, name, dataUrl),
      headPatterns: (p: HeadPatternsRequestParams) => this.headPatterns(p),
      cancelSaeFeatures: (runId: string) => this.saeFeatures.cancel(runId),
      checkTable: (p: TableRefParams) => this.checkTable(p),
      cancelTableCheck: (runId: string) => this.tableChecks.cancel(runId),
      inspectFeature: async (runId: string, feature: number) => {
        const c = this.current;
        if (!c || c.runId !== runId) throw new Error('this comparison is no longer current');
        if (!c.uri) throw new Error('this comparison has no document (a pair of a prompt set): open its clean prompt in an editor to inspect its features');
        return inspectFeatureAt(c.uri, c.range, feature);
      },
      selectSae: () => this.selectSae(),
      log: (m: string) => this.log.info(m),
    };
  }

  /** Select SAE, then the features of the comparison on screen through the SAE chosen. */
  private async selectSae(): Promise<void> {
    const chosen = await vscode.commands.executeCommand<string | undefined>(SELECT_SAE_COMMAND);
    const c = this.current;
    const shown = this.results.snapshot()?.comparison;
    if (chosen === undefined || !c || shown?.runId !== c.runId) return;
    await this.saeFeatures.run({
      runId: c.runId,
      model: c.spec,
      clean: c.cleanIds,
      corrupt: c.corruptIds,
      metric: shown.metric.spec,
      settings: getSettings(vscode.Uri.parse(c.uri)),
    });
  }

  private async headPatterns(p: HeadPatternsRequestParams): Promise<HeadPatternsParams> {
    const c = this.current;
    if (!c || c.runId !== p.runId) throw new Error('this comparison is no longer current');
    const r = await this.engine.call('headPatterns', { model: c.spec, clean: c.cleanIds, corrupt: c.corruptIds, layer: p.layer, head: p.head }).result;
    return { ...p, ...r };
  }

  /** Exports the comparison on screen (automation: the panel's Export buttons); the path written, if any. */
  async exportCurrent(format: unknown): Promise<string | undefined> {
    const runId = this.results.runId;
    if (!runId) throw new Error('no comparison is shown');
    if (format !== 'json' && format !== 'csv' && format !== 'html') throw new Error(`unknown export format ${String(format)} (json, csv, html)`);
    return this.exportTables(runId, format);
  }

  private async exportTables(runId: string, format: ExportFormat): Promise<string | undefined> {
    const { comparison, tables, saeFeatures, tableChecks } = this.results.snapshotOf(runId);
    const body =
      format === 'json'
        ? JSON.stringify(comparisonToJson(comparison, tables, saeFeatures, tableChecks), null, 1)
        : format === 'csv'
          ? comparisonToCsv(comparison, tables)
          : comparisonToHtml(comparison, tables);
    const filters: Record<ExportFormat, Record<string, string[]>> = { json: { JSON: ['json'] }, csv: { CSV: ['csv'] }, html: { HTML: ['html'] } };
    return this.save(`token-substitution.${format}`, filters[format], Buffer.from(body, 'utf8'));
  }

  private async exportPng(runId: string, name: string, dataUrl: string): Promise<void> {
    this.results.snapshotOf(runId);
    const bytes = Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64');
    await this.save(`${name}.png`, { PNG: ['png'] }, bytes);
  }

  private async save(defaultName: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined, filters, saveLabel: 'Export' });
    if (!uri) return undefined;
    // One write of the whole file: an export is never left half-written by a running sweep.
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.log.info(`exported ${uri.fsPath} (${bytes.length} bytes)`);
    void vscode.window.setStatusBarMessage(`Circuit Inspector: exported ${path.basename(uri.fsPath)}`, 4000);
    return uri.fsPath;
  }

  private withWindowProgress<T>(title: string, p: Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Circuit Inspector: ${title}` }, () => p));
  }

  private tell(status: 'no-editor' | 'empty' | 'identical' | 'mismatch' | 'error', message: string, level: 'info' | 'warn' | 'error' = 'info'): CompareOutcome {
    this.log[level === 'warn' ? 'warn' : level](`compare substitution: ${message}`);
    const show =
      level === 'error' ? vscode.window.showErrorMessage : level === 'warn' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`Circuit Inspector: ${message}`);
    return { status, message };
  }
}
