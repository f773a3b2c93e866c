/**
 * The Inspect Features webview panel: it renders what the session gives it (typed messages,
 * src/features/sae/shared/protocol.ts) and forwards what the user does. It keeps no results: a
 * (re)loaded webview is sent the session's current state, in the protocol's replay order.
 */
import type * as vscode from 'vscode';
import { FeaturePanel, PanelSlot, WebviewPanelHost } from '../../platform/webviewPanelHost';
import {
  Ablation,
  FeatureCard,
  Features,
  isSaeWebviewToHost,
  RunState,
  SAE_PROTOCOL_VERSION,
  ScanProgress,
  ScanResult,
  Stale,
  TokenFeatures,
  type AblationParams,
  type FeatureCardParams,
  type FeaturesParams,
  type RunStateParams,
  type SaeHostToWebview,
  type SaeWebviewToHost,
  type ScanProgressParams,
  type ScanResultParams,
  type StaleParams,
  type TokenFeaturesParams,
} from './shared/protocol';

/** What is on screen, in replay order. */
export interface SaeShown {
  readonly runState?: RunStateParams;
  readonly features?: FeaturesParams;
  readonly card?: FeatureCardParams;
  readonly tokenFeatures?: TokenFeaturesParams;
  readonly ablation?: AblationParams;
  readonly scanResult?: ScanResultParams;
}

/** What the panel asks of the session. */
export interface SaePanelHandlers {
  /** A checked message from the webview (other than `ready`). */
  onMessage(msg: SaeWebviewToHost): void;
  state(): SaeShown;
  log(message: string): void;
}

const slot = new PanelSlot<SaePanel>();

export class SaePanel extends FeaturePanel<SaeWebviewToHost, SaeHostToWebview> {
  static readonly viewType = 'circuitInspector.sae';

  static get instance(): SaePanel | undefined {
    return slot.current;
  }

  static createOrShow(extensionUri: vscode.Uri, handlers: SaePanelHandlers): SaePanel {
    return slot.open(
      () => new SaePanel(extensionUri, handlers),
      (p) => p.host.reveal(),
    );
  }

  protected readonly host: WebviewPanelHost<SaeWebviewToHost, SaeHostToWebview>;

  private constructor(extensionUri: vscode.Uri, handlers: SaePanelHandlers) {
    super();
    this.host = new WebviewPanelHost(
      extensionUri,
      {
        viewType: SaePanel.viewType,
        title: 'Circuit Inspector: Features',
        rootElement: 'ci-sae-panel',
        script: 'sae.js',
        protocolVersion: SAE_PROTOCOL_VERSION,
      },
      {
        isMessage: isSaeWebviewToHost,
        onMessage: (m) => {
          if (m.method !== 'ready') handlers.onMessage(m);
        },
        replay: () => {
          const s = handlers.state();
          const out: SaeHostToWebview[] = [];
          if (s.runState) out.push(RunState.create(s.runState));
          if (s.features) out.push(Features.create(s.features));
          if (s.card) out.push(FeatureCard.create(s.card));
          if (s.tokenFeatures) out.push(TokenFeatures.create(s.tokenFeatures));
          if (s.ablation) out.push(Ablation.create(s.ablation));
          if (s.scanResult) out.push(ScanResult.create(s.scanResult));
          return out;
        },
        log: (m) => handlers.log(m),
      },
    );
  }

  showRunState(p: RunStateParams): void {
    this.host.post(RunState.create(p));
  }
  showFeatures(p: FeaturesParams): void {
    this.host.post(Features.create(p));
  }
  showCard(p: FeatureCardParams): void {
    this.host.post(FeatureCard.create(p));
  }
  showTokenFeatures(p: TokenFeaturesParams): void {
    this.host.post(TokenFeatures.create(p));
  }
  showAblation(p: AblationParams): void {
    this.host.post(Ablation.create(p));
  }
  showScanProgress(p: ScanProgressParams): void {
    this.host.post(ScanProgress.create(p));
  }
  showScanResult(p: ScanResultParams): void {
    this.host.post(ScanResult.create(p));
  }
  showStale(p: StaleParams): void {
    this.host.post(Stale.create(p));
  }
}
