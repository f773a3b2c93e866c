import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, fullKey, readSettings, SETTING_KEYS } from '../../../src/platform/settingsKeys';
import { REPO_ROOT } from '../../repoRoot';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

describe('settings keys', () => {
  it('package.json contributes exactly these settings with the same defaults', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map(fullKey).sort());
    for (const k of SETTING_KEYS) assert.deepEqual(props[fullKey(k)].default, DEFAULTS[k], k);
  });

  it('contributes the attention commands, each with a command module under src/commands', () => {
    const ids = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
    for (const id of ['circuitInspector.clearDecorations', 'circuitInspector.focusToken', 'circuitInspector.inspectAttention', 'circuitInspector.selectModel']) {
      assert.ok(ids.includes(id), id);
    }
    const keys = pkg.contributes.keybindings as { command: string; key: string; when?: string }[];
    assert.ok(keys.some((k) => k.command === 'circuitInspector.inspectAttention' && k.key === 'ctrl+alt+i'));
    assert.ok(keys.some((k) => k.command === 'circuitInspector.clearDecorations' && k.key === 'escape' && k.when?.includes('circuitInspector.decorationsShown')));
  });

  it('falls back to defaults for values of the wrong type', () => {
    const raw: Record<string, unknown> = { model: 42, layerNorm: 'bogus', prependBos: 'yes', watchTokens: [' self', '', 3], hfToken: null, hoverTopK: 0 };
    const s = readSettings((k) => raw[k]);
    assert.deepEqual(s, { ...DEFAULTS, watchTokens: ['self'] });
    assert.equal(readSettings((k) => ({ hoverTopK: 500 })[k as 'hoverTopK']).hoverTopK, 50);
  });
});
