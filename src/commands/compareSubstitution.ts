/**
 * `circuitInspector.compareSubstitution`: compare the selected prompt with a copy whose token at
 * the cursor (or a picked token) is substituted, by activation patching in both directions.
 * Automation may pass CompareOptions (anything given is not asked for); the command returns the
 * outcome. Two internal commands serve the extension-host tests: the panel's state, and cancel.
 */
import * as vscode from 'vscode';
import type { CompareOptions, CompareOutcome, PatchingSession } from '../host/patchingSession';

export const COMPARE_SUBSTITUTION = 'circuitInspector.compareSubstitution';
export const COMPARE_SUBSTITUTION_STATE = 'circuitInspector.compareSubstitution.state';
export const COMPARE_SUBSTITUTION_CANCEL = 'circuitInspector.compareSubstitution.cancel';

export function registerCompareSubstitution(session: PatchingSession): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION, (arg?: unknown): Promise<CompareOutcome> => {
      // From the editor context menu VS Code passes the document URI; automation may pass options.
      const options: CompareOptions = isOptions(arg) ? arg : {};
      return session.compare(vscode.window.activeTextEditor, options);
    }),
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION_STATE, () => session.state()),
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION_CANCEL, () => session.cancelRun()),
  );
}

function isOptions(v: unknown): v is CompareOptions {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v);
}
