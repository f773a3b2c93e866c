/**
 * VS Code glue of the Hugging Face token store (src/platform/hfToken.ts): SecretStorage, the old
 * `circuitInspector.hfToken` setting in each scope, and `hfToken(context)` for whoever downloads.
 */
import * as vscode from 'vscode';
import { HfTokenStore, LEGACY_HF_TOKEN_SETTING, type LegacySetting, type LegacyValue, type SettingScope } from './hfToken';

const [SECTION, KEY] = LEGACY_HF_TOKEN_SETTING.split('.') as [string, string];

export function hfTokenStore(context: vscode.ExtensionContext): HfTokenStore {
  return new HfTokenStore(context.secrets, vscodeLegacySetting());
}

/** The stored Hugging Face token, or undefined (downloads then use `HF_TOKEN`, if set). */
export function hfToken(context: vscode.ExtensionContext): Promise<string | undefined> {
  return hfTokenStore(context).get();
}

function vscodeLegacySetting(): LegacySetting {
  const folders = vscode.workspace.workspaceFolders ?? [];
  // A single-folder workspace has one settings file for both the workspace and its folder.
  const multiRoot = vscode.workspace.workspaceFile !== undefined;
  return {
    read: () => {
      const all = vscode.workspace.getConfiguration(SECTION).inspect(KEY);
      const out: LegacyValue[] = [
        { scope: { kind: 'global' }, value: all?.globalValue },
        { scope: { kind: 'workspace' }, value: all?.workspaceValue },
      ];
      if (multiRoot) {
        for (const f of folders) {
          out.push({
            scope: { kind: 'workspaceFolder', folder: f.uri.toString() },
            value: vscode.workspace.getConfiguration(SECTION, f.uri).inspect(KEY)?.workspaceFolderValue,
          });
        }
      }
      return out;
    },
    remove: async (scope: SettingScope) => {
      if (scope.kind === 'workspaceFolder') {
        await vscode.workspace.getConfiguration(SECTION, vscode.Uri.parse(scope.folder)).update(KEY, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      } else {
        const target = scope.kind === 'global' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
        await vscode.workspace.getConfiguration(SECTION).update(KEY, undefined, target);
      }
    },
  };
}
