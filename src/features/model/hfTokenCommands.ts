/**
 * `circuitInspector.setHfToken` (a password input box) and `circuitInspector.clearHfToken`: the
 * Hugging Face token in VS Code's secret storage. At activation the old `circuitInspector.hfToken`
 * setting is moved there once and removed from every scope, and the user is told.
 */
import * as vscode from 'vscode';
import { describeMigration } from '../../platform/hfToken';
import { hfTokenStore } from '../../platform/secrets';
import { errorMessage } from '../../shared/errors';

export const SET_HF_TOKEN = 'circuitInspector.setHfToken';
export const CLEAR_HF_TOKEN = 'circuitInspector.clearHfToken';

export function registerHfTokenCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const store = hfTokenStore(context);
  return vscode.Disposable.from(
    // Automation may pass the token; people type it into a password box.
    vscode.commands.registerCommand(SET_HF_TOKEN, async (value?: unknown): Promise<boolean> => {
      const token =
        typeof value === 'string'
          ? value
          : await vscode.window.showInputBox({
              title: 'Circuit Inspector: Set Hugging Face Token',
              prompt: "A Hugging Face access token (huggingface.co/settings/tokens), for gated or private models. It is kept in VS Code's secret storage.",
              placeHolder: 'hf_…',
              password: true,
              ignoreFocusOut: true,
              validateInput: (v) => (v.trim() === '' ? 'Paste a token, or press Escape.' : /\s/.test(v.trim()) ? 'The token contains whitespace.' : undefined),
            });
      if (token === undefined) return false;
      try {
        await store.set(token);
      } catch (e) {
        void vscode.window.showErrorMessage(`Circuit Inspector: ${errorMessage(e)}.`);
        return false;
      }
      log.info('Hugging Face token stored in secret storage');
      void vscode.window.showInformationMessage("Circuit Inspector: Hugging Face token saved in VS Code's secret storage.");
      return true;
    }),
    vscode.commands.registerCommand(CLEAR_HF_TOKEN, async (): Promise<boolean> => {
      const had = await store.clear();
      log.info(had ? 'Hugging Face token cleared' : 'Clear Hugging Face Token: none was stored');
      const env = process.env.HF_TOKEN?.trim() ? ' HF_TOKEN from the environment still applies.' : '';
      void vscode.window.showInformationMessage(
        `Circuit Inspector: ${had ? 'Hugging Face token removed from secret storage.' : 'no Hugging Face token was stored.'}${env}`,
      );
      return had;
    }),
  );
}

/** Moves an old `circuitInspector.hfToken` setting into secret storage (see src/platform/hfToken.ts). */
export async function migrateHfTokenSetting(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const result = await hfTokenStore(context).migrate();
    if (!result) return;
    const message = describeMigration(result);
    log.info(`hfToken setting migration: moved=${result.moved}, removed from ${result.removedFrom.length} scope(s), failed in ${result.failed.length}`);
    if (message) void (result.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`Circuit Inspector: ${message}`);
  } catch (e) {
    log.error(`moving the setting circuitInspector.hfToken into secret storage failed: ${errorMessage(e)}`);
  }
}
