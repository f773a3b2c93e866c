/**
 * `circuitInspector.selectModel`: pick the model from the shipped one, GPT-2-family models in the
 * user's Hugging Face cache (with revision and size), models in the extension's own cache,
 * well-known hub models (downloaded on pick, cancellable, progress in bytes) or a local folder.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatModelRef, hfCacheDirs, listCachedModels, listHfModels, parseModelSource } from '../../hub';
import { SHIPPED_MODEL_NAME } from '../../model/shippedModel';
import { canWriteWorkspaceModel, defaultModelSettingTarget, getSettings, setModelSetting } from '../../platform/settings';
import type { ModelSettingTarget } from '../../platform/settingsKeys';
import { cacheRoot, download, findLocalModel, formatBytes, ModelResolveCancelled } from '../../platform/modelResolver';
import { errorMessage } from '../../shared/errors';

export const SELECT_MODEL = 'circuitInspector.selectModel';

export const WELL_KNOWN_MODELS: readonly { id: string; note: string }[] = [
  { id: 'openai-community/gpt2', note: 'GPT-2 small, 124M, 12 layers × 12 heads' },
  { id: 'distilgpt2', note: 'DistilGPT-2, 82M, 6 layers' },
  { id: 'gpt2-medium', note: 'GPT-2 medium, 355M, 24 layers × 16 heads' },
  { id: 'apollo-research/gpt2_noLN', note: 'GPT-2 small fine-tuned without LayerNorm' },
];

interface Item extends vscode.QuickPickItem {
  readonly value?: string;
  readonly action?: 'browse' | 'download';
}

export function registerSelectModel(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(SELECT_MODEL, async (value?: unknown, target?: unknown): Promise<string | undefined> => {
    // Automation (tests, keybindings with args): a model value skips the QuickPicks; an optional
    // second argument 'user' | 'workspace' says where it goes (default: defaultModelSettingTarget).
    if (typeof value === 'string') return useModel(context, log, value.trim(), target === 'user' || target === 'workspace' ? target : undefined);
    const current = getSettings().model;
    const mark = (v: string) => (v === current ? '$(check) ' : '');
    const items: Item[] = [{ label: `${mark('')}$(package) ${SHIPPED_MODEL_NAME}`, description: 'shipped with the extension', value: '' }];
    const cachedIds = new Set<string>();
    const inHf = await listHfModels(hfCacheDirs());
    if (inHf.length) items.push({ label: 'Hugging Face cache', kind: vscode.QuickPickItemKind.Separator });
    for (const m of inHf) {
      const revision = m.revisions.includes('main') ? 'main' : (m.revisions[0] ?? m.commit);
      const v = formatModelRef({ repoId: m.repoId, name: m.repoId, revision });
      if (items.some((i) => i.value === v)) continue;
      cachedIds.add(m.repoId);
      items.push({
        label: `${mark(v)}$(database) ${v}`,
        description: `${formatBytes(m.totalBytes)} · ${m.revisions.length ? m.revisions.join(', ') : 'no branch'}`,
        detail: `commit ${m.commit.slice(0, 10)} in ${m.cacheDir}`,
        value: v,
      });
    }
    const cached = await listCachedModels(cacheRoot(context));
    if (cached.length) items.push({ label: 'Downloaded', kind: vscode.QuickPickItemKind.Separator });
    for (const m of cached) {
      const v = formatModelRef({ repoId: m.repoId, name: m.repoId, revision: m.revisions[0] ?? m.revision });
      cachedIds.add(m.repoId);
      items.push({
        label: `${mark(v)}$(database) ${v}`,
        description: formatBytes(m.totalBytes),
        detail: m.commit ? `commit ${m.commit.slice(0, 10)}` : undefined,
        value: v,
      });
    }
    const remote = WELL_KNOWN_MODELS.filter((m) => !cachedIds.has(m.id));
    if (remote.length) items.push({ label: 'Hugging Face hub', kind: vscode.QuickPickItemKind.Separator });
    for (const m of remote) items.push({ label: `${mark(m.id)}$(cloud-download) ${m.id}`, description: m.note, value: m.id, action: 'download' });
    items.push({ label: 'Local folder', kind: vscode.QuickPickItemKind.Separator });
    if (current && !items.some((i) => i.value === current)) {
      items.push({
        label: `$(check) $(folder) ${path.basename(current.replace(/[\\/]+$/, '')) || current}`,
        description: 'current',
        detail: current,
        value: current,
      });
    }
    items.push({
      label: '$(folder-opened) Browse folder…',
      description: 'a Hugging Face GPT-2 folder (config.json, model.safetensors, vocab.json, merges.txt)',
      action: 'browse',
    });

    const pick = await vscode.window.showQuickPick(items, {
      title: 'Circuit Inspector: Select Model',
      placeHolder: `Current: ${current || SHIPPED_MODEL_NAME}`,
      matchOnDescription: true,
    });
    if (!pick) return undefined;
    let chosen = pick.value;
    if (pick.action === 'browse') {
      const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this model' });
      if (!uris?.length) return undefined;
      chosen = uris[0].fsPath;
    }
    if (chosen === undefined) return undefined;
    const where = await askTarget();
    return where ? useModel(context, log, chosen, where) : undefined;
  });
}

interface TargetItem extends vscode.QuickPickItem {
  readonly target: ModelSettingTarget;
}

/** Where the setting goes: user settings by default; "this workspace only" where a trusted folder is open. */
async function askTarget(): Promise<ModelSettingTarget | undefined> {
  if (!canWriteWorkspaceModel()) return 'user';
  const fallback = defaultModelSettingTarget();
  const workspaceSets = fallback === 'workspace';
  const items: TargetItem[] = [
    {
      label: '$(account) For all workspaces',
      description: 'user settings',
      detail: workspaceSets ? "Also removes this workspace's own circuitInspector.model, which would override it." : undefined,
      target: 'user',
    },
    { label: '$(folder) This workspace only', description: ".vscode/settings.json (a file in the workspace's folder)", target: 'workspace' },
  ];
  if (workspaceSets) items.reverse();
  const pick = await vscode.window.showQuickPick(items, { title: 'Circuit Inspector: Select Model — where to save it', placeHolder: 'Use this model' });
  return pick?.target;
}

/** Checks (and downloads, for a hub id not cached yet) a model value, then writes the setting. */
async function useModel(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  value: string,
  target?: ModelSettingTarget,
): Promise<string | undefined> {
  if (value !== '') {
    let source;
    try {
      source = parseModelSource(value);
    } catch (e) {
      void vscode.window.showErrorMessage(`Circuit Inspector: ${errorMessage(e)}`);
      return undefined;
    }
    if (source.kind === 'local') {
      if (!existsSync(path.join(source.path, 'config.json'))) {
        void vscode.window.showErrorMessage(`Circuit Inspector: ${source.path} has no config.json; pick a Hugging Face GPT-2 folder.`);
        return undefined;
      }
    } else if (!(await findLocalModel(context, source.ref, log))) {
      try {
        await download(context, source.ref, getSettings(), log);
      } catch (e) {
        if (e instanceof ModelResolveCancelled) {
          void vscode.window.showInformationMessage(`Circuit Inspector: download of ${value} cancelled; the partial file is kept and resumes next time.`);
          return undefined;
        }
        const open = 'Open Output';
        log.error(errorMessage(e));
        void vscode.window.showErrorMessage(`Circuit Inspector: ${errorMessage(e)}`, open).then((c) => c === open && log.show(true));
        return undefined;
      }
    }
  }
  const where = target ?? defaultModelSettingTarget();
  await setModelSetting(value, where);
  log.info(`model set to ${value || SHIPPED_MODEL_NAME} in ${where === 'user' ? 'user settings' : 'workspace settings'}`);
  return value;
}
