/**
 * Inspect Features' commands: Inspect Features (the selection or the current line; `{ feature }`
 * picks a feature, as the substitution panel's feature list does), Select SAE (the shipped one, a
 * folder, or a Hugging Face repo and subfolder), and Clear Feature Decorations (Escape).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseSaeSource } from '../../model/sae';
import { SHIPPED_MODEL_NAME } from '../../model/shippedModel';
import { getSettings } from '../../platform/settings';
import { SECTION } from '../../platform/settingsKeys';
import { errorMessage } from '../../shared/errors';
import type { SaeSession } from './session';

export const INSPECT_FEATURES = 'circuitInspector.inspectFeatures';
export const SELECT_SAE = 'circuitInspector.selectSae';
export const CLEAR_FEATURE_DECORATIONS = 'circuitInspector.clearFeatureDecorations';

/** `{ feature }` from another panel (the feature to pick). */
function featureArg(arg: unknown): number | undefined {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return undefined;
  const f = (arg as Record<string, unknown>).feature;
  return Number.isSafeInteger(f) && (f as number) >= 0 ? (f as number) : undefined;
}

export function registerSaeCommands(session: SaeSession): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(INSPECT_FEATURES, async (arg?: unknown) => {
      const feature = featureArg(arg);
      // Picking a feature of the prompt on screen needs no new run.
      if (feature !== undefined && session.inspection && !session.inspection.features.stale) {
        const ok = await session.selectFeature(feature);
        if (ok) return { status: 'done', inspectionId: session.inspection.inspectionId, n_tokens: session.inspection.features.tokens.length };
      }
      return session.inspect(vscode.window.activeTextEditor, { feature });
    }),
    vscode.commands.registerCommand(SELECT_SAE, (value?: unknown) => selectSae(typeof value === 'string' ? value : undefined)),
    vscode.commands.registerCommand(CLEAR_FEATURE_DECORATIONS, () => session.decorations.clear()),
  ];
}

interface Item extends vscode.QuickPickItem {
  readonly value?: string;
  readonly action?: 'browse' | 'hub';
}

/** Writes `circuitInspector.sae` (user settings); a string argument skips the pickers (automation). */
async function selectSae(value?: string): Promise<string | undefined> {
  let chosen = value?.trim();
  if (chosen === undefined) {
    const current = getSettings().sae;
    const items: Item[] = [
      { label: `${current === '' ? '$(check) ' : ''}$(package) The SAE shipped with ${SHIPPED_MODEL_NAME}`, description: 'blocks.1.hook_resid_pre', value: '' },
      { label: '$(folder-opened) Browse folder…', description: 'SAELens format: cfg.json + sae_weights.safetensors', action: 'browse' },
      { label: '$(cloud-download) Hugging Face repo…', description: 'hf:owner/repo:subfolder', action: 'hub' },
    ];
    if (current) items.splice(1, 0, { label: `$(check) ${current}`, description: 'current', value: current });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Circuit Inspector: Select SAE',
      placeHolder: 'The sparse autoencoder Inspect Features uses',
    });
    if (!pick) return undefined;
    if (pick.action === 'browse') {
      const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this SAE' });
      if (!uris?.length) return undefined;
      chosen = uris[0].fsPath;
    } else if (pick.action === 'hub') {
      chosen = await vscode.window.showInputBox({
        title: 'SAE on the Hugging Face hub',
        prompt: 'hf:owner/repo:subfolder (add @revision after the repo to pin one)',
        value: 'hf:jbloom/GPT2-Small-SAEs-Reformatted:blocks.8.hook_resid_pre',
        validateInput: (v) => {
          try {
            return parseSaeSource(v).kind === 'hub' ? undefined : 'start with hf:';
          } catch (e) {
            return errorMessage(e);
          }
        },
      });
      if (chosen === undefined) return undefined;
    } else chosen = pick.value ?? '';
  }
  if (chosen && !chosen.startsWith('hf:')) {
    const folder = path.resolve(chosen);
    if (!existsSync(path.join(folder, 'cfg.json'))) {
      void vscode.window.showWarningMessage(`Circuit Inspector: ${folder} has no cfg.json; Inspect Features will say what is missing.`);
    }
  }
  await vscode.workspace.getConfiguration(SECTION).update('sae', chosen, vscode.ConfigurationTarget.Global);
  return chosen;
}
