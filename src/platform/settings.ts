/** Typed access to the `circuitInspector.*` settings (keys and defaults live in settingsKeys.ts). */
import * as vscode from 'vscode';
import { fullKey, readSettings, SECTION, type SettingKey, type Settings } from './settingsKeys';
import { effectiveModelSetting, ignoredModelMessage } from './workspaceTrust';

/** Ignored workspace values already reported (once per value and session). */
const reportedIgnored = new Set<string>();

export function getSettings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  // In an untrusted workspace a workspace-level circuitInspector.model is ignored (workspaceTrust.ts).
  const model = effectiveModelSetting(cfg.inspect('model') ?? {}, vscode.workspace.isTrusted);
  const settings = readSettings((key) => (key === 'model' ? model.value : cfg.get(key)));
  if (model.ignored) reportIgnoredModel(ignoredModelMessage(model.ignored, settings.model || 'the shipped model'));
  return settings;
}

function reportIgnoredModel(message: string): void {
  if (reportedIgnored.has(message)) return;
  reportedIgnored.add(message);
  void vscode.window.showWarningMessage(`Circuit Inspector: ${message}`);
}

export function affects(e: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
  return e.affectsConfiguration(fullKey(key));
}

/** Writes `circuitInspector.model` where the user most likely wants it (workspace if one is open and trusted). */
export async function setModelSetting(value: string): Promise<void> {
  const target =
    vscode.workspace.workspaceFolders?.length && vscode.workspace.isTrusted ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('model', value, target);
}
