/**
 * Inspect Features, on the host: runs a selection through the model up to the SAE's hook, shows
 * its features per token, then the reconstruction quality; answers the view's card, token-list,
 * ablation and scan requests; paints the picked feature over the source; opens scan examples with
 * the feature painted; exports; marks results stale when the document changes. It owns the
 * results; the panel keeps none.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { EngineError, isCancelled } from '../../engine/protocol';
import { Disposable } from '../../platform/disposable';
import { reportFailure, tellUser } from '../../platform/notify';
import { ModelResolveCancelled, resolveModelSpec } from '../../platform/modelResolver';
import { documentRanges, normalizeEol, selectionProblem, type OffsetRange } from '../../platform/offsets';
import { noSaeMessage, resolveSae, SaeResolveCancelled, type ResolvedSae } from '../../platform/saeResolver';
import { getSettings } from '../../platform/settings';
import { SignedDecorations, type SignedPaint } from '../../platform/signedDecorations';
import { StalenessTracker } from '../../platform/staleness';
import { watchStaleness } from '../../platform/watchStaleness';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import type { CurrentFeatures } from './currentFeatures';
import { activationsCsv, featuresJson } from './export';
import { SaePanel, type SaePanelHandlers, type SaeShown } from './panel';
import type { EngineScanExample, SaeEngineMethods, SaeRef, ScanFile } from './shared/engineMethods';
import type { FeaturesParams, RunStateParams, SaeJob, SaeWebviewToHost, ScanExample, ScanResultParams, ScanScope } from './shared/protocol';

/** True while a feature is painted over the source (Escape clears it). */
export const FEATURE_DECORATIONS_SHOWN_KEY = 'circuitInspector.featureDecorationsShown';
/** Top features kept per position. */
export const FEATURES_TOP_K = 8;
/** Tokens per side of a feature's logit lens. */
export const LENS_K = 10;
/** Strength buckets of the editor paint (activation ÷ the largest on screen). */
export const PAINT_BUCKETS = 5;
/** Files a workspace scan reads at most. */
export const MAX_SCAN_FILES = 2000;

const SCAN_EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__,dist,build,out,.tox,site-packages}/**';

export type FeaturesOutcome =
  | { readonly status: 'done'; readonly inspectionId: string; readonly n_tokens: number }
  | { readonly status: 'no-editor' | 'empty' | 'binary' | 'too-large' | 'no-sae' | 'cancelled' | 'superseded' | 'error'; readonly message: string };

export class SaeSession extends Disposable {
  readonly decorations: SignedDecorations;
  private readonly stale = new StalenessTracker();
  private current: CurrentFeatures | undefined;
  private runState: RunStateParams | undefined;
  private generation = 0;
  private inFlight: EngineCall<unknown> | undefined;
  private scanCall: EngineCall<unknown> | undefined;
  /** Where the scan examples live: exampleId → file, offsets and paint. */
  private readonly examples = new Map<string, EngineScanExample & { feature: number }>();
  private watchedPanel: SaePanel | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly engine: TypedEngine<SaeEngineMethods>,
  ) {
    super();
    this.decorations = this._register(new SignedDecorations(PAINT_BUCKETS, FEATURE_DECORATIONS_SHOWN_KEY));
    this._register(watchStaleness(this.stale, () => this.becameStale()));
  }

  get inspection(): CurrentFeatures | undefined {
    return this.current;
  }
  get runStateShown(): RunStateParams | undefined {
    return this.runState;
  }
  get staleReason(): string | undefined {
    return this.stale.staleReason;
  }
  get running(): boolean {
    return this.inFlight !== undefined || this.scanCall !== undefined;
  }

  // ---- inspecting ------------------------------------------------------------------------------

  /** Inspects the selection of `editor`, or its current line; then picks `feature` when given. */
  async inspect(editor: vscode.TextEditor | undefined, options: { feature?: number } = {}): Promise<FeaturesOutcome> {
    if (!editor) return this.tell('no-editor', 'Open a file and select some text to inspect its SAE features.');
    const doc = editor.document;
    const usedLine = editor.selection.isEmpty;
    const range = usedLine ? doc.lineAt(editor.selection.active.line).range : editor.selection;
    const source = doc.getText(range);
    const problem = selectionProblem(source) ?? (doc.getText().includes('\u0000') ? 'binary' : undefined);
    if (problem === 'empty')
      return this.tell(
        'empty',
        usedLine ? 'Nothing to inspect: the current line is empty. Select some text first.' : 'Nothing to inspect: the selection is only whitespace.',
      );
    if (problem === 'binary') return this.tell('binary', 'This looks like a binary file (it contains NUL bytes); Circuit Inspector only reads text.', 'warn');
    if (problem === 'too-large') return this.tell('too-large', 'The selection is larger than 1 MB; select a shorter passage.', 'warn');

    this.cancelRun();
    const generation = this.generation;
    const settings = getSettings(doc.uri);
    let spec: ModelSpec;
    let sae: ResolvedSae | undefined;
    try {
      spec = await resolveModelSpec(this.context, settings, this.log);
      sae = await resolveSae(this.context, settings, spec, this.log);
    } catch (e) {
      if (e instanceof ModelResolveCancelled || e instanceof SaeResolveCancelled) return { status: 'cancelled', message: e.message };
      return this.failed(errorMessage(e));
    }
    if (!sae) {
      const message = noSaeMessage(spec);
      void vscode.window.showInformationMessage(`Circuit Inspector: ${message}`, 'Select SAE').then((c) => {
        if (c) void vscode.commands.executeCommand('circuitInspector.selectSae');
      });
      return { status: 'no-sae', message };
    }
    if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };

    const panel = this.openPanel();
    const prompt = normalizeEol(source);
    const docRef = { uri: doc.uri.toString(), version: doc.version };
    const inspectionId = randomUUID();
    const what = usedLine ? `line ${range.start.line + 1}` : 'the selection';
    this.showRunState({ state: 'running', job: 'features', message: `Features of ${what} with ${spec.displayName}…`, cancellable: true });
    const saeRef: SaeRef = { folder: sae.folder, source: sae.source };
    let truncateTo: number | undefined;
    const notes: string[] = [];
    for (;;) {
      try {
        const call = this.track(
          this.engine.call('features', { model: spec, sae: saeRef, inspectionId, text: prompt.text, k: FEATURES_TOP_K, truncateTo }, (phase, message) => {
            if (generation === this.generation)
              this.showRunState({ state: phase === 'loading' ? 'loading' : 'running', job: 'features', message, cancellable: true });
          }),
          panel,
        );
        const r = await call.result;
        if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
        if (panel.isDisposed) return { status: 'cancelled', message: 'the panel was closed; result dropped' };
        if (r.promptTokens > r.tokens.length)
          notes.push(`The selection is ${r.promptTokens} tokens; the first ${r.tokens.length} (the model's context) are shown.`);
        const ranges = documentRanges(prompt, doc.offsetAt(range.start), r.tokens);
        const features: FeaturesParams = {
          inspectionId,
          modelName: spec.displayName,
          sae: r.sae,
          warnings: r.warnings,
          notes,
          tokens: r.tokens.map((t) => ({ id: t.id, text: t.text, isBos: t.isBos, ...(t.isSpecial ? { isSpecial: true } : {}) })),
          k: FEATURES_TOP_K,
          top: r.top,
          l0_pos: r.l0_pos,
          resid_norm_pos: r.resid_norm_pos,
          error_norm_pos: r.error_norm_pos,
          stale: false,
        };
        this.stale.reset(docRef);
        this.decorations.clear();
        this.examples.clear();
        this.current = { inspectionId, uri: docRef.uri, languageExt: path.extname(doc.uri.path), spec, sae: saeRef, ranges, features };
        panel.showFeatures(features);
        this.log.info(`features ${inspectionId}: ${r.tokens.length} tokens, ${r.layersRun} of the model's layers run, ${r.runMs} ms`);
        this.showRunState({
          state: 'running',
          job: 'features',
          message: `${r.tokens.length} tokens · ${r.runMs} ms (layers up to ${r.sae.hookName}); measuring reconstruction quality…`,
          cancellable: true,
        });
        break;
      } catch (e) {
        if (generation !== this.generation) return { status: 'superseded', message: 'a newer run started' };
        if (isCancelled(e) || panel.isDisposed) {
          this.showRunState({ state: 'cancelled', job: 'features', message: 'Cancelled: the view is unchanged.' });
          return { status: 'cancelled', message: 'the run was cancelled' };
        }
        if (e instanceof EngineError && e.code === 'too-long' && truncateTo === undefined && e.n_ctx !== undefined) {
          truncateTo = e.n_ctx;
          continue;
        }
        this.showRunState({ state: 'error', job: 'features', message: errorMessage(e) });
        return this.failed(errorMessage(e));
      }
    }
    if (options.feature !== undefined) await this.selectFeature(options.feature);
    await this.measureQuality(generation, panel);
    return { status: 'done', inspectionId, n_tokens: this.current?.features.tokens.length ?? 0 };
  }

  /** The reconstruction quality, posted into the features on screen (same inspection: the view keeps its card). */
  private async measureQuality(generation: number, panel: SaePanel): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    try {
      const call = this.track(this.engine.call('quality', { model: cur.spec, sae: cur.sae, inspectionId: cur.inspectionId }), panel);
      const quality = await call.result;
      if (generation !== this.generation || this.current !== cur || panel.isDisposed) return;
      cur.features = { ...cur.features, quality };
      panel.showFeatures(cur.features);
      this.showRunState({
        state: 'done',
        job: 'features',
        message: `${cur.features.tokens.length} tokens · variance explained ${(100 * quality.varianceExplained).toFixed(1)}%`,
      });
    } catch (e) {
      if (generation !== this.generation) return;
      this.showRunState({
        state: isCancelled(e) ? 'cancelled' : 'error',
        job: 'features',
        message: isCancelled(e) ? 'Reconstruction quality cancelled: the features stay.' : `Reconstruction quality failed: ${errorMessage(e)}`,
      });
    }
  }

  // ---- the view's requests ---------------------------------------------------------------------

  onMessage(msg: SaeWebviewToHost): void {
    switch (msg.method) {
      case 'selectFeature':
        if (this.isCurrent(msg.params.inspectionId)) void this.selectFeature(msg.params.feature);
        return;
      case 'selectToken':
        if (this.isCurrent(msg.params.inspectionId)) void this.selectToken(msg.params.position);
        return;
      case 'runAblation':
        if (this.isCurrent(msg.params.inspectionId)) void this.runAblation(msg.params.feature, msg.params.position);
        return;
      case 'scanWorkspace':
        if (this.isCurrent(msg.params.inspectionId)) void this.scan(msg.params.feature, msg.params.scope);
        return;
      case 'cancelScan':
        this.scanCall?.cancel();
        return;
      case 'openExample':
        void this.openExample(msg.params.exampleId);
        return;
      case 'export':
        if (this.isCurrent(msg.params.inspectionId)) {
          void this.export(msg.params.format, undefined, msg.params).catch((e: unknown) => this.failed(`Export failed: ${errorMessage(e)}`));
        }
        return;
      case 'clearEditorPaint':
        this.decorations.clear();
        return;
      case 'cancel':
        this.inFlight?.cancel();
        return;
      case 'ready':
        return;
    }
  }

  /** The feature's card, and its activation painted over the source. */
  async selectFeature(feature: number): Promise<boolean> {
    const cur = this.current;
    if (!cur) return false;
    const card = await this.request('card', () =>
      this.engine.call('card', { model: cur.spec, sae: cur.sae, inspectionId: cur.inspectionId, feature, k: LENS_K }),
    );
    if (!card || this.current !== cur) return false;
    cur.card = { inspectionId: cur.inspectionId, ...card };
    cur.ablation = cur.ablation?.feature === feature ? cur.ablation : undefined;
    cur.scanResult = cur.scanResult?.feature === feature ? cur.scanResult : undefined;
    SaePanel.instance?.showCard(cur.card);
    this.paintPrompt(cur);
    // A scan already made serves this feature's examples at once.
    if (cur.scanKey && !cur.scanResult) void this.showExamples(cur, feature, { cached: true, partialHint: false });
    return true;
  }

  async selectToken(position: number): Promise<boolean> {
    const cur = this.current;
    if (!cur) return false;
    const r = await this.request('tokenFeatures', () =>
      this.engine.call('tokenFeatures', { model: cur.spec, sae: cur.sae, inspectionId: cur.inspectionId, position }),
    );
    if (!r || this.current !== cur) return false;
    cur.tokenFeatures = { inspectionId: cur.inspectionId, position, ...r };
    SaePanel.instance?.showTokenFeatures(cur.tokenFeatures);
    return true;
  }

  async runAblation(feature: number, position: number): Promise<boolean> {
    const cur = this.current;
    if (!cur) return false;
    const r = await this.request('ablation', () =>
      this.engine.call('ablation', { model: cur.spec, sae: cur.sae, inspectionId: cur.inspectionId, feature, position }, (phase, message) =>
        this.showRunState({ state: phase === 'loading' ? 'loading' : 'running', job: 'ablation', message, cancellable: true }),
      ),
    );
    if (!r || this.current !== cur) return false;
    cur.ablation = { inspectionId: cur.inspectionId, ...r };
    SaePanel.instance?.showAblation(cur.ablation);
    this.showRunState({
      state: 'done',
      job: 'ablation',
      message: `Ablated text of feature ${feature} at position ${position}: ${position + 1} ablations in one batched run.`,
    });
    return true;
  }

  /** One engine request of the view, with its run state; undefined when it failed or was cancelled (the view keeps what it shows). */
  private async request<T>(job: SaeJob, start: () => EngineCall<T>): Promise<T | undefined> {
    const generation = this.generation;
    const panel = SaePanel.instance;
    try {
      const call = start();
      if (panel) this.track(call, panel);
      const r = await call.result;
      if (generation !== this.generation) return undefined;
      if (this.runState?.state === 'running' && this.runState.job === job) this.showRunState({ state: 'done', job });
      return r;
    } catch (e) {
      if (generation !== this.generation) return undefined;
      this.showRunState({
        state: isCancelled(e) ? 'cancelled' : 'error',
        job,
        message: isCancelled(e) ? 'Cancelled: the view is unchanged.' : errorMessage(e),
      });
      return undefined;
    }
  }

  // ---- the workspace scan ------------------------------------------------------------------------

  /** Scans the workspace's files of the inspected document's kind (or a folder the user picks) for the feature's examples. */
  async scan(feature: number, scope: ScanScope, folder?: string): Promise<ScanResultParams | undefined> {
    const cur = this.current;
    if (!cur) return undefined;
    const ext = cur.languageExt || '.py';
    let base: vscode.Uri | undefined;
    if (scope === 'folder') {
      if (folder) base = vscode.Uri.file(folder);
      else {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Scan this folder' });
        if (!picked?.length) return undefined;
        base = picked[0];
      }
    }
    const pattern = base ? new vscode.RelativePattern(base, `**/*${ext}`) : `**/*${ext}`;
    const uris = (await vscode.workspace.findFiles(pattern, SCAN_EXCLUDE, MAX_SCAN_FILES + 1)).filter((u) => u.scheme === 'file');
    if (uris.length === 0) {
      this.showRunState({
        state: 'error',
        job: 'scan',
        message: `No ${ext} files to scan ${base ? `in ${base.fsPath}` : 'in this workspace (open a folder, or scan a folder)'}.`,
      });
      return undefined;
    }
    uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const truncatedFiles = uris.length > MAX_SCAN_FILES;
    const files: ScanFile[] = uris.slice(0, MAX_SCAN_FILES).map((u) => ({ path: u.fsPath, label: vscode.workspace.asRelativePath(u) }));
    const stamps = await Promise.all(
      files.map(async (f) => {
        try {
          const s = await vscode.workspace.fs.stat(vscode.Uri.file(f.path));
          return `${f.path}\u0000${s.size}\u0000${s.mtime}`;
        } catch {
          return `${f.path}\u0000?`;
        }
      }),
    );
    const key = createHash('sha256').update(stamps.join('\n')).digest('hex');
    const scopeText = `${ext} files ${base ? `in ${vscode.workspace.asRelativePath(base)}` : 'in the workspace'}${truncatedFiles ? ` (the first ${MAX_SCAN_FILES})` : ''}`;
    const scanId = randomUUID();
    this.scanCall?.cancel();
    this.showRunState({ state: 'running', job: 'scan', message: `Scanning ${files.length} files…`, progress: 0, cancellable: true });
    const call = this.engine.call('scan', { model: cur.spec, sae: cur.sae, scanId, cacheKey: key, scope: scopeText, files }, (phase, message, d) => {
      if (!d) return this.showRunState({ state: phase === 'loading' ? 'loading' : 'running', job: 'scan', message, cancellable: true });
      SaePanel.instance?.showScanProgress({ scanId, feature, ...d, tokensPerSecond: Math.max(0, d.tokensPerSecond) });
      this.showRunState({
        state: 'running',
        job: 'scan',
        message: `Scanned ${d.filesDone} of ${d.filesTotal} files · ${d.tokens.toLocaleString('en-US')} tokens · ${Math.round(d.tokensPerSecond)} tokens/s`,
        progress: d.filesTotal ? d.filesDone / d.filesTotal : undefined,
        cancellable: true,
      });
    });
    this.scanCall = call;
    let cancelled = false;
    let cached = false;
    try {
      const r = await call.result;
      cached = r.cached;
      if (r.skipped.length) this.log.info(`scan ${scanId}: skipped ${r.skipped.join('; ')}`);
      this.log.info(
        `scan ${scanId}: ${r.tokensScanned} tokens of ${r.filesScanned} files, ${Math.round(r.tokensPerSecond)} tokens/s${r.cached ? ' (cached)' : ''}`,
      );
    } catch (e) {
      if (!isCancelled(e)) {
        this.showRunState({ state: 'error', job: 'scan', message: `The scan failed: ${errorMessage(e)}` });
        return undefined;
      }
      cancelled = true;
    } finally {
      if (this.scanCall === call) this.scanCall = undefined;
    }
    if (this.current !== cur) return undefined;
    cur.scanKey = { key, scope: scopeText, files };
    return this.showExamples(cur, feature, { cached, partialHint: cancelled });
  }

  private async showExamples(cur: CurrentFeatures, feature: number, o: { cached: boolean; partialHint: boolean }): Promise<ScanResultParams | undefined> {
    const scanKey = cur.scanKey;
    if (!scanKey) return undefined;
    const r = await this.request('scan', () => this.engine.call('examples', { model: cur.spec, sae: cur.sae, cacheKey: scanKey.key, feature }));
    if (!r || this.current !== cur) return undefined;
    const toView = (e: EngineScanExample): ScanExample => {
      const exampleId = randomUUID();
      this.examples.set(exampleId, { ...e, feature });
      return {
        exampleId,
        file: e.file,
        line: e.line,
        act: e.act,
        tokens: e.tokens.map((t) => ({ text: t.text, act: t.act })),
        peak: e.peak,
        quantile: e.quantile,
      };
    };
    const result: ScanResultParams = {
      inspectionId: cur.inspectionId,
      scanId: randomUUID(),
      feature,
      scope: r.scope,
      top: r.top.map(toView),
      uniform: r.uniform.map(toView),
      density: Math.min(1, Math.max(0, r.density)),
      maxAct: r.maxAct,
      filesScanned: r.filesScanned,
      filesTotal: r.filesTotal,
      tokensScanned: r.tokensScanned,
      partial: r.partial || o.partialHint,
      cached: o.cached,
    };
    cur.scanResult = result;
    SaePanel.instance?.showScanResult(result);
    this.showRunState({
      state: result.partial ? 'cancelled' : 'done',
      job: 'scan',
      message: `${result.partial ? 'Partial scan' : 'Scanned'}: ${result.tokensScanned.toLocaleString('en-US')} tokens of ${result.filesScanned} of ${result.filesTotal} files${o.cached ? ' (cached)' : ''}.`,
    });
    return result;
  }

  /** Opens an example's file at its peak with the feature painted over the snippet. */
  async openExample(exampleId: string): Promise<boolean> {
    const e = this.examples.get(exampleId);
    if (!e) return false;
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.file(e.path));
    } catch (err) {
      this.failed(`Cannot open ${e.file}: ${errorMessage(err)}`);
      return false;
    }
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const peak = doc.positionAt(e.peakOffset);
    editor.selection = new vscode.Selection(peak, peak);
    editor.revealRange(new vscode.Range(peak, peak), vscode.TextEditorRevealType.InCenter);
    const max = Math.max(e.act, ...e.tokens.map((t) => t.act));
    this.decorations.paint(
      doc,
      paintsOf(
        e.tokens.map((t) => ({ start: t.start, end: t.end })),
        e.tokens.map((t) => t.act),
        max,
        e.feature,
      ),
      { start: e.tokens[e.peak].start, end: e.tokens[e.peak].end },
    );
    return true;
  }

  // ---- editor paint ------------------------------------------------------------------------------

  private paintPrompt(cur: CurrentFeatures): void {
    const card = cur.card;
    if (!card || this.stale.stale) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === cur.uri);
    if (!doc) return;
    const acts = Array.from(card.acts_pos);
    const max = Math.max(0, ...acts);
    this.decorations.paint(doc, paintsOf(cur.ranges, acts, max, card.feature));
  }

  // ---- export ------------------------------------------------------------------------------------

  /** JSON (the record), CSV (every active feature per position) or PNG (what the view drew). Returns the files written. */
  async export(format: 'json' | 'csv' | 'png', target?: string, png?: { name?: string; dataUrl?: string }): Promise<string[]> {
    const cur = this.current;
    if (!cur) {
      this.tell('no-editor', 'There is no feature inspection to export: run Inspect Features first.');
      return [];
    }
    const base = `${cur.spec.displayName.replace(/[^\w.-]+/g, '_')}-features`;
    let name: string;
    let bytes: Uint8Array;
    if (format === 'json') {
      name = `${base}.json`;
      bytes = Buffer.from(featuresJson(cur, this.stale.stale), 'utf8');
    } else if (format === 'csv') {
      const acts = await this.engine.call('activations', { model: cur.spec, sae: cur.sae, inspectionId: cur.inspectionId }).result;
      name = `${base}.csv`;
      bytes = Buffer.from(activationsCsv(acts), 'utf8');
    } else {
      if (!png?.dataUrl) throw new Error('a PNG export needs the image the view drew');
      name = `${png.name ?? base}.png`;
      bytes = Buffer.from(png.dataUrl.slice(png.dataUrl.indexOf(',') + 1), 'base64');
    }
    if (target !== undefined && !path.isAbsolute(target)) throw new Error(`exports take an absolute path (got ${JSON.stringify(target)})`);
    let file = target;
    if (!file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
        filters: { [format.toUpperCase()]: [format] },
        saveLabel: 'Export',
      });
      if (!uri) return [];
      if (uri.scheme !== 'file') throw new Error(`exports are written to local files only; ${uri.toString()} is not one`);
      file = uri.fsPath;
    }
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), bytes);
    this.log.info(`exported features ${cur.inspectionId} as ${format} to ${file}`);
    return [file];
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  closePanel(): void {
    SaePanel.instance?.dispose();
  }

  private isCurrent(inspectionId: string): boolean {
    return this.current?.inspectionId === inspectionId;
  }

  private track<T>(call: EngineCall<T>, panel: SaePanel): EngineCall<T> {
    this.inFlight = call;
    const sub = panel.onDidDispose(() => call.cancel());
    void call.result
      .catch(() => undefined)
      .finally(() => {
        sub.dispose();
        if (this.inFlight === call) this.inFlight = undefined;
      });
    return call;
  }

  private cancelRun(): void {
    this.generation++;
    this.inFlight?.cancel();
    this.inFlight = undefined;
  }

  private openPanel(): SaePanel {
    const panel = SaePanel.createOrShow(this.context.extensionUri, this.panelHandlers());
    if (panel !== this.watchedPanel) {
      this.watchedPanel = panel;
      panel.onDidDispose(() => {
        this.decorations.clear();
        this.scanCall?.cancel();
      });
    }
    return panel;
  }

  private panelHandlers(): SaePanelHandlers {
    return {
      state: (): SaeShown => {
        const c = this.current;
        return {
          runState: this.runState,
          features: c?.features,
          card: c?.card,
          tokenFeatures: c?.tokenFeatures,
          ablation: c?.ablation,
          scanResult: c?.scanResult,
        };
      },
      onMessage: (m) => this.onMessage(m),
      log: (m) => this.log.info(`[features panel] ${m}`),
    };
  }

  private showRunState(params: RunStateParams): void {
    this.runState = params;
    SaePanel.instance?.showRunState(params);
  }

  private becameStale(): void {
    const reason = this.stale.staleReason ?? 'the document changed';
    this.decorations.clear();
    if (this.current) this.current.features = { ...this.current.features, stale: true };
    SaePanel.instance?.showStale({ stale: true, reason });
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

/** Positive activations in strength buckets relative to `max`; zeros are not painted. */
export function paintsOf(ranges: readonly OffsetRange[], acts: readonly number[], max: number, feature: number): SignedPaint[] {
  const out: SignedPaint[] = [];
  for (let i = 0; i < ranges.length && i < acts.length; i++) {
    const a = acts[i];
    if (!(a > 0) || !(max > 0) || ranges[i].end <= ranges[i].start) continue;
    out.push({
      range: ranges[i],
      sign: 1,
      bucket: Math.max(1, Math.ceil((PAINT_BUCKETS * a) / max)),
      hover: `Feature ${feature}: activation ${a.toPrecision(3)} (${Math.round((100 * a) / max)}% of the largest shown)`,
    });
  }
  return out;
}
