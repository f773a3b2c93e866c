/** `circuitInspector.focusToken` (internal, used by the hover link): focus a token in the panel. */
import * as vscode from 'vscode';
import { FOCUS_TOKEN_COMMAND } from '../hover';
import type { InspectionSession } from '../session';

export function registerFocusToken(session: InspectionSession): vscode.Disposable {
  return vscode.commands.registerCommand(FOCUS_TOKEN_COMMAND, (arg?: unknown) => {
    if (typeof arg !== 'object' || arg === null || !('tokenIndex' in arg) || typeof arg.tokenIndex !== 'number') return;
    const layer = 'layer' in arg && typeof arg.layer === 'number' ? arg.layer : undefined;
    const head = 'head' in arg && typeof arg.head === 'number' ? arg.head : undefined;
    session.focusToken({ tokenIndex: arg.tokenIndex, layer, head });
  });
}
