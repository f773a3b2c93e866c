/**
 * The Inspect Attention webview panel: it renders what the session gives it and forwards what the
 * webview asks (typed messages, src/features/attention/shared/protocol.ts). It keeps no results: on
 * a (re)load the webview is sent the session's current state.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../../shared/errors';
import type { InspectionParams } from '../../shared/inspection';
import { FeaturePanel, PanelSlot, WebviewPanelHost } from '../../platform/webviewPanelHost';
import {
  FocusToken,
  HeadPattern,
  Inspection,
  isWebviewToHostMessage,
  PROTOCOL_VERSION,
  RunState,
  Stale,
  type FocusChangedParams,
  type FocusTokenParams,
  type HeadPatternParams,
  type HeadPatternRequestParams,
  type HostToWebviewMessage,
  type RunStateParams,
  type StaleParams,
  type WebviewToHostMessage,
} from './shared/protocol';

/** What the panel asks of the session. */
export interface AttentionPanelHandlers {
  headPattern(params: HeadPatternRequestParams): Promise<HeadPatternParams>;
  focusChanged(params: FocusChangedParams): void;
  clearFocus(): void;
  /** The Export button: export the inspection's activations (the session asks where). */
  exportActivations(inspectionId: string): void;
  /** The Residual Stream button: open Inspect Residual Stream on the inspection's prompt. */
  openResidualStream(inspectionId: string): void;
  /** The state a freshly loaded webview shows: the last run state and the inspection on screen. */
  state(): { readonly runState?: RunStateParams; readonly inspection?: InspectionParams };
  log(message: string): void;
}

const slot = new PanelSlot<AttentionPanel>();

export class AttentionPanel extends FeaturePanel<WebviewToHostMessage, HostToWebviewMessage> {
  static readonly viewType = 'circuitInspector.attention';

  /** The open panel, if any. */
  static get instance(): AttentionPanel | undefined {
    return slot.current;
  }

  /** Reveals the panel (beside the editor), creating it when none is open. */
  static createOrShow(extensionUri: vscode.Uri, handlers: AttentionPanelHandlers): AttentionPanel {
    return slot.open(
      () => new AttentionPanel(extensionUri, handlers),
      (p) => p.host.reveal(),
    );
  }

  protected readonly host: WebviewPanelHost<WebviewToHostMessage, HostToWebviewMessage>;

  private constructor(
    extensionUri: vscode.Uri,
    private readonly handlers: AttentionPanelHandlers,
  ) {
    super();
    this.host = new WebviewPanelHost(
      extensionUri,
      {
        viewType: AttentionPanel.viewType,
        title: 'Circuit Inspector: Attention',
        rootElement: 'ci-attention-panel',
        script: 'attention.js',
        protocolVersion: PROTOCOL_VERSION,
      },
      {
        isMessage: isWebviewToHostMessage,
        onMessage: (m) => this.onMessage(m),
        replay: () => {
          const s = handlers.state();
          return [...(s.runState ? [RunState.create(s.runState)] : []), ...(s.inspection ? [Inspection.create(s.inspection)] : [])];
        },
        log: (m) => handlers.log(m),
      },
    );
  }

  showRunState(params: RunStateParams): void {
    this.host.post(RunState.create(params));
  }

  showInspection(params: InspectionParams): void {
    this.host.post(Inspection.create(params));
  }

  showStale(params: StaleParams): void {
    this.host.post(Stale.create(params));
  }

  focusToken(params: FocusTokenParams): void {
    this.host.show();
    this.host.post(FocusToken.create(params));
  }

  private onMessage(msg: WebviewToHostMessage): void {
    switch (msg.method) {
      case 'ready':
        return; // the host answered it
      case 'requestHeadPattern': {
        const { id, params } = msg;
        this.handlers.headPattern(params).then(
          (p) => this.host.post(HeadPattern.result(id, p)),
          (e: unknown) => this.host.post(HeadPattern.error(id, errorMessage(e))),
        );
        return;
      }
      case 'focusChanged':
        this.handlers.focusChanged(msg.params);
        return;
      case 'clearFocus':
        this.handlers.clearFocus();
        return;
      case 'exportActivations':
        this.handlers.exportActivations(msg.params.inspectionId);
        return;
      case 'openResidualStream':
        this.handlers.openResidualStream(msg.params.inspectionId);
        return;
      case 'timing':
        this.handlers.log(`webview timing ${msg.params.name}: ${msg.params.ms.toFixed(1)} ms (${msg.params.inspectionId})`);
        return;
    }
  }
}
