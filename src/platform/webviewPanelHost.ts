/**
 * The host side of a Circuit Inspector webview panel, shared by every feature: create-or-show
 * beside the editor, the strict-CSP shell (webviewHtml.ts), the `ready` handshake, and typed
 * posting. Messages posted before the webview is ready are not queued: on `ready` (the first load,
 * or a reload) the panel asks its owner for the current state and sends that instead, so a
 * webview always shows the latest state and never a backlog.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../shared/errors';
import { isRecord } from '../shared/guards';
import { Disposable } from './disposable';
import { webviewHtml, type WebviewShell } from './webviewHtml';

export interface PanelSpec extends WebviewShell {
  /** `circuitInspector.attention` etc.: one panel of each type at a time. */
  readonly viewType: string;
  /** The protocol version the host speaks (a webview that reports another is logged). */
  readonly protocolVersion: number;
}

export interface PanelOwner<In, Out> {
  /** Checks a message from the webview (ready included). */
  isMessage(msg: unknown): msg is In;
  /** A checked message from the webview, other than `ready`. */
  onMessage(msg: In): void;
  /** What a freshly loaded webview must be sent to show the current state. */
  replay(): readonly Out[];
  log(message: string): void;
}

/** Beside the active editor, or in the active column when no editor is open. */
export function panelColumn(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}

export class WebviewPanelHost<In, Out> extends Disposable {
  private ready = false;
  private readonly onDidDisposeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.onDidDisposeEmitter.event;
  private readonly panel: vscode.WebviewPanel;

  constructor(
    extensionUri: vscode.Uri,
    private readonly spec: PanelSpec,
    private owner: PanelOwner<In, Out>,
    preserveFocus = true,
  ) {
    super();
    this.panel = vscode.window.createWebviewPanel(
      spec.viewType,
      spec.title,
      { viewColumn: panelColumn(), preserveFocus },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      },
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this._register(this.panel);
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this._register(this.panel.webview.onDidReceiveMessage((msg: unknown) => this.receive(msg)));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, spec);
  }

  /** A new owner (a feature's session handlers) for a panel that stays open. */
  setOwner(owner: PanelOwner<In, Out>): void {
    this.owner = owner;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.onDidDisposeEmitter.fire();
    super.dispose();
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  reveal(preserveFocus = true): void {
    this.panel.reveal(panelColumn(), preserveFocus);
  }

  /** Shows the panel where it is, without moving it. */
  show(): void {
    this.panel.reveal(undefined, true);
  }

  /** Sends a message once the webview is ready (before that, `replay` covers it). */
  post(msg: Out): void {
    if (!this.ready || this.isDisposed) return;
    void this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => this.owner.log(`postMessage failed: ${errorMessage(e)}`));
  }

  private receive(msg: unknown): void {
    if (!this.owner.isMessage(msg)) {
      this.owner.log(`${this.spec.viewType}: ignored a malformed message from the webview (${describe(msg)})`);
      return;
    }
    if (isRecord(msg) && msg.method === 'ready') {
      const version = isRecord(msg.params) ? msg.params.protocolVersion : undefined;
      if (version !== this.spec.protocolVersion)
        this.owner.log(`${this.spec.viewType}: webview speaks protocol ${String(version)}, host ${this.spec.protocolVersion}`);
      this.ready = true;
      for (const m of this.owner.replay()) this.post(m);
      return;
    }
    this.owner.onMessage(msg);
  }
}

/**
 * A feature's panel: it holds its WebviewPanelHost and answers what the slot and the session ask of
 * any panel (disposed?, closed, visible). Subclasses add their typed `show…` methods.
 */
export abstract class FeaturePanel<In, Out> {
  protected abstract readonly host: WebviewPanelHost<In, Out>;

  get isDisposed(): boolean {
    return this.host.isDisposed;
  }

  get onDidDispose(): vscode.Event<void> {
    return this.host.onDidDispose;
  }

  get visible(): boolean {
    return this.host.visible;
  }

  dispose(): void {
    this.host.dispose();
  }
}

/** The one open panel of a kind: create it, or reveal the one that is open. */
export class PanelSlot<P extends { readonly isDisposed: boolean; readonly onDidDispose: vscode.Event<void> }> {
  private panel: P | undefined;

  get current(): P | undefined {
    return this.panel && !this.panel.isDisposed ? this.panel : undefined;
  }

  /** The open panel (passed to `reuse`), or a new one from `create`. */
  open(create: () => P, reuse: (p: P) => void): P {
    const open = this.current;
    if (open) {
      reuse(open);
      return open;
    }
    const p = create();
    this.panel = p;
    p.onDidDispose(() => {
      if (this.panel === p) this.panel = undefined;
    });
    return p;
  }
}

function describe(msg: unknown): string {
  return isRecord(msg) && 'method' in msg ? `method ${String(msg.method)}` : typeof msg;
}
