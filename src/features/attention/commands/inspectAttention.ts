/** `circuitInspector.inspectAttention`: inspect the selection (or the current line). */
import * as vscode from 'vscode';
import type { InspectOptions, InspectionSession, InspectOutcome } from '../session';

export const INSPECT_ATTENTION = 'circuitInspector.inspectAttention';

export function registerInspectAttention(session: InspectionSession): vscode.Disposable {
  return vscode.commands.registerCommand(INSPECT_ATTENTION, (arg?: unknown): Promise<InspectOutcome> => {
    // From the editor context menu VS Code passes the document URI; automation may pass options.
    const options: InspectOptions = isOptions(arg) ? arg : {};
    return session.inspect(vscode.window.activeTextEditor, options);
  });
}

function isOptions(v: unknown): v is InspectOptions {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && 'onTooLong' in v && (v.onTooLong === 'truncate' || v.onTooLong === 'cancel');
}
