/**
 * The `circuitInspector.*` settings: keys, defaults and how raw values are read, declared once.
 * No `vscode` import (src/settings.ts reads them through the workspace configuration; unit tests
 * check package.json's `contributes.configuration` against this list).
 */
import { DEFAULT_WATCH_TOKENS, normalizeWatchList } from '../analysis/watchTokens';

export const SECTION = 'circuitInspector';

export type LayerNormSetting = 'as_configured' | 'identity';

export interface Settings {
  /** "" = the shipped model; a folder path; or a hub id with optional @revision. */
  readonly model: string;
  readonly layerNorm: LayerNormSetting;
  readonly prependBos: boolean;
  readonly watchTokens: readonly string[];
  readonly hfToken: string;
  readonly hoverTopK: number;
}

export const DEFAULTS: Settings = {
  model: '',
  layerNorm: 'as_configured',
  prependBos: true,
  watchTokens: DEFAULT_WATCH_TOKENS,
  hfToken: '',
  hoverTopK: 5,
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
  const prependBos = get('prependBos');
  const watch = get('watchTokens');
  const token = get('hfToken');
  const topK = get('hoverTopK');
  return {
    model: typeof model === 'string' ? model.trim() : DEFAULTS.model,
    layerNorm: layerNorm === 'identity' || layerNorm === 'as_configured' ? layerNorm : DEFAULTS.layerNorm,
    prependBos: typeof prependBos === 'boolean' ? prependBos : DEFAULTS.prependBos,
    watchTokens: Array.isArray(watch) ? normalizeWatchList(watch) : DEFAULTS.watchTokens,
    hfToken: typeof token === 'string' ? token.trim() : DEFAULTS.hfToken,
    hoverTopK: typeof topK === 'number' && Number.isInteger(topK) && topK >= 1 ? Math.min(topK, 50) : DEFAULTS.hoverTopK,
  };
}

/** Settings whose change makes a shown inspection out of date (a re-run would differ). */
export const RUN_AFFECTING: readonly SettingKey[] = ['model', 'layerNorm', 'prependBos', 'watchTokens'];
