/**
 * From the `circuitInspector.sae` setting to an SAE folder, for every feature that reads SAE
 * features: "" is the SAE shipped with the shipped model (none for another model), a path is used
 * as is (relative paths against the first workspace folder), and `hf:owner/repo:subfolder` is
 * downloaded through the hub client (cache, resume, checksums) after asking, with a cancellable
 * progress notification. Nothing is downloaded in an untrusted workspace.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isAbortError, type DownloadProgress } from '../hub';
import { downloadSae } from '../hub/saeDownload';
import { SHIPPED_MODEL_NAME } from '../model/shippedModel';
import { parseSaeSource, shippedSaeFolder, type SaeSource } from '../model/sae';
import { errorMessage } from '../shared/errors';
import type { ModelSpec } from '../shared/modelSpec';
import { cacheRoot, formatBytes } from './modelResolver';
import { hfToken } from './secrets';
import type { Settings } from './settingsKeys';
import { downloadRefusal } from './workspaceTrust';

export interface ResolvedSae {
  readonly folder: string;
  /** The setting's value it came from ('' = shipped). */
  readonly source: string;
}

export class SaeResolveError extends Error {}

/** Cancelled by the user (download declined or cancelled): no error popup. */
export class SaeResolveCancelled extends Error {}

/** Why no SAE applies: the setting is empty and the model is not the shipped one. */
export function noSaeMessage(model: ModelSpec): string {
  return `No SAE is set for ${model.displayName}: the shipped SAE belongs to ${SHIPPED_MODEL_NAME}. Run "Circuit Inspector: Select SAE" to choose a folder or a Hugging Face repo.`;
}

/** The SAE folder for `model`, or undefined when none applies (the empty setting with another model). */
export async function resolveSae(
  context: vscode.ExtensionContext,
  settings: Settings,
  model: ModelSpec,
  log: vscode.LogOutputChannel,
): Promise<ResolvedSae | undefined> {
  let src: SaeSource;
  try {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    src = parseSaeSource(settings.sae, base);
  } catch (e) {
    throw new SaeResolveError(`circuitInspector.sae: ${errorMessage(e)}`);
  }
  if (src.kind === 'shipped') {
    if (settings.model !== '') return undefined;
    const folder = shippedSaeFolder();
    if (!existsSync(path.join(folder, 'cfg.json')))
      throw new SaeResolveError(`The SAE shipped with ${SHIPPED_MODEL_NAME} is missing from this installation (${folder}).`);
    return { folder, source: '' };
  }
  if (src.kind === 'folder') {
    if (!existsSync(src.folder)) throw new SaeResolveError(`circuitInspector.sae: the folder ${src.folder} does not exist.`);
    return { folder: src.folder, source: settings.sae };
  }
  const name = `${src.repo}${src.revision ? `@${src.revision}` : ''}:${src.subfolder}`;
  const refused = downloadRefusal(vscode.workspace.isTrusted, name);
  if (refused) throw new SaeResolveError(refused);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SAE ${name}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const folder = await downloadSae(src.repo, src.subfolder, {
        cacheRoot: cacheRoot(context),
        revision: src.revision,
        token: await hfToken(context),
        signal: abort.signal,
        onProgress: (p: DownloadProgress) =>
          progress.report({ message: `${p.file} · ${formatBytes(p.overallReceived)}${p.overallTotal ? ` of ${formatBytes(p.overallTotal)}` : ''}` }),
      });
      log.info(`SAE ${name}: at ${folder}`);
      return { folder, source: settings.sae };
    } catch (e) {
      if (isAbortError(e) || token.isCancellationRequested) throw new SaeResolveCancelled('download cancelled');
      throw new SaeResolveError(`Downloading the SAE ${name} failed: ${errorMessage(e)}`);
    } finally {
      sub.dispose();
    }
  });
}
