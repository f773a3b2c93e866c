/** Typed access to the `circuitInspector.*` settings (keys and defaults live in settingsKeys.ts). */
import * as vscode from 'vscode';
import { fullKey, readSettings, SECTION, type SettingKey, type Settings } from './settingsKeys';

export function getSettings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  return readSettings((key) => cfg.get(key));
}

export function affects(e: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
  return e.affectsConfiguration(fullKey(key));
}

/** Writes `circuitInspector.model` where the user most likely wants it (workspace if one is open). */
export async function setModelSetting(value: string): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('model', value, target);
}
