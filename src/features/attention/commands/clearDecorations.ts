/** `circuitInspector.clearDecorations`: remove the attention decorations (also Escape while they show). */
import * as vscode from 'vscode';
import type { InspectionSession } from '../session';

export const CLEAR_DECORATIONS = 'circuitInspector.clearDecorations';

export function registerClearDecorations(session: InspectionSession): vscode.Disposable {
  return vscode.commands.registerCommand(CLEAR_DECORATIONS, () => session.decorations.clear());
}
