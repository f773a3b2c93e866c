/**
 * From the `circuitInspector.model` setting to a model folder: "" is the shipped model, a path is
 * used as is (relative paths against the first workspace folder), a hub id is looked up in the
 * user's Hugging Face cache (shared with transformers and TransformerLens; checked against its blob
 * names) and in the extension's own cache under globalStorage, and otherwise downloaded (after
 * asking) into the place `circuitInspector.downloadTo` names, with a cancellable progress
 * notification in bytes.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VerifiedBlobs, downloadModel, formatModelRef, hfCacheDirs, isAbortError, locateModel, parseModelSource, type ModelRef } from '../hub';
import { shippedModelDir, SHIPPED_MODEL_NAME } from '../model/shippedModel';
import type { ModelSpec } from '../shared/modelSpec';
import { modelSpecFor, type Settings } from './settingsKeys';
import { hfToken } from './secrets';
import { downloadRefusal } from './workspaceTrust';
import { errorMessage } from '../shared/errors';

export interface ResolvedModel {
  readonly dir: string;
  readonly displayName: string;
}

export class ModelResolveError extends Error {}

/** Cancelled by the user (download declined or cancelled): no error popup. */
export class ModelResolveCancelled extends Error {}

export function cacheRoot(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'hub');
}

export function describeModelSetting(value: string): string {
  if (!value) return SHIPPED_MODEL_NAME;
  try {
    const src = parseModelSource(value);
    return src.kind === 'hub' ? formatModelRef(src.ref) : path.basename(src.path.replace(/[\\/]+$/, '')) || src.path;
  } catch {
    return value;
  }
}

export async function resolveModel(context: vscode.ExtensionContext, settings: Settings, log: vscode.LogOutputChannel): Promise<ResolvedModel> {
  const value = settings.model;
  if (!value) {
    let dir: string;
    try {
      dir = shippedModelDir();
    } catch {
      throw new ModelResolveError(
        `The shipped model ${SHIPPED_MODEL_NAME} is missing from this installation. Pick another one with "Circuit Inspector: Select Model".`,
      );
    }
    if (!existsSync(path.join(dir, 'config.json'))) {
      throw new ModelResolveError(`The shipped model folder ${dir} has no config.json. Pick another model with "Circuit Inspector: Select Model".`);
    }
    return { dir, displayName: path.basename(dir) };
  }
  let src;
  try {
    src = parseModelSource(value);
  } catch (e) {
    throw new ModelResolveError(`circuitInspector.model: ${errorMessage(e)}`);
  }
  if (src.kind === 'local') {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const dir = path.resolve(base, src.path);
    if (!existsSync(path.join(dir, 'config.json'))) {
      throw new ModelResolveError(`circuitInspector.model: ${dir} has no config.json (a Hugging Face GPT-2 folder is expected).`);
    }
    return { dir, displayName: path.basename(dir) };
  }
  const cached = await findLocalModel(context, src.ref, log);
  if (cached) return { dir: cached, displayName: formatModelRef(src.ref) };
  const refused = downloadRefusal(vscode.workspace.isTrusted, formatModelRef(src.ref));
  if (refused) throw new ModelResolveError(refused);
  const choice = await vscode.window.showInformationMessage(`The model ${formatModelRef(src.ref)} is not downloaded yet.`, { modal: false }, 'Download');
  if (choice !== 'Download') throw new ModelResolveCancelled('download declined');
  return download(context, src.ref, settings, log);
}

function verifiedBlobs(context: vscode.ExtensionContext): VerifiedBlobs {
  return new VerifiedBlobs(path.join(cacheRoot(context), 'verified-blobs.json'));
}

/**
 * The folder of a hub model already on this machine: the Hugging Face cache first (read-only,
 * checked once against the blob names), then the extension's own cache. Why a snapshot there was
 * not usable goes to the log.
 */
export async function findLocalModel(context: vscode.ExtensionContext, ref: ModelRef, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const located = await locateModel(ref, { hfCacheDirs: hfCacheDirs(), cacheRoot: cacheRoot(context), verified: verifiedBlobs(context) });
  for (const p of located.problems) log.warn(p);
  if (located.found)
    log.info(
      `${formatModelRef(ref)}: using ${located.found.folder}${located.found.unchecked.length ? ` (not checkable: ${located.found.unchecked.join(', ')})` : ''}`,
    );
  return located.found?.folder;
}

export async function download(context: vscode.ExtensionContext, ref: ModelRef, settings: Settings, log: vscode.LogOutputChannel): Promise<ResolvedModel> {
  const name = formatModelRef(ref);
  const refused = downloadRefusal(vscode.workspace.isTrusted, name);
  if (refused) throw new ModelResolveError(refused);
  const hfCache = settings.downloadTo === 'huggingFaceCache' ? hfCacheDirs()[0] : undefined;
  log.info(`downloading ${name} into ${hfCache ?? cacheRoot(context)} (endpoint: ${process.env.HF_ENDPOINT || 'default'})`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        const result = await downloadModel(ref, {
          cacheRoot: cacheRoot(context),
          hfCache,
          verifiedBlobs: verifiedBlobs(context),
          token: await hfToken(context),
          signal: abort.signal,
          onProgress: (p) => {
            const total = p.overallTotal;
            const pctNow = total ? (100 * p.overallReceived) / total : undefined;
            const increment = pctNow !== undefined ? Math.max(0, pctNow - reported) : undefined;
            if (pctNow !== undefined) reported = pctNow;
            progress.report({
              message: `${p.file} · ${formatBytes(p.overallReceived)}${total ? ` of ${formatBytes(total)}` : ''}`,
              increment,
            });
          },
        });
        log.info(`${name}: ${result.fromCache ? 'already cached' : 'downloaded'} at ${result.folder}`);
        return { dir: result.folder, displayName: name };
      } catch (e) {
        if (isAbortError(e) || token.isCancellationRequested) throw new ModelResolveCancelled('download cancelled');
        throw new ModelResolveError(`Downloading ${name} failed: ${errorMessage(e)}`);
      } finally {
        sub.dispose();
      }
    },
  );
}

/** The spec the engine runs: the resolved model folder, with the settings that shape the run. */
export async function resolveModelSpec(context: vscode.ExtensionContext, settings: Settings, log: vscode.LogOutputChannel): Promise<ModelSpec> {
  return modelSpecFor(await resolveModel(context, settings, log), settings);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
