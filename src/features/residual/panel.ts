/**
 * The Inspect Residual Stream webview panel: it renders what the session gives it (typed messages,
 * src/features/residual/shared/protocol.ts) and forwards what the user does. It keeps no results:
 * a (re)loaded webview is sent the session's current state.
 */
import type * as vscode from 'vscode';
import { FeaturePanel, PanelSlot, WebviewPanelHost } from '../../platform/webviewPanelHost';
import {
  DocumentNorms,
  FocusPosition,
  InputRejected,
  isResidualWebviewToHost,
  RESIDUAL_PROTOCOL_VERSION,
  ResidualStream,
  RunState,
  Stale,
  type DocumentNormsParams,
  type FocusPositionParams,
  type InputRejectedParams,
  type ResidualHostToWebview,
  type ResidualStreamParams,
  type ResidualWebviewToHost,
  type RunStateParams,
  type StaleParams,
} from './shared/protocol';

/** What the panel asks of the session. */
export interface ResidualPanelHandlers {
  /** A checked message from the webview (other than `ready`). */
  onMessage(msg: ResidualWebviewToHost): void;
  /** What a freshly loaded webview shows: the run state and the result on screen. */
  state(): {
    readonly runState?: RunStateParams;
    readonly shown?: { kind: 'record'; params: ResidualStreamParams } | { kind: 'document'; params: DocumentNormsParams };
  };
  log(message: string): void;
}

const slot = new PanelSlot<ResidualPanel>();

export class ResidualPanel extends FeaturePanel<ResidualWebviewToHost, ResidualHostToWebview> {
  static readonly viewType = 'circuitInspector.residual';

  static get instance(): ResidualPanel | undefined {
    return slot.current;
  }

  static createOrShow(extensionUri: vscode.Uri, handlers: ResidualPanelHandlers): ResidualPanel {
    return slot.open(
      () => new ResidualPanel(extensionUri, handlers),
      (p) => p.host.reveal(),
    );
  }

  protected readonly host: WebviewPanelHost<ResidualWebviewToHost, ResidualHostToWebview>;

  private constructor(extensionUri: vscode.Uri, handlers: ResidualPanelHandlers) {
    super();
    this.host = new WebviewPanelHost(
      extensionUri,
      {
        viewType: ResidualPanel.viewType,
        title: 'Circuit Inspector: Residual Stream',
        rootElement: 'ci-residual-panel',
        script: 'residual.js',
        protocolVersion: RESIDUAL_PROTOCOL_VERSION,
      },
      {
        isMessage: isResidualWebviewToHost,
        onMessage: (m) => {
          if (m.method !== 'ready') handlers.onMessage(m);
        },
        replay: () => {
          const s = handlers.state();
          const out: ResidualHostToWebview[] = [];
          if (s.runState) out.push(RunState.create(s.runState));
          if (s.shown?.kind === 'record') out.push(ResidualStream.create(s.shown.params));
          if (s.shown?.kind === 'document') out.push(DocumentNorms.create(s.shown.params));
          return out;
        },
        log: (m) => handlers.log(m),
      },
    );
  }

  showRunState(params: RunStateParams): void {
    this.host.post(RunState.create(params));
  }

  showRecord(params: ResidualStreamParams): void {
    this.host.post(ResidualStream.create(params));
  }

  showDocument(params: DocumentNormsParams): void {
    this.host.post(DocumentNorms.create(params));
  }

  showStale(params: StaleParams): void {
    this.host.post(Stale.create(params));
  }

  rejectInput(params: InputRejectedParams): void {
    this.host.post(InputRejected.create(params));
  }

  focusPosition(params: FocusPositionParams): void {
    this.host.show();
    this.host.post(FocusPosition.create(params));
  }
}
