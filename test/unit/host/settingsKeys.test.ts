import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, fullKey, readSettings, SETTING_KEYS } from '../../../src/settingsKeys';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

describe('settings keys', () => {
  it('package.json contributes exactly these settings with the same defaults', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map(fullKey).sort());
    for (const k of SETTING_KEYS) assert.deepEqual(props[fullKey(k)].default, DEFAULTS[k], k);
  });

  it('every contributed command is registered by a command module', () => {
    const ids = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.deepEqual(ids.sort(), ['circuitInspector.clearDecorations', 'circuitInspector.focusToken', 'circuitInspector.inspectAttention', 'circuitInspector.selectModel']);
  });

  it('falls back to defaults for values of the wrong type', () => {
    const raw: Record<string, unknown> = { model: 42, layerNorm: 'bogus', prependBos: 'yes', watchTokens: [' self', '', 3], hfToken: null, hoverTopK: 0 };
    const s = readSettings((k) => raw[k]);
    assert.deepEqual(s, { ...DEFAULTS, watchTokens: ['self'] });
    assert.equal(readSettings((k) => ({ hoverTopK: 500 })[k as 'hoverTopK']).hoverTopK, 50);
  });
});
