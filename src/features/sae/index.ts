/** Inspect Features: SAE features of a selection, a feature's card, ablated text, workspace examples, editor paint. */
import * as vscode from 'vscode';
import { defineFeature } from '../../platform/feature';
import { registerSaeCommands } from './commands';
import { SaeHoverProvider } from './hover';
import { SaeSession } from './session';
import type { SaeEngineMethods } from './shared/engineMethods';
import type { SaeWebviewToHost } from './shared/protocol';

/** What the extension-host tests read of Inspect Features. */
export interface SaeApi {
  readonly inspection: SaeSession['inspection'];
  readonly runState: SaeSession['runStateShown'];
  readonly staleReason: string | undefined;
  readonly running: boolean;
  readonly decorations: SaeSession['decorations']['current'];
  /** Feeds a message as if the webview had sent it. */
  simulate(msg: SaeWebviewToHost): void;
  selectFeature: SaeSession['selectFeature'];
  selectToken: SaeSession['selectToken'];
  runAblation: SaeSession['runAblation'];
  scan: SaeSession['scan'];
  openExample: SaeSession['openExample'];
  export: SaeSession['export'];
  closePanel(): void;
}

export const saeFeature = defineFeature('sae', (ctx): SaeApi => {
  const session = new SaeSession(ctx.extension, ctx.log, ctx.engine.methods<SaeEngineMethods>());
  ctx.extension.subscriptions.push(
    session,
    ...registerSaeCommands(session),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }], new SaeHoverProvider(session)),
  );
  return {
    get inspection() {
      return session.inspection;
    },
    get runState() {
      return session.runStateShown;
    },
    get staleReason() {
      return session.staleReason;
    },
    get running() {
      return session.running;
    },
    get decorations() {
      return session.decorations.current;
    },
    simulate: (m) => session.onMessage(m),
    selectFeature: (f) => session.selectFeature(f),
    selectToken: (p) => session.selectToken(p),
    runAblation: (f, p) => session.runAblation(f, p),
    scan: (f, s, folder) => session.scan(f, s, folder),
    openExample: (id) => session.openExample(id),
    export: (f, t, png) => session.export(f, t, png),
    closePanel: () => session.closePanel(),
  };
});
