/**
 * The `circuitInspector.*` settings: keys, defaults and how raw values are read, declared once.
 * No `vscode` import (src/settings.ts reads them through the workspace configuration; unit tests
 * check package.json's `contributes.configuration` against this list).
 */
import { DEFAULT_WATCH_TOKENS, normalizeWatchList } from '../analysis/watchTokens';

export const SECTION = 'circuitInspector';

import type { LayerNormMode, ModelSpec } from '../shared/modelSpec';
import { labelModelName, type Precision } from '../shared/precision';

export type LayerNormSetting = LayerNormMode;

export interface Settings {
  /** "" = the shipped model; a folder path; or a hub id with optional @revision. */
  readonly model: string;
  readonly layerNorm: LayerNormSetting;
  /** "exact" (fp32) or "int8" (approximate, labelled wherever its results are shown). */
  readonly precision: Precision;
  readonly prependBos: boolean;
  /** A literal `<|endoftext|>` in the text is the special token (as TransformerLens and Hugging Face read it). */
  readonly specialTokensInText: boolean;
  readonly watchTokens: readonly string[];
  readonly hoverTopK: number;
  /** The engine process's memory limit in MB; 0 = four fifths of the machine's memory. */
  readonly engineMemoryLimitMB: number;
  /** Memory the exact patching sweeps' batched runs may take, in MB (their batches are sized from it), on top of the model's weights. */
  readonly patchingMemoryBudgetMB: number;
  /** Where hub downloads go: the Hugging Face cache shared with Python tools, or the extension's own storage. */
  readonly downloadTo: DownloadTo;
  /** The sparse autoencoder for Inspect Features: "" = the one shipped with the shipped model; a folder; or `hf:owner/repo:subfolder`. */
  readonly sae: string;
  /** How many pairs Generate Prompt Set offers to make (N). */
  readonly promptSetSize: number;
  /** Run Prompt Set runs at most this many pairs of a file (the first ones). */
  readonly promptSetMaxPairs: number;
}

export type DownloadTo = 'huggingFaceCache' | 'extensionStorage';

export const DEFAULTS: Settings = {
  model: '',
  layerNorm: 'as_configured',
  precision: 'exact',
  prependBos: true,
  specialTokensInText: true,
  watchTokens: DEFAULT_WATCH_TOKENS,
  hoverTopK: 5,
  engineMemoryLimitMB: 0,
  patchingMemoryBudgetMB: 2048,
  downloadTo: 'huggingFaceCache',
  sae: '',
  promptSetSize: 100,
  promptSetMaxPairs: 1000,
};

export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(DEFAULTS) as SettingKey[];

/** `circuitInspector.model` etc. */
export function fullKey(key: SettingKey): string {
  return `${SECTION}.${key}`;
}

/** Settings from raw configuration values (unknown types fall back to the defaults). */
export function readSettings(get: (key: SettingKey) => unknown): Settings {
  const model = get('model');
  const layerNorm = get('layerNorm');
  const precision = get('precision');
  const prependBos = get('prependBos');
  const specialTokens = get('specialTokensInText');
  const watch = get('watchTokens');
  const topK = get('hoverTopK');
  const memory = get('engineMemoryLimitMB');
  const patchBudget = get('patchingMemoryBudgetMB');
  const downloadTo = get('downloadTo');
  const sae = get('sae');
  const promptSetSize = get('promptSetSize');
  const promptSetMaxPairs = get('promptSetMaxPairs');
  const count = (v: unknown, def: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? Math.min(v, 100_000) : def);
  return {
    model: typeof model === 'string' ? model.trim() : DEFAULTS.model,
    layerNorm: layerNorm === 'identity' || layerNorm === 'as_configured' ? layerNorm : DEFAULTS.layerNorm,
    precision: precision === 'int8' || precision === 'exact' ? precision : DEFAULTS.precision,
    prependBos: typeof prependBos === 'boolean' ? prependBos : DEFAULTS.prependBos,
    specialTokensInText: typeof specialTokens === 'boolean' ? specialTokens : DEFAULTS.specialTokensInText,
    watchTokens: Array.isArray(watch) ? normalizeWatchList(watch) : DEFAULTS.watchTokens,
    hoverTopK: typeof topK === 'number' && Number.isInteger(topK) && topK >= 1 ? Math.min(topK, 50) : DEFAULTS.hoverTopK,
    engineMemoryLimitMB: typeof memory === 'number' && Number.isInteger(memory) && memory >= 0 ? memory : DEFAULTS.engineMemoryLimitMB,
    patchingMemoryBudgetMB:
      typeof patchBudget === 'number' && Number.isInteger(patchBudget) && patchBudget >= 64 ? patchBudget : DEFAULTS.patchingMemoryBudgetMB,
    downloadTo: downloadTo === 'extensionStorage' || downloadTo === 'huggingFaceCache' ? downloadTo : DEFAULTS.downloadTo,
    sae: typeof sae === 'string' ? sae.trim() : DEFAULTS.sae,
    promptSetSize: count(promptSetSize, DEFAULTS.promptSetSize),
    promptSetMaxPairs: count(promptSetMaxPairs, DEFAULTS.promptSetMaxPairs),
  };
}

/** The spec the engine runs: a resolved model folder and name, with the settings that shape the run. */
export function modelSpecFor(model: { readonly dir: string; readonly displayName: string }, settings: Settings): ModelSpec {
  return {
    dir: model.dir,
    // An int8 run's name carries the label, so every view, hover and export that names the model says "int8 approximate".
    displayName: labelModelName(model.displayName, settings.precision),
    layerNorm: settings.layerNorm,
    prependBos: settings.prependBos,
    specialTokensInText: settings.specialTokensInText,
    ...(settings.precision === 'int8' ? { precision: 'int8' as const } : {}),
  };
}

/** Settings whose change makes a shown inspection out of date (a re-run would differ). */
export const RUN_AFFECTING: readonly SettingKey[] = ['model', 'layerNorm', 'precision', 'prependBos', 'specialTokensInText', 'watchTokens'];

/** Where Select Model writes `circuitInspector.model`: user settings, or this workspace's `.vscode/settings.json`. */
export type ModelSettingTarget = 'user' | 'workspace';

/**
 * The target Select Model writes to unless the user picks one: user settings (a path written into
 * `.vscode/settings.json` would be an untracked file in the user's repository), except where the
 * trusted workspace already sets the model itself; there a user value would be shadowed, so the
 * workspace's own value is the one updated. An untrusted workspace or no open folder: always user.
 */
export function defaultModelTarget(w: { readonly folderOpen: boolean; readonly trusted: boolean; readonly workspaceValue: unknown }): ModelSettingTarget {
  return w.folderOpen && w.trusted && w.workspaceValue !== undefined ? 'workspace' : 'user';
}
