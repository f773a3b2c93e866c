/** Inspect Residual Stream: the commands, the session, the hover line, the per-source decorations and the panel. */
import * as vscode from 'vscode';
import { defineFeature } from '../../platform/feature';
import { registerResidualCommands } from './commands';
import { ResidualHoverProvider } from './hover';
import { ResidualSession } from './session';
import type { ResidualEngineMethods } from './shared/engineMethods';
import type { ResidualWebviewToHost } from './shared/protocol';

/** What the extension-host tests read of Inspect Residual Stream. */
export interface ResidualApi {
  readonly inspection: ResidualSession['inspection'];
  readonly documentNorms: ResidualSession['documentNorms'];
  readonly shown: ResidualSession['shown'];
  readonly runState: ResidualSession['runStateShown'];
  readonly staleReason: string | undefined;
  readonly running: boolean;
  readonly decorations: ResidualSession['decorations']['current'];
  readonly headPlan: ResidualSession['headPlan'];
  /** A record was put on screen (a run's partial one without the lens first, then its whole one). */
  readonly onDidShowRecord: ResidualSession['onDidShowRecord'];
  /** Feeds a message as if the webview had sent it (answers, head selection, exports). */
  simulate(msg: ResidualWebviewToHost): void;
  /** setAnswer/setVariant/setPosition, awaited: true when a new record is shown. */
  change: ResidualSession['change'];
  export: ResidualSession['export'];
  /** The hover line at a document offset. */
  hoverAt: ResidualSession['hoverAt'];
  closePanel(): void;
}

export const residualFeature = defineFeature('residual', (ctx): ResidualApi => {
  const session = new ResidualSession(ctx.extension, ctx.log, ctx.engine.methods<ResidualEngineMethods>());
  ctx.extension.subscriptions.push(
    session,
    ...registerResidualCommands(session),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }], new ResidualHoverProvider(session)),
  );
  return {
    get inspection() {
      return session.inspection;
    },
    get documentNorms() {
      return session.documentNorms;
    },
    get shown() {
      return session.shown;
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
    get headPlan() {
      return session.headPlan;
    },
    onDidShowRecord: session.onDidShowRecord,
    simulate: (m) => session.onMessage(m),
    change: (m) => session.change(m),
    export: (f, t) => session.export(f, t),
    hoverAt: (uri, offset) => session.hoverAt(uri, offset),
    closePanel: () => session.closePanel(),
  };
});
