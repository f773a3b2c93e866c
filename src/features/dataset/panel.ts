/**
 * The dataset webview panel: it renders the session's results for a prompt set (typed messages,
 * src/features/dataset/shared/protocol.ts) and forwards what the webview asks. It keeps nothing:
 * a (re)loaded webview is sent the session's current results.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errors';
import { FeaturePanel, PanelSlot, WebviewPanelHost } from '../../platform/webviewPanelHost';
import type { DatasetSnapshot } from './results';
import {
  Dataset,
  DATASET_PROTOCOL_VERSION,
  DatasetRunState,
  isDatasetWebviewToHost,
  Summary,
  Tables,
  type DatasetHostToWebview,
  type DatasetParams,
  type DatasetRunStateParams,
  type DatasetTable,
  type DatasetWebviewToHost,
  type ExportFormat,
  type PatchDirection,
  type SummaryParams,
  type SweepKind,
} from './shared/protocol';

export interface DatasetPanelHandlers {
  cancel(runId: string): void;
  exportTables(runId: string, format: ExportFormat): Promise<unknown>;
  exportPng(runId: string, name: string, dataUrl: string): Promise<unknown>;
  openPair(runId: string, pair: number): Promise<unknown>;
  rerun(runId: string, sweeps: readonly SweepKind[], directions: readonly PatchDirection[]): Promise<unknown>;
  /** The results a freshly loaded webview shows. */
  snapshot(): DatasetSnapshot | undefined;
  log(message: string): void;
}

const slot = new PanelSlot<DatasetPanel>();

export class DatasetPanel extends FeaturePanel<DatasetWebviewToHost, DatasetHostToWebview> {
  static readonly viewType = 'circuitInspector.dataset';

  static get instance(): DatasetPanel | undefined {
    return slot.current;
  }

  static createOrShow(extensionUri: vscode.Uri, handlers: DatasetPanelHandlers): DatasetPanel {
    return slot.open(
      () => new DatasetPanel(extensionUri, handlers),
      (p) => {
        p.handlers = handlers;
        p.host.reveal();
      },
    );
  }

  protected readonly host: WebviewPanelHost<DatasetWebviewToHost, DatasetHostToWebview>;

  private constructor(
    extensionUri: vscode.Uri,
    private handlers: DatasetPanelHandlers,
  ) {
    super();
    this.host = new WebviewPanelHost(
      extensionUri,
      {
        viewType: DatasetPanel.viewType,
        title: 'Circuit Inspector: Prompt Set',
        rootElement: 'ci-dataset-panel',
        script: 'dataset.js',
        protocolVersion: DATASET_PROTOCOL_VERSION,
      },
      {
        isMessage: isDatasetWebviewToHost,
        onMessage: (m) => this.onMessage(m),
        replay: () => replay(this.handlers.snapshot()),
        log: (m) => this.handlers.log(m),
      },
    );
  }

  showDataset(d: DatasetParams): void {
    this.host.post(Dataset.create(d));
  }

  showSummary(p: SummaryParams): void {
    this.host.post(Summary.create(p));
  }

  showTables(runId: string, tables: readonly DatasetTable[]): void {
    if (tables.length) this.host.post(Tables.create({ runId, tables }));
  }

  showRunState(p: DatasetRunStateParams): void {
    this.host.post(DatasetRunState.create(p));
  }

  private onMessage(msg: DatasetWebviewToHost): void {
    const fail = (what: string) => (e: unknown) => void vscode.window.showErrorMessage(`Circuit Inspector: ${what} failed: ${errorMessage(e)}`);
    switch (msg.method) {
      case 'ready':
        return; // the host answered it
      case 'cancelRun':
        this.handlers.cancel(msg.params.runId);
        return;
      case 'exportTables':
        void this.handlers.exportTables(msg.params.runId, msg.params.format).catch(fail('Export'));
        return;
      case 'exportPng':
        void this.handlers.exportPng(msg.params.runId, msg.params.name, msg.params.dataUrl).catch(fail('Export'));
        return;
      case 'openPair':
        void this.handlers.openPair(msg.params.runId, msg.params.pair).catch(fail('Opening the pair'));
        return;
      case 'rerun':
        void this.handlers.rerun(msg.params.runId, msg.params.sweeps, msg.params.directions).catch(fail('Running the set'));
        return;
    }
  }
}

/** The messages that bring a freshly loaded webview to the results' state. */
export function replay(s: DatasetSnapshot | undefined): DatasetHostToWebview[] {
  if (!s) return [];
  const runId = s.dataset.runId;
  const out: DatasetHostToWebview[] = [Dataset.create(s.dataset)];
  if (s.summary) out.push(Summary.create(s.summary));
  if (s.tables.length) out.push(Tables.create({ runId, tables: s.tables }));
  if (s.runState) out.push(DatasetRunState.create(s.runState));
  return out;
}
