import * as vscode from 'vscode';
import type { InspectionSession } from '../session';

export const EXPORT_ACTIVATIONS = 'circuitInspector.exportActivations';

/** Exports the inspection on screen for Python (a Save dialog; automation may pass an absolute path). */
export function registerExportActivations(session: InspectionSession): vscode.Disposable {
  return vscode.commands.registerCommand(EXPORT_ACTIVATIONS, (target?: unknown) => session.exportActivations(target));
}
