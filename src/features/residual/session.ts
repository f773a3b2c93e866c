/**
 * Inspect Residual Stream, on the host: runs the analysis for a selection (or for the attention
 * panel's prompt, whose forward the engine still holds), feeds the panel, re-runs only the analysis
 * when the user changes the answer, wrong token, position or lens variant, paints a DLA head's
 * per-source contributions over the source, serves the hover line, exports, and marks results stale
 * when the document changes. It owns the results; the panel keeps none.
 *
 * A run that computes the logit lens shows its record twice: without the lens as soon as the norms
 * and DLA arrive (the engine's `partial` progress), then whole. A run that stops in between leaves
 * the partial record on screen, or puts back the whole record of the same inspection it replaced.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { EngineError, isCancelled } from '../../engine/protocol';
import { Disposable } from '../../platform/disposable';
import { reportFailure, tellUser } from '../../platform/notify';
import { ModelResolveCancelled, formatBytes, resolveModelSpec } from '../../platform/modelResolver';
import { documentRanges, normalizeEol, selectionProblem, tokenAtOffset, type OffsetRange } from '../../platform/offsets';
import { getSettings } from '../../platform/settings';
import { watchStaleness } from '../../platform/watchStaleness';
import { SignedDecorations } from '../../platform/signedDecorations';
import { StalenessTracker } from '../../platform/staleness';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import type { LensVariant } from '../../shared/residualStream';
import { visibleText } from '../../shared/tokens';
import { dlaCsv, lensTop1Csv, residualJson } from './export';
import { lensHoverLine } from './hoverLine';
import { ResidualPanel, type ResidualPanelHandlers } from './panel';
import type { AnalyseParams, AnalysePartial, AnalyseResult, ResidualEngineMethods } from './shared/engineMethods';
import {
  hasLens,
  recordVariant,
  type DocumentNormsParams,
  type ResidualExportFormat,
  type ResidualInputField,
  type ResidualStreamParams,
  type ResidualViewRecord,
  type ResidualWebviewToHost,
  type RunStateParams,
  type SelectHeadParams,
} from './shared/protocol';
import { planSourceDecorations, SIGNED_BUCKETS, type SourcePlan } from './sourcePlan';

/** True while a DLA head's sources are painted (Escape clears them). */
export const RESIDUAL_DECORATIONS_SHOWN_KEY = 'circuitInspector.residualDecorationsShown';

/** Top tokens kept per logit-lens cell (what the cell's hover lists). */
export const LENS_TOP_K = 5;

export type ResidualOutcome =
  | { readonly status: 'done'; readonly inspectionId: string; readonly n_tokens: number; readonly forwardReused: boolean; readonly notes: readonly string[] }
  | { readonly status: 'no-editor' | 'empty' | 'binary' | 'too-large' | 'cancelled' | 'superseded' | 'error'; readonly message: string };

export type DocumentOutcome =
  | { readonly status: 'done'; readonly runId: string; readonly windows: number; readonly totalTokens: number }
  | { readonly status: 'no-editor' | 'empty' | 'binary' | 'cancelled' | 'superseded' | 'error'; readonly message: string };

export type TooLongChoice = 'truncate' | 'truncate-end' | 'cancel';

export interface ResidualInspectOptions {
  /** A prompt longer than the context without asking (tests, automation, the attention panel's entry). */
  readonly onTooLong?: TooLongChoice;
}

/** Where a prompt comes from: a document and a range of it (document offsets). */
export interface PromptSource {
  readonly uri: string;
  readonly start: number;
  readonly end: number;
}

/** The residual-stream inspection on screen. */
export interface CurrentResidual {
  readonly inspectionId: string;
  readonly uri: string;
  readonly spec: ModelSpec;
  readonly text: string;
  readonly truncateTo?: number;
  readonly keep?: 'first' | 'last';
  /** Document offsets of each token. */
  readonly ranges: readonly OffsetRange[];
  readonly params: ResidualStreamParams;
  readonly forwardReused: boolean;
}

type Shown = { kind: 'record'; params: ResidualStreamParams } | { kind: 'document'; params: DocumentNormsParams };

export class ResidualSession extends Disposable {
  readonly decorations: SignedDecorations;
  private readonly didShowRecord = this._register(new vscode.EventEmitter<ResidualStreamParams>());
  /** A record was put on screen: a run's partial one (no lens), its whole one, or a whole one put back after a stopped run. */
  readonly onDidShowRecord = this.didShowRecord.event;
  private readonly stale = new StalenessTracker();
  private current: CurrentResidual | undefined;
  private document: DocumentNormsParams | undefined;
  private shownKind: 'record' | 'document' | undefined;
  private runState: RunStateParams | undefined;
  /** Bumped by every run: a run whose generation is not the latest drops its result. */
  private generation = 0;
  private inFlight: EngineCall<unknown> | undefined;
  private plan: SourcePlan | undefined;
  /** The whole record a partial one of the same inspection replaced: shown again if its run stops before the lens. */
  private replaced: CurrentResidual | undefined;
  private watchedPanel: ResidualPanel | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly engine: TypedEngine<ResidualEngineMethods>,
  ) {
    super();
    this.decorations = this._register(new SignedDecorations(SIGNED_BUCKETS, RESIDUAL_DECORATIONS_SHOWN_KEY));
    this._register(watchStaleness(this.stale, () => this.becameStale()));
  }

  get inspection(): CurrentResidual | undefined {
    return this.current;
  }

  get documentNorms(): DocumentNormsParams | undefined {
    return this.document;
  }

  /** What the panel shows: the record or the document's norms. */
  get shown(): 'record' | 'document' | undefined {
    return this.shownKind;
  }

  get runStateShown(): RunStateParams | undefined {
    return this.runState;
  }

  get staleReason(): string | undefined {
    return this.stale.staleReason;
  }

  get running(): boolean {
    return this.inFlight !== undefined;
  }

  get headPlan(): SourcePlan | undefined {
    return this.plan;
  }

  // ---- inspecting ------------------------------------------------------------------------------

  /** Inspects the selection of `editor`, or its current line when nothing is selected. */
  async inspect(editor: vscode.TextEditor | undefined, options: ResidualInspectOptions = {}): Promise<ResidualOutcome> {
    if (!editor) return this.tell('no-editor', 'Open a file and select some text to inspect its residual stream.');
    const doc = editor.document;
    const usedLine = editor.selection.isEmpty;
    const range = usedLine ? doc.lineAt(editor.selection.active.line).range : editor.selection;
    const what = usedLine ? `line ${range.start.line + 1}` : 'the selection';
    return this.inspectText(doc, doc.offsetAt(range.start), doc.getText(range), what, usedLine, options);
  }

  /** Inspects a range of a document (the attention panel's prompt: its forward is still in the engine). */
  async inspectSource(source: PromptSource, options: ResidualInspectOptions = {}): Promise<ResidualOutcome> {
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
    } catch (e) {
      return this.failed(`cannot open ${source.uri}: ${errorMessage(e)}`);
    }
    const start = Math.max(0, Math.min(source.start, source.end));
    const end = Math.max(source.start, source.end);
    const text = doc.getText(new vscode.Range(doc.positionAt(start), doc.positionAt(end)));
    return this.inspectText(doc, start, text, 'the attention panel’s prompt', false, options);
  }

  private async inspectText(
    doc: vscode.TextDocument,
    base: number,
    source: string,
    what: string,
    usedLine: boolean,
    options: ResidualInspectOptions,
  ): Promise<ResidualOutcome> {
    const problem = selectionProblem(source) ?? (doc.getText().includes('\u0000') ? 'binary' : undefined);
    if (problem === 'empty') {
      return this.tell(
        'empty',
        usedLine ? 'Nothing to inspect: the current line is empty. Select some text first.' : 'Nothing to inspect: the selection is only whitespace.',
      );
    }
    if (problem === 'binary') return this.tell('binary', 'This looks like a binary file (it contains NUL bytes); Circuit Inspector only reads text.', 'warn');
    if (problem === 'too-large') return this.tell('too-large', 'The selection is larger than 1 MB; select a shorter passage.', 'warn');

    this.cancelRun();
    const generation = this.generation;
    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, getSettings(doc.uri), this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'cancelled', message: e.message };
      return this.failed(errorMessage(e));
    }
    if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };

    const panel = this.openPanel();
    const prompt = normalizeEol(source);
    const docRef = { uri: doc.uri.toString(), version: doc.version };
    const inspectionId = randomUUID();
    this.showRunState({ state: 'running', message: `Residual stream of ${what} with ${spec.displayName}…`, cancellable: true });

    let truncateTo: number | undefined;
    let keep: 'first' | 'last' | undefined;
    let partialShown = false;
    for (;;) {
      let result: AnalyseResult;
      const where = () => ({ uri: docRef.uri, spec, text: prompt.text, truncateTo, keep, answerText: '', wrongText: '' });
      try {
        result = await this.call(
          generation,
          panel,
          { model: spec, inspectionId, text: prompt.text, variant: 'recompute', k: LENS_TOP_K, truncateTo, keep },
          (partial) => {
            if (panel.isDisposed) return;
            this.stale.reset(docRef);
            partialShown = true;
            this.show(partial, { ...where(), ranges: documentRanges(prompt, base, partial.record.tokens) });
          },
        );
      } catch (e) {
        if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
        if (isCancelled(e) || panel.isDisposed) {
          this.showRunState({ state: 'cancelled', message: this.stoppedBeforeLens() ?? 'Cancelled: nothing new is shown.' });
          return { status: 'cancelled', message: 'the run was cancelled' };
        }
        if (e instanceof EngineError && e.code === 'too-long' && truncateTo === undefined && e.n_ctx !== undefined) {
          const choice = options.onTooLong ?? (await this.askTruncate(e.promptTokens ?? 0, e.n_ctx));
          if ((choice === 'truncate' || choice === 'truncate-end') && generation === this.generation) {
            truncateTo = e.n_ctx;
            keep = choice === 'truncate-end' ? 'last' : 'first';
            continue;
          }
          this.showRunState({ state: 'cancelled', message: `Not run: the selection is ${e.promptTokens} tokens, the model reads ${e.n_ctx}.` });
          return { status: 'cancelled', message: e.message };
        }
        if (e instanceof EngineError && e.code === 'empty') {
          this.showRunState({ state: 'error', message: e.message });
          return this.tell('empty', `Nothing to inspect: ${e.message}.`);
        }
        this.stoppedBeforeLens();
        this.showRunState({ state: 'error', message: errorMessage(e) });
        return this.failed(errorMessage(e));
      }
      if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
      if (panel.isDisposed) return { status: 'cancelled', message: 'the panel was closed; result dropped' };
      const ranges = documentRanges(prompt, base, result.record.tokens);
      // Shown partly before: an edit since then has made it stale, and it stays so.
      if (!partialShown) this.stale.reset(docRef);
      this.show(result, { ...where(), ranges });
      return { status: 'done', inspectionId, n_tokens: result.record.tokens.length, forwardReused: result.forwardReused, notes: result.notes };
    }
  }

  /** Shows a run's whole result, or its partial one (no lens yet: the run goes on). */
  private show(
    result: AnalyseResult | AnalysePartial,
    c: Pick<CurrentResidual, 'uri' | 'spec' | 'text' | 'truncateTo' | 'keep' | 'ranges'> & { answerText: string; wrongText: string },
  ): void {
    const prev = this.current;
    if (!hasLens(result.record)) {
      // Keep the whole record this one replaces (same inspection), to put back if the run stops before its lens.
      if (prev && prev.inspectionId === result.record.inspectionId) {
        if (hasLens(prev.params.record)) this.replaced = prev;
      } else this.replaced = undefined;
    } else this.replaced = undefined;
    // A re-analysis of the same inspection keeps the selected head (the view keeps it too) and repaints its sources.
    const keepHead = this.plan && this.current?.inspectionId === result.record.inspectionId ? { layer: this.plan.layer, head: this.plan.head } : undefined;
    // The record's token offsets become document offsets, as in the attention panel.
    const tokens = result.record.tokens.map((t, i) => ({ ...t, start: c.ranges[i].start, end: c.ranges[i].end }));
    const record: ResidualViewRecord = { ...result.record, tokens };
    const params: ResidualStreamParams = { record, stale: this.stale.stale, notes: result.notes, answerText: c.answerText, wrongText: c.wrongText };
    this.current = {
      inspectionId: record.inspectionId,
      uri: c.uri,
      spec: c.spec,
      text: c.text,
      truncateTo: c.truncateTo,
      keep: c.keep,
      ranges: c.ranges,
      params,
      forwardReused: result.forwardReused,
    };
    this.shownKind = 'record';
    this.clearHead();
    if (keepHead) this.selectHead({ inspectionId: record.inspectionId, ...keepHead });
    ResidualPanel.instance?.showRecord(params);
    const reused = result.forwardReused ? 'the forward reused' : `forward ${result.forwardMs} ms`;
    if (!('analysisMs' in result)) {
      this.showRunState({ state: 'running', message: `Norms and attribution shown (${reused}); computing the logit lens…`, progress: 0, cancellable: true });
    } else {
      this.showRunState({ state: 'done', message: `${tokens.length} tokens · ${reused} · analysis ${result.analysisMs} ms` });
      this.log.info(`residual ${record.inspectionId}: ${tokens.length} tokens (${reused}, analysis ${result.analysisMs} ms)`);
    }
    this.didShowRecord.fire(params);
  }

  /** Re-runs only the analysis with one input changed (the engine keeps the forward). */
  async change(msg: Extract<ResidualWebviewToHost, { method: 'setAnswer' | 'setVariant' | 'setPosition' }>): Promise<boolean> {
    const cur = this.current;
    if (!cur || msg.params.inspectionId !== cur.inspectionId) return false;
    const last = cur.params.record;
    const field: ResidualInputField = msg.method === 'setVariant' ? 'variant' : msg.method === 'setPosition' ? 'position' : 'answer';
    let answerText = cur.params.answerText;
    let wrongText = cur.params.wrongText;
    let variant: LensVariant = recordVariant(last);
    let position = last.dla.position;
    if (msg.method === 'setAnswer') {
      answerText = msg.params.answer;
      wrongText = msg.params.wrong;
    } else if (msg.method === 'setVariant') variant = msg.params.variant;
    else position = msg.params.position;
    if (position >= last.tokens.length) {
      ResidualPanel.instance?.rejectInput({
        inspectionId: cur.inspectionId,
        field: 'position',
        message: `Position ${position} is outside the prompt: it has ${last.tokens.length} tokens (0..${last.tokens.length - 1}).`,
      });
      return false;
    }
    this.cancelRun();
    const generation = this.generation;
    const panel = this.openPanel();
    this.showRunState({ state: 'running', message: 'Re-running the analysis (the forward is reused)…', cancellable: true });
    try {
      const result = await this.call(
        generation,
        panel,
        {
          model: cur.spec,
          inspectionId: cur.inspectionId,
          text: cur.text,
          truncateTo: cur.truncateTo,
          keep: cur.keep,
          variant,
          k: LENS_TOP_K,
          position,
          answer: answerText || undefined,
          wrong: wrongText || undefined,
        },
        (partial) => {
          if (!panel.isDisposed) this.show(partial, { ...cur, answerText, wrongText });
        },
      );
      if (generation !== this.generation || panel.isDisposed) return false;
      this.show(result, { ...cur, answerText, wrongText });
      return true;
    } catch (e) {
      if (generation !== this.generation) return false;
      const stopped = this.stoppedBeforeLens();
      if (isCancelled(e)) {
        this.showRunState({ state: 'cancelled', message: stopped ?? 'Cancelled: the result shown is unchanged.' });
        return false;
      }
      const message = errorMessage(e);
      if (e instanceof EngineError && e.code === 'bad-request') {
        const which: ResidualInputField = field === 'answer' && /wrong/.test(message) ? 'wrong' : field;
        ResidualPanel.instance?.rejectInput({ inspectionId: cur.inspectionId, field: which, message: capitalise(message) });
        this.showRunState({ state: 'done', message: `Not changed: ${message}` });
        return false;
      }
      this.showRunState({ state: 'error', message });
      this.failed(message);
      return false;
    }
  }

  /** The residual norms over the selection (when it is longer than the context) or the whole document, in windows. */
  async inspectDocument(editor: vscode.TextEditor | undefined, options: { maxWindows?: number; windowTokens?: number } = {}): Promise<DocumentOutcome> {
    if (!editor) return this.tell('no-editor', 'Open a file to see its residual-stream norms.');
    const doc = editor.document;
    const whole = editor.selection.isEmpty;
    const text = whole ? doc.getText() : doc.getText(editor.selection);
    if (text.includes('\u0000'))
      return this.tell('binary', 'This looks like a binary file (it contains NUL bytes); Circuit Inspector only reads text.', 'warn');
    if (!text.trim()) return this.tell('empty', 'Nothing to run: the document is empty.');
    this.cancelRun();
    const generation = this.generation;
    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, getSettings(doc.uri), this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'cancelled', message: e.message };
      return this.failed(errorMessage(e));
    }
    if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
    const panel = this.openPanel();
    const source = `${path.basename(doc.uri.path) || doc.uri.toString()}${whole ? '' : ' (selection)'}`;
    const runId = randomUUID();
    const docRef = { uri: doc.uri.toString(), version: doc.version };
    this.showRunState({ state: 'running', message: `Residual norms of ${source}…`, progress: 0, cancellable: true });
    const call = this.engine.call('documentNorms', { model: spec, runId, text: normalizeEol(text).text, source, ...options }, (phase, message, detail) => {
      if (generation !== this.generation) return;
      const progress = detail && detail.total > 0 ? detail.done / detail.total : undefined;
      this.showRunState({ state: phase === 'loading' ? 'loading' : 'running', message, progress, cancellable: true });
    });
    this.inFlight = call;
    const sub = panel.onDidDispose(() => call.cancel());
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: residual norms of ${source}`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => call.cancel());
          return call.result;
        },
      );
      if (generation !== this.generation || panel.isDisposed) return { status: 'superseded', message: 'a newer run started' };
      this.stale.reset(docRef);
      this.document = result;
      this.shownKind = 'document';
      this.clearHead();
      panel.showDocument(result);
      this.showRunState({ state: 'done', message: `${result.totalTokens} tokens in ${result.windows.length} windows of ${result.windowTokens}` });
      return { status: 'done', runId, windows: result.windows.length, totalTokens: result.totalTokens };
    } catch (e) {
      if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
      if (isCancelled(e) || panel.isDisposed) {
        this.showRunState({ state: 'cancelled', message: 'Cancelled: no windows are shown.' });
        return { status: 'cancelled', message: 'the run was cancelled' };
      }
      if (e instanceof EngineError && e.code === 'empty') return this.tell('empty', `Nothing to run: ${e.message}.`);
      this.showRunState({ state: 'error', message: errorMessage(e) });
      return this.failed(errorMessage(e));
    } finally {
      sub.dispose();
      if (this.inFlight === call) this.inFlight = undefined;
    }
  }

  /**
   * One `analyse` call of run `generation`: its progress reaches the run state (the lens's rows as a
   * fraction) and its partial record `onPartial`, both only while the run is the latest.
   */
  private call(generation: number, panel: ResidualPanel, params: AnalyseParams, onPartial: (partial: AnalysePartial) => void): Promise<AnalyseResult> {
    const call = this.engine.call('analyse', params, (phase, message, detail) => {
      if (generation !== this.generation) return;
      if (detail?.kind === 'partial') {
        onPartial(detail.partial);
        return;
      }
      const progress = detail?.kind === 'lens' && detail.rowsTotal > 0 ? Math.min(1, detail.rowsDone / detail.rowsTotal) : undefined;
      this.showRunState({ state: phase === 'loading' ? 'loading' : 'running', message, progress, cancellable: true });
    });
    this.inFlight = call;
    const sub = panel.onDidDispose(() => call.cancel());
    return call.result.finally(() => {
      sub.dispose();
      if (this.inFlight === call) this.inFlight = undefined;
    });
  }

  /** Cancels the run in flight; its result is dropped. */
  cancelRun(): void {
    this.generation++;
    this.inFlight?.cancel();
    this.inFlight = undefined;
  }

  /**
   * A run stopped (cancelled or failed) after its partial record was shown: the whole record of the
   * same inspection it replaced comes back, or the partial one stays. Returns what to say when it
   * was cancelled, or undefined when no partial record was on screen.
   */
  private stoppedBeforeLens(): string | undefined {
    const cur = this.current;
    const before = this.replaced;
    this.replaced = undefined;
    if (!cur || this.shownKind !== 'record' || hasLens(cur.params.record)) return undefined;
    if (!before || before.inspectionId !== cur.inspectionId)
      return 'Cancelled during the logit lens: the norms and attribution are shown; the lens was not computed.';
    const head = this.plan;
    this.current = { ...before, params: { ...before.params, stale: this.stale.stale } };
    this.clearHead();
    ResidualPanel.instance?.showRecord(this.current.params);
    if (head) this.selectHead({ inspectionId: before.inspectionId, layer: head.layer, head: head.head });
    this.didShowRecord.fire(this.current.params);
    return 'Cancelled: the result shown is unchanged.';
  }

  private async askTruncate(promptTokens: number, nCtx: number): Promise<TooLongChoice> {
    const first = `Truncate to the first ${nCtx} tokens`;
    const last = `Truncate to the last ${nCtx} tokens`;
    const choice = await vscode.window.showWarningMessage(
      `The selection is ${promptTokens} tokens long, but the model reads at most ${nCtx} tokens.`,
      {
        modal: true,
        detail:
          'Only part of the selection would be inspected; the panel says so. For the norms of the whole text, use Circuit Inspector: Inspect Residual Stream over the Document.',
      },
      first,
      last,
    );
    return choice === first ? 'truncate' : choice === last ? 'truncate-end' : 'cancel';
  }

  // ---- panel -----------------------------------------------------------------------------------

  private openPanel(): ResidualPanel {
    const panel = ResidualPanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    if (panel !== this.watchedPanel) {
      this.watchedPanel = panel;
      // Closing the view takes its head's colours off the source.
      panel.onDidDispose(() => this.clearHead());
    }
    return panel;
  }

  private showRunState(params: RunStateParams): void {
    this.runState = params;
    ResidualPanel.instance?.showRunState(params);
  }

  private panelHandlers(): ResidualPanelHandlers {
    return {
      state: () => ({ runState: this.runState, shown: this.shownNow() }),
      onMessage: (m) => this.onMessage(m),
      log: (m) => this.log.info(`[residual panel] ${m}`),
    };
  }

  private shownNow(): Shown | undefined {
    if (this.shownKind === 'record' && this.current) return { kind: 'record', params: this.current.params };
    if (this.shownKind === 'document' && this.document) return { kind: 'document', params: this.document };
    return undefined;
  }

  /** A checked webview message (the e2e tests feed these as if the webview had sent them). */
  onMessage(m: ResidualWebviewToHost): void {
    switch (m.method) {
      case 'ready':
        return;
      case 'setAnswer':
      case 'setVariant':
      case 'setPosition':
        void this.change(m);
        return;
      case 'selectHead':
        this.selectHead(m.params);
        return;
      case 'clearHead':
        this.clearHead();
        return;
      case 'cancelRun':
        if (this.running) {
          this.cancelRun();
          this.showRunState({ state: 'cancelled', message: this.stoppedBeforeLens() ?? 'Cancelled: nothing new is shown.' });
        }
        return;
      case 'exportResidual':
        if (m.params.inspectionId !== this.current?.inspectionId) return;
        this.export(m.params.format).catch((e: unknown) => this.failed(`Export: ${errorMessage(e)}`));
        return;
      case 'exportPng': {
        const bytes = Buffer.from(m.params.dataUrl.slice('data:image/png;base64,'.length), 'base64');
        this.save(`${m.params.name}.png`, { PNG: ['png'] }, [{ suffix: '', bytes }]).catch((e: unknown) => this.failed(`Export PNG: ${errorMessage(e)}`));
        return;
      }
    }
  }

  /** Paints head (layer, head)'s per-source contributions over the source; false when there is nothing valid to paint. */
  selectHead(p: SelectHeadParams): boolean {
    const cur = this.current;
    if (!cur || p.inspectionId !== cur.inspectionId || this.stale.stale || this.shownKind !== 'record') {
      this.clearHead();
      return false;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === cur.uri);
    const record = cur.params.record;
    if (!doc || p.layer >= record.n_layers || p.head >= record.n_heads) {
      this.clearHead();
      return false;
    }
    const plan = planSourceDecorations(record, cur.ranges, p.layer, p.head);
    const dir = record.dla.direction;
    const what = dir.wrong ? `logit[${visibleText(dir.answer.text)}] − logit[${visibleText(dir.wrong.text)}]` : `logit[${visibleText(dir.answer.text)}]`;
    this.plan = plan;
    this.decorations.paint(
      doc,
      plan.painted.map((s) => ({
        range: s.range,
        sign: s.sign,
        bucket: s.bucket,
        hover: `Head ${p.layer}.${p.head} through this token: ${s.value >= 0 ? '+' : ''}${s.value.toFixed(3)} to ${what} (head total ${plan.total.toFixed(3)})`,
      })),
      plan.focus,
    );
    return true;
  }

  clearHead(): void {
    this.plan = undefined;
    this.decorations.clear();
  }

  /** Reveals the panel and highlights a token's column (the hover link). */
  focusPosition(args: { inspectionId?: string; position: number }): boolean {
    const cur = this.current;
    if (!cur || (args.inspectionId !== undefined && args.inspectionId !== cur.inspectionId)) return false;
    if (!Number.isInteger(args.position) || args.position < 0 || args.position >= cur.ranges.length) return false;
    const panel = this.openPanel();
    if (this.shownKind !== 'record') {
      this.shownKind = 'record';
      panel.showRecord(cur.params);
    }
    panel.focusPosition({ inspectionId: cur.inspectionId, position: args.position });
    return true;
  }

  closePanel(): void {
    ResidualPanel.instance?.dispose();
  }

  // ---- hover -----------------------------------------------------------------------------------

  /** The hover line for the inspected token at `offset` of document `uri`. */
  hoverAt(uri: string, offset: number): { line: string; position: number; range: OffsetRange; inspectionId: string; stale?: string } | undefined {
    const cur = this.current;
    if (!cur || cur.uri !== uri) return undefined;
    const i = tokenAtOffset(cur.ranges, offset);
    if (i < 0) return undefined;
    const record = cur.params.record;
    const line = hasLens(record) ? lensHoverLine(record, i) : undefined;
    return line ? { line, position: i, range: cur.ranges[i], inspectionId: cur.inspectionId, stale: this.stale.staleReason } : undefined;
  }

  // ---- export ----------------------------------------------------------------------------------

  /**
   * Saves the record on screen: `json` (the whole record), `csv` (two files: the DLA table and the
   * lens top-1 grid), `safetensors` (the residual stream, written by the engine). Asks where unless
   * automation passes an absolute path. Resolves to the paths written.
   */
  async export(format: ResidualExportFormat, target?: string): Promise<string[]> {
    const cur = this.current;
    if (!cur) {
      this.tell('no-editor', 'There is no residual-stream inspection to export: run Inspect Residual Stream first.');
      return [];
    }
    const record = cur.params.record;
    if (!hasLens(record)) {
      this.tell('no-editor', 'The logit lens of this inspection is not computed yet (or its run stopped): export once the whole record is shown.');
      return [];
    }
    const base = `${cur.spec.displayName.replace(/[^\w.-]+/g, '_')}-residual`;
    if (format === 'json') {
      const body = residualJson(record, { stale: this.stale.stale, notes: cur.params.notes });
      return this.save(`${base}.json`, { JSON: ['json'] }, [{ suffix: '', bytes: Buffer.from(body, 'utf8') }], target);
    }
    if (format === 'csv') {
      return this.save(
        `${base}.csv`,
        { CSV: ['csv'] },
        [
          { suffix: '-dla', bytes: Buffer.from(dlaCsv(record), 'utf8') },
          { suffix: '-lens', bytes: Buffer.from(lensTop1Csv(record), 'utf8') },
        ],
        target,
      );
    }
    const file = target ?? (await this.askPath(`${base}.safetensors`, { safetensors: ['safetensors'] }));
    if (!file) return [];
    const out = file.endsWith('.safetensors') ? file : `${file}.safetensors`;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: exporting the residual stream to ${path.basename(out)}` },
      () => this.engine.call('exportResidual', { inspectionId: cur.inspectionId, path: out, modelId: getSettings().model || cur.spec.displayName }).result,
    );
    void vscode.window.showInformationMessage(
      `Circuit Inspector: exported ${result.tensors} residual hooks × ${result.n_tokens} tokens to ${path.basename(result.path)} (${formatBytes(result.bytes)}).`,
    );
    return [result.path];
  }

  private async askPath(defaultName: string, filters: Record<string, string[]>): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined, filters, saveLabel: 'Export' });
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new Error(`exports are written to local files only; ${uri.toString()} is not one`);
    return uri.fsPath;
  }

  /** Writes one file, or several beside each other (name + suffix + extension). */
  private async save(
    defaultName: string,
    filters: Record<string, string[]>,
    files: { suffix: string; bytes: Uint8Array }[],
    target?: string,
  ): Promise<string[]> {
    if (target !== undefined && !path.isAbsolute(target)) throw new Error(`exports take an absolute path (got ${JSON.stringify(target)})`);
    const chosen = target ?? (await this.askPath(defaultName, filters));
    if (!chosen) return [];
    const ext = path.extname(defaultName);
    const stem = chosen.endsWith(ext) ? chosen.slice(0, -ext.length) : chosen;
    const written: string[] = [];
    for (const f of files) {
      const file = `${stem}${f.suffix}${ext}`;
      await vscode.workspace.fs.writeFile(vscode.Uri.file(file), f.bytes);
      written.push(file);
    }
    this.log.info(`exported ${written.join(', ')}`);
    void vscode.window.setStatusBarMessage(`Circuit Inspector: exported ${written.map((w) => path.basename(w)).join(', ')}`, 4000);
    return written;
  }

  // ---- state -----------------------------------------------------------------------------------

  private becameStale(): void {
    const reason = this.stale.staleReason ?? 'the document changed';
    this.log.info(`residual stream ${this.current?.inspectionId ?? this.document?.runId ?? '?'} is stale: ${reason}`);
    this.clearHead();
    if (this.current) this.current = { ...this.current, params: { ...this.current.params, stale: true } };
    if (this.document) this.document = { ...this.document, stale: true };
    ResidualPanel.instance?.showStale({ stale: true, reason });
  }

  private tell<S extends 'no-editor' | 'empty' | 'binary' | 'too-large'>(
    status: S,
    message: string,
    level: 'info' | 'warn' = 'info',
  ): { status: S; message: string } {
    tellUser(this.log, message, level);
    return { status, message };
  }

  private failed(message: string): { status: 'error'; message: string } {
    reportFailure(this.log, message);
    return { status: 'error', message };
  }
}

function capitalise(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
