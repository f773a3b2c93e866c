/**
 * `circuitInspector.compareSubstitution`: compare the selected prompt with a copy whose token at
 * the cursor (or a picked token) is substituted, by activation patching in both directions.
 * Automation may pass CompareOptions (anything given is not asked for); the command returns the
 * outcome. Internal commands (not in the palette) serve automation and the extension-host tests:
 * the panel's state, cancel, and export.
 */
import * as vscode from 'vscode';
import type { CompareOptions, CompareOutcome, SubstitutionSession } from './session';

export const COMPARE_SUBSTITUTION = 'circuitInspector.compareSubstitution';
export const COMPARE_SUBSTITUTION_STATE = 'circuitInspector.compareSubstitution.state';
export const COMPARE_SUBSTITUTION_CANCEL = 'circuitInspector.compareSubstitution.cancel';
export const COMPARE_SUBSTITUTION_EXPORT = 'circuitInspector.compareSubstitution.export';

export function registerCompareSubstitution(session: SubstitutionSession): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION, (arg?: unknown): Promise<CompareOutcome> => {
      // From the editor context menu VS Code passes the document URI; automation may pass options.
      const options: CompareOptions = isOptions(arg) ? arg : {};
      return session.compare(vscode.window.activeTextEditor, options);
    }),
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION_STATE, () => session.state()),
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION_CANCEL, () => session.cancelRun()),
    // The panel's Export buttons, for automation: 'json' | 'csv' | 'html'; resolves to the written file's path.
    vscode.commands.registerCommand(COMPARE_SUBSTITUTION_EXPORT, (format: unknown) => session.exportCurrent(format)),
  );
}

function isOptions(v: unknown): v is CompareOptions {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v);
}
