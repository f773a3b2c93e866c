/**
 * The one live inspection: runs the engine for a selection, feeds the panel, answers the
 * panel's requests, paints decorations for its focus, serves the hover, and marks everything stale
 * when the document changes. Commands and providers call into it; it owns their shared state.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { planDecorations } from './decorationPlan';
import { statusText, type StatusState } from './statusText';
import { looksLikeProse, SHIPPED_PROSE_NOTICE } from './proseNotice';
import type { TypedEngine } from '../../engine/client';
import { EngineError, isCancelled } from '../../engine/protocol';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import type { AttentionEngineMethods, ExportCacheResult, InspectResult, TokenActivityResult } from './shared/engineMethods';
import { documentRanges, normalizeEol, selectionProblem, tokenAtOffset, type OffsetRange } from '../../platform/offsets';
import { StalenessTracker } from '../../platform/staleness';
import { affects, getSettings } from '../../platform/settings';
import { watchStaleness } from '../../platform/watchStaleness';
import type { FocusChangedParams, HeadPatternParams, HeadPatternRequestParams, RunStateParams } from './shared/protocol';
import type { InspectionParams, TokenInfo } from '../../shared/inspection';
import { AttentionDecorations } from './decorations';
import { AttentionPanel, type AttentionPanelHandlers } from './panel';
import { Disposable } from '../../platform/disposable';
import { reportFailure, tellUser } from '../../platform/notify';
import { describeModelSetting, formatBytes, ModelResolveCancelled, resolveModelSpec } from '../../platform/modelResolver';

export type InspectOutcome =
  | { readonly status: 'done'; readonly inspectionId: string; readonly tokens: readonly TokenInfo[]; readonly truncated: boolean; readonly modelName: string }
  | { readonly status: 'no-editor' | 'empty' | 'binary' | 'too-large' | 'cancelled' | 'superseded' | 'error'; readonly message: string };

export interface InspectOptions {
  /**
   * What to do with a prompt longer than the context without asking (tests and automation):
   * keep its first tokens ('truncate'), its last ('truncate-end'), or not run it.
   */
  readonly onTooLong?: TooLongChoice;
}

/** The inspection on screen. */
export interface CurrentInspection {
  readonly inspectionId: string;
  readonly uri: string;
  readonly params: InspectionParams;
  /** Document offsets of each token (BOS: empty at the selection start). */
  readonly ranges: readonly OffsetRange[];
  readonly modelName: string;
}

export type TooLongChoice = 'truncate' | 'truncate-end' | 'cancel';

/** Inspect Residual Stream's command (the residual feature registers it). */
const INSPECT_RESIDUAL_STREAM_COMMAND = 'circuitInspector.inspectResidualStream';

export class InspectionSession extends Disposable {
  readonly decorations: AttentionDecorations;
  private readonly stale = new StalenessTracker();
  private readonly status: vscode.StatusBarItem;
  private current: CurrentInspection | undefined;
  /** Bumped by every run: a run whose generation is not the latest drops its result. */
  private generation = 0;
  private runCancel: (() => void) | undefined;
  private runsInFlight = 0;
  private runState: RunStateParams | undefined;
  private activityCache: { key: string; result: Promise<TokenActivityResult> } | undefined;
  private proseNoticeShown = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    /** Shared with Compare Token Substitution; owned (and disposed) by the extension. */
    private readonly engine: TypedEngine<AttentionEngineMethods>,
  ) {
    super();
    this.decorations = this._register(new AttentionDecorations());
    this.status = this._register(vscode.window.createStatusBarItem('circuitInspector.status', vscode.StatusBarAlignment.Right, 100));
    this.status.name = 'Circuit Inspector';
    this.status.command = 'circuitInspector.selectModel';
    this.setStatus('idle');
    this.status.show();

    this._register(
      watchStaleness(
        this.stale,
        () => this.becameStale(),
        (e) => {
          // After a model change the status names the new model setting (the tooltip keeps the shown run's model).
          if (affects(e, 'model') && !this.running) this.setStatus(this.current ? 'stale' : 'idle', undefined, undefined, this.current?.modelName);
        },
      ),
    );
  }

  get inspection(): CurrentInspection | undefined {
    return this.current;
  }

  /** An engine run is in flight. */
  get running(): boolean {
    return this.runsInFlight > 0;
  }

  /** The run state the panel shows. */
  get runStateShown(): RunStateParams | undefined {
    return this.runState;
  }

  get staleReason(): string | undefined {
    return this.stale.staleReason;
  }

  /** Inspects the selection of `editor`, or its current line when nothing is selected. */
  async inspect(editor: vscode.TextEditor | undefined, options: InspectOptions = {}): Promise<InspectOutcome> {
    if (!editor) return this.tell('no-editor', 'Open a file and select some text to inspect.');
    const doc = editor.document;
    let range: vscode.Range = editor.selection;
    let usedLine = false;
    if (editor.selection.isEmpty) {
      range = doc.lineAt(editor.selection.active.line).range;
      usedLine = true;
    }
    const source = doc.getText(range);
    const problem = selectionProblem(source) ?? (doc.getText().includes('\u0000') ? 'binary' : undefined);
    if (problem === 'empty') {
      return this.tell(
        'empty',
        usedLine ? 'Nothing to inspect: the current line is empty. Select some text first.' : 'Nothing to inspect: the selection is only whitespace.',
      );
    }
    if (problem === 'binary') return this.tell('binary', 'This looks like a binary file (it contains NUL bytes); Circuit Inspector only reads text.', 'warn');
    if (problem === 'too-large') return this.tell('too-large', 'The selection is larger than 1 MB; select a shorter passage.', 'warn');
    if (usedLine) void vscode.window.setStatusBarMessage(`Circuit Inspector: no selection, inspecting line ${range.start.line + 1}`, 4000);

    // A new run supersedes the previous one: its result is dropped, never interleaved.
    this.runCancel?.();
    const generation = ++this.generation;
    const settings = getSettings(doc.uri);
    let spec: ModelSpec;
    try {
      spec = await resolveModelSpec(this.context, settings, this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled) return { status: 'cancelled', message: e.message };
      return this.failed(errorMessage(e));
    }
    if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };

    const panel = AttentionPanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    const prompt = normalizeEol(source);
    const base = doc.offsetAt(range.start);
    const docRef = { uri: doc.uri.toString(), version: doc.version };
    const inspectionId = randomUUID();
    this.showRunState(panel, {
      state: 'running',
      message: `Inspecting ${usedLine ? `line ${range.start.line + 1}` : 'the selection'} with ${spec.displayName}…`,
    });
    this.setStatus('running', spec.displayName);

    let truncateTo: number | undefined;
    let keep: 'first' | 'last' | undefined;
    for (;;) {
      let result: InspectResult;
      try {
        result = await this.run(spec, { inspectionId, text: prompt.text, watchTokens: settings.watchTokens, truncateTo, keep }, panel);
      } catch (e) {
        if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
        if (isCancelled(e) || panel.isDisposed) {
          this.showRunState(panel, { state: 'cancelled' });
          this.setStatus(this.current ? 'ready' : 'idle', spec.displayName);
          return { status: 'cancelled', message: 'the run was cancelled' };
        }
        if (e instanceof EngineError && e.code === 'too-long' && truncateTo === undefined && e.n_ctx !== undefined) {
          const n = e.n_ctx;
          const choice = options.onTooLong ?? (await this.askTruncate(e.promptTokens ?? 0, n));
          if ((choice === 'truncate' || choice === 'truncate-end') && generation === this.generation) {
            truncateTo = n;
            keep = choice === 'truncate-end' ? 'last' : 'first';
            continue;
          }
          this.showRunState(panel, { state: 'cancelled', message: `Not run: the selection is ${e.promptTokens} tokens, the model reads ${n}.` });
          this.setStatus(this.current ? 'ready' : 'idle', spec.displayName);
          return { status: 'cancelled', message: e.message };
        }
        if (e instanceof EngineError && e.code === 'empty') {
          this.showRunState(panel, { state: 'error', message: e.message });
          return this.tell('empty', `Nothing to inspect: ${e.message}.`);
        }
        this.showRunState(panel, { state: 'error', message: errorMessage(e) });
        return this.failed(errorMessage(e));
      }
      // Panel closed mid-run, or a newer run started: drop the result quietly.
      if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
      if (panel.isDisposed) {
        this.setStatus(this.current ? 'ready' : 'idle', spec.displayName);
        return { status: 'cancelled', message: 'the panel was closed; result dropped' };
      }
      // Once per session: the shipped model reads prose poorly, and the panel says so.
      const proseNotice = settings.model === '' && !this.proseNoticeShown && looksLikeProse(prompt.text);
      if (proseNotice) this.proseNoticeShown = true;
      return this.show(result, prompt, base, docRef, spec, panel, keep, proseNotice);
    }
  }

  private show(
    result: InspectResult,
    prompt: ReturnType<typeof normalizeEol>,
    base: number,
    docRef: { uri: string; version: number },
    spec: ModelSpec,
    panel: AttentionPanel,
    keep: 'first' | 'last' = 'first',
    proseNotice = false,
  ): InspectOutcome {
    const ins = result.inspection;
    const ranges = documentRanges(prompt, base, ins.tokens);
    // The protocol's token offsets are document offsets.
    const tokens = ins.tokens.map((t, i) => ({ ...t, start: ranges[i].start, end: ranges[i].end }));
    const params: InspectionParams = { ...ins, tokens, stale: false };
    this.decorations.clear();
    this.activityCache = undefined;
    this.current = { inspectionId: ins.inspectionId, uri: docRef.uri, params, ranges, modelName: spec.displayName };
    this.stale.reset(docRef);
    panel.showInspection(params);
    const notice = result.truncated
      ? `Truncated: only the ${keep} ${tokens.length} of ${result.promptTokens} tokens were run (the model reads at most ${result.n_ctx}).`
      : undefined;
    const message = [notice, proseNotice ? SHIPPED_PROSE_NOTICE : undefined].filter(Boolean).join(' ') || undefined;
    this.showRunState(panel, { state: 'done', message });
    if (notice) void vscode.window.showWarningMessage(`Circuit Inspector: ${notice}`);
    this.setStatus('ready', spec.displayName, `${tokens.length} tokens`);
    this.log.info(
      `shown ${ins.inspectionId}: ${tokens.length} tokens (load ${result.loadMs} ms, run ${result.runMs} ms)${result.truncated ? ', truncated' : ''}`,
    );
    return { status: 'done', inspectionId: ins.inspectionId, tokens, truncated: result.truncated, modelName: spec.displayName };
  }

  private run(
    spec: ModelSpec,
    p: { inspectionId: string; text: string; watchTokens: readonly string[]; truncateTo?: number; keep?: 'first' | 'last' },
    panel: AttentionPanel,
  ): Promise<InspectResult> {
    let loadingDone: (() => void) | undefined;
    const call = this.engine.call('inspect', { model: spec, ...p }, (phase, message) => {
      if (phase === 'loading') {
        this.setStatus('loading', spec.displayName);
        this.showRunState(panel, { state: 'loading', message });
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: ${message}` },
          () => new Promise<void>((resolve) => (loadingDone = resolve)),
        );
      } else {
        loadingDone?.();
        this.setStatus('running', spec.displayName);
        this.showRunState(panel, { state: 'running', message });
      }
    });
    const sub = panel.onDidDispose(() => call.cancel());
    this.runCancel = () => call.cancel();
    this.runsInFlight++;
    return call.result.finally(() => {
      this.runsInFlight--;
      loadingDone?.();
      sub.dispose();
    });
  }

  private async askTruncate(promptTokens: number, nCtx: number): Promise<TooLongChoice> {
    const first = `Truncate to the first ${nCtx} tokens`;
    const last = `Truncate to the last ${nCtx} tokens`;
    const choice = await vscode.window.showWarningMessage(
      `The selection is ${promptTokens} tokens long, but the model reads at most ${nCtx} tokens.`,
      {
        modal: true,
        detail: 'Only part of the selection would be inspected; the panel says so. The last tokens are usually what matters for the next-token prediction.',
      },
      first,
      last,
    );
    return choice === first ? 'truncate' : choice === last ? 'truncate-end' : 'cancel';
  }

  /** Cancels the run in flight (its result is dropped). */
  cancelRun(): void {
    this.runCancel?.();
    this.generation++;
  }

  // ---- panel ---------------------------------------------------------------------------------

  /** The run state shown, kept for a webview that (re)loads. */
  private showRunState(panel: AttentionPanel, params: RunStateParams): void {
    this.runState = params;
    if (!panel.isDisposed) panel.showRunState(params);
  }

  private panelHandlers(): AttentionPanelHandlers {
    return {
      state: () => ({ runState: this.runState, inspection: this.current?.params }),
      headPattern: (q: HeadPatternRequestParams) => this.headPattern(q),
      focusChanged: (f: FocusChangedParams) => this.focusChanged(f),
      clearFocus: () => this.decorations.clear(),
      exportActivations: (inspectionId: string) => {
        if (inspectionId !== this.current?.inspectionId) return;
        this.exportActivations().catch((e: unknown) => this.failed(`Export Activations: ${errorMessage(e)}`));
      },
      openResidualStream: (inspectionId: string) => {
        if (inspectionId === this.current?.inspectionId) void this.openResidualStream();
      },
      log: (m: string) => this.log.info(`[panel] ${m}`),
    };
  }

  /**
   * Opens Inspect Residual Stream on the prompt on screen, by command (features do not import each
   * other): the document and the span of its tokens, which tokenize to the same ids, so the engine
   * serves the residual stream from this inspection's forward.
   */
  openResidualStream(): Thenable<unknown> | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const text = cur.ranges.filter((r, i) => !cur.params.tokens[i].isBos && r.end > r.start);
    if (text.length === 0) return undefined;
    const start = Math.min(...text.map((r) => r.start));
    const end = Math.max(...text.map((r) => r.end));
    return vscode.commands.executeCommand(INSPECT_RESIDUAL_STREAM_COMMAND, { uri: cur.uri, start, end });
  }

  async headPattern(q: HeadPatternRequestParams): Promise<HeadPatternParams> {
    return this.engine.call('headPattern', q).result;
  }

  /** Paints the focused head's weights over the source (or clears when there is nothing valid to paint). */
  focusChanged(f: FocusChangedParams): boolean {
    const cur = this.current;
    if (!cur || f.inspectionId !== cur.inspectionId || this.stale.stale || !f.weights_token || f.weights_token.length !== cur.ranges.length) {
      this.decorations.clear();
      return false;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === cur.uri);
    if (!doc) {
      this.decorations.clear();
      return false;
    }
    this.decorations.paint(doc, planDecorations(cur.ranges, f.weights_token, f.tokenIndex));
    return true;
  }

  /** Focuses a token (and optionally a head) in the panel, re-opening it when it was closed. */
  focusToken(args: { tokenIndex: number; layer?: number; head?: number }): void {
    const cur = this.current;
    if (!cur || !Number.isInteger(args.tokenIndex) || args.tokenIndex < 0 || args.tokenIndex >= cur.params.tokens.length) return;
    const panel = AttentionPanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    const head = args.layer !== undefined && args.head !== undefined ? { layer: args.layer, head: args.head } : {};
    panel.focusToken({ tokenIndex: args.tokenIndex, direction: 'from', ...head });
  }

  // ---- export ---------------------------------------------------------------------------------

  /**
   * Exports the inspection on screen for Python: every hook of its run in one safetensors file,
   * written by the engine. Asks where (Save dialog) unless automation passes an absolute path.
   * Resolves to the path written, or undefined when there is nothing to export or the user cancelled.
   */
  async exportActivations(target?: unknown): Promise<string | undefined> {
    const cur = this.current;
    if (!cur) {
      this.tell('no-editor', 'There is no inspection to export: run Inspect Attention first.');
      return undefined;
    }
    if (target !== undefined && (typeof target !== 'string' || !path.isAbsolute(target))) {
      throw new Error(`Export Activations takes an absolute .safetensors path (got ${JSON.stringify(target)})`);
    }
    let file = target;
    if (file === undefined) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `${cur.modelName.replace(/[^\w.-]+/g, '_')}-activations.safetensors`;
      const uri = await vscode.window.showSaveDialog({
        title: 'Circuit Inspector: Export Activations',
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { safetensors: ['safetensors'] },
        saveLabel: 'Export',
      });
      if (!uri) return undefined;
      if (uri.scheme !== 'file') throw new Error(`Export Activations writes local files only; ${uri.toString()} is not one`);
      file = uri.fsPath.endsWith('.safetensors') ? uri.fsPath : `${uri.fsPath}.safetensors`;
    }
    const p = { inspectionId: cur.inspectionId, path: file, modelId: cur.modelName };
    const result: ExportCacheResult = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Circuit Inspector: exporting activations to ${path.basename(file)}` },
      () => this.engine.call('exportCache', p).result,
    );
    const stale = this.stale.stale ? ' (the run shown, from before the document changed)' : '';
    this.log.info(`exported ${cur.inspectionId} to ${result.path}: ${result.tensors} hooks, ${result.n_tokens} tokens, ${result.bytes} bytes`);
    void vscode.window.showInformationMessage(
      `Circuit Inspector: exported ${result.tensors} hooks × ${result.n_tokens} tokens${stale} to ${path.basename(result.path)} (${formatBytes(result.bytes)}).`,
    );
    return result.path;
  }

  // ---- hover ---------------------------------------------------------------------------------

  /** The inspected token at `offset` of document `uri`, or undefined. */
  tokenAt(uri: string, offset: number): number | undefined {
    const cur = this.current;
    if (!cur || cur.uri !== uri) return undefined;
    const i = tokenAtOffset(cur.ranges, offset);
    return i >= 0 ? i : undefined;
  }

  tokenActivity(tokenIndex: number): Promise<TokenActivityResult> | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const key = `${cur.inspectionId}:${tokenIndex}`;
    if (this.activityCache?.key === key) return this.activityCache.result;
    const result = this.engine.call('tokenActivity', { inspectionId: cur.inspectionId, tokenIndex }).result;
    this.activityCache = { key, result };
    result.catch(() => {
      if (this.activityCache?.key === key) this.activityCache = undefined;
    });
    return result;
  }

  // ---- state ---------------------------------------------------------------------------------

  private becameStale(): void {
    const reason = this.stale.staleReason ?? 'the document changed';
    this.log.info(`inspection ${this.current?.inspectionId ?? '?'} is stale: ${reason}`);
    this.decorations.clear();
    AttentionPanel.instance?.showStale({ stale: true, reason });
    if (this.current) this.current = { ...this.current, params: { ...this.current.params, stale: true } };
    this.setStatus('stale', this.current?.modelName);
  }

  private setStatus(state: StatusState, model?: string, detail?: string, shownModel?: string): void {
    const { text, tooltip } = statusText(state, model ?? describeModelSetting(getSettings().model), detail, shownModel);
    this.status.text = text;
    this.status.tooltip = tooltip;
  }

  private tell(status: 'no-editor' | 'empty' | 'binary' | 'too-large', message: string, level: 'info' | 'warn' = 'info'): InspectOutcome {
    tellUser(this.log, message, level);
    return { status, message };
  }

  private failed(message: string): InspectOutcome {
    this.setStatus('error');
    reportFailure(this.log, message);
    return { status: 'error', message };
  }
}
