/** Inspect Attention: the command, its session, the editor hover and decorations, and the panel. */
import * as vscode from 'vscode';
import { defineFeature } from '../../platform/feature';
import { registerClearDecorations } from './commands/clearDecorations';
import { registerExportActivations } from './commands/exportActivations';
import { registerFocusToken } from './commands/focusToken';
import { registerInspectAttention } from './commands/inspectAttention';
import { AttentionHoverProvider } from './hover';
import { AttentionPanel } from './panel';
import { InspectionSession } from './session';
import type { AttentionEngineMethods } from './shared/engineMethods';
import type { FocusChangedParams, HeadPatternParams, HeadPatternRequestParams } from './shared/protocol';

/** What the extension-host tests read of Inspect Attention. */
export interface AttentionApi {
  readonly inspection: InspectionSession['inspection'];
  readonly staleReason: string | undefined;
  readonly running: boolean;
  /** The run state the panel shows (what the user reads in its header). */
  readonly runState: InspectionSession['runStateShown'];
  readonly decorations: InspectionSession['decorations']['current'];
  /** Feeds a focus report as if the webview had sent it. */
  simulateFocus(params: FocusChangedParams): boolean;
  /** What the webview's `requestHeadPattern` gets. */
  headPattern(params: HeadPatternRequestParams): Promise<HeadPatternParams>;
  /** What the panel's Residual Stream button does: Inspect Residual Stream on this prompt. */
  openResidualStream(): Thenable<unknown> | undefined;
  /** Closes the attention panel as the user would. */
  closePanel(): void;
}

export const attentionFeature = defineFeature('attention', (ctx): AttentionApi => {
  const session = new InspectionSession(ctx.extension, ctx.log, ctx.engine.methods<AttentionEngineMethods>());
  ctx.extension.subscriptions.push(
    session,
    registerInspectAttention(session),
    registerClearDecorations(session),
    registerFocusToken(session),
    registerExportActivations(session),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }], new AttentionHoverProvider(session)),
  );
  return {
    get inspection() {
      return session.inspection;
    },
    get staleReason() {
      return session.staleReason;
    },
    get running() {
      return session.running;
    },
    get runState() {
      return session.runStateShown;
    },
    get decorations() {
      return session.decorations.current;
    },
    simulateFocus: (p) => session.focusChanged(p),
    headPattern: (p) => session.headPattern(p),
    openResidualStream: () => session.openResidualStream(),
    closePanel: () => AttentionPanel.instance?.dispose(),
  };
});
