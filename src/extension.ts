/** Circuit Inspector's entry point: wiring only; every registration goes into context.subscriptions. */
import * as vscode from 'vscode';
import { registerClearDecorations } from './features/attention/commands/clearDecorations';
import { registerCompareSubstitution } from './features/substitution/commands';
import { registerFocusToken } from './features/attention/commands/focusToken';
import { registerInspectAttention } from './features/attention/commands/inspectAttention';
import { registerSelectModel } from './features/model/selectModel';
import { createEngineClient } from './platform/engineConnection';
import { PatchingSession } from './features/substitution/session';
import type { FocusChangedParams, HeadPatternParams, HeadPatternRequestParams } from './features/attention/shared/protocol';
import { AttentionPanel } from './features/attention/panel';
import { AttentionHoverProvider } from './features/attention/hover';
import { InspectionSession } from './features/attention/session';

/** What activate() returns: a read-only view used by the extension-host tests. */
export interface CircuitInspectorApi {
  readonly session: {
    readonly inspection: InspectionSession['inspection'];
    readonly staleReason: string | undefined;
    readonly running: boolean;
    readonly decorations: InspectionSession['decorations']['current'];
  };
  /** Feeds a focus report as if the webview had sent it (tests). */
  simulateFocus(params: FocusChangedParams): boolean;
  /** What the webview's `requestHeadPattern` gets (tests). */
  headPattern(params: HeadPatternRequestParams): Promise<HeadPatternParams>;
  /** Closes the attention panel as the user would (tests). */
  closePanel(): void;
}

export function activate(context: vscode.ExtensionContext): CircuitInspectorApi {
  const log = vscode.window.createOutputChannel('Circuit Inspector', { log: true });
  context.subscriptions.push(log);
  // One engine worker, one copy of the model in memory, for both commands.
  const engine = createEngineClient(context.extensionUri.fsPath, log);
  context.subscriptions.push({ dispose: () => void engine.dispose() });
  const session = new InspectionSession(context, log, engine);
  context.subscriptions.push(
    session,
    registerInspectAttention(session),
    registerSelectModel(context, log),
    registerClearDecorations(session),
    registerFocusToken(session),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }], new AttentionHoverProvider(session)),
  );
  const patching = new PatchingSession(context, log, engine);
  context.subscriptions.push(patching, registerCompareSubstitution(patching));
  log.info(`activated (extension host ${process.version}, ${process.platform}-${process.arch})`);
  return {
    session: {
      get inspection() {
        return session.inspection;
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
    },
    simulateFocus: (p) => session.focusChanged(p),
    headPattern: (p) => session.headPattern(p),
    closePanel: () => AttentionPanel.instance?.dispose(),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
