/** Typed access to the `circuitInspector.*` settings (keys and defaults live in settingsKeys.ts). */
import * as vscode from 'vscode';
import { defaultModelTarget, fullKey, readSettings, SECTION, type ModelSettingTarget, type SettingKey, type Settings } from './settingsKeys';
import { effectiveModelSetting, ignoredModelMessage } from './workspaceTrust';

/** Ignored workspace values already reported (once per value and session). */
const reportedIgnored = new Set<string>();

export function getSettings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  // In an untrusted workspace a workspace-level circuitInspector.model is ignored (workspaceTrust.ts).
  const model = effectiveModelSetting(cfg.inspect('model') ?? {}, vscode.workspace.isTrusted);
  // The SAE setting names local files and downloads too: the same rule.
  const sae = effectiveModelSetting(cfg.inspect('sae') ?? {}, vscode.workspace.isTrusted);
  const settings = readSettings((key) => (key === 'model' ? model.value : key === 'sae' ? sae.value : cfg.get(key)));
  if (model.ignored) reportIgnoredModel(ignoredModelMessage(model.ignored, settings.model || 'the shipped model'));
  if (sae.ignored)
    reportIgnoredModel(ignoredModelMessage(sae.ignored, settings.sae || 'the shipped SAE').replace('circuitInspector.model', 'circuitInspector.sae'));
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

/** Whether Select Model may offer "this workspace only" (a folder is open and trusted). */
export function canWriteWorkspaceModel(): boolean {
  return !!vscode.workspace.workspaceFolders?.length && vscode.workspace.isTrusted;
}

/** Where `circuitInspector.model` goes when the user is not asked (settingsKeys.ts `defaultModelTarget`). */
export function defaultModelSettingTarget(): ModelSettingTarget {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect('model');
  return defaultModelTarget({
    folderOpen: !!vscode.workspace.workspaceFolders?.length,
    trusted: vscode.workspace.isTrusted,
    workspaceValue: inspected?.workspaceValue,
  });
}

/**
 * Writes `circuitInspector.model` to user settings (default) or this workspace. Writing the user
 * value also clears this workspace's own value, which would otherwise shadow it.
 */
export async function setModelSetting(value: string, target: ModelSettingTarget = defaultModelSettingTarget()): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  if (target === 'workspace' && canWriteWorkspaceModel()) {
    await cfg.update('model', value, vscode.ConfigurationTarget.Workspace);
    return;
  }
  await cfg.update('model', value, vscode.ConfigurationTarget.Global);
  if (canWriteWorkspaceModel() && cfg.inspect('model')?.workspaceValue !== undefined)
    await cfg.update('model', undefined, vscode.ConfigurationTarget.Workspace);
}
