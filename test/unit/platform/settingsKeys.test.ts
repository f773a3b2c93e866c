import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULTS, defaultModelTarget, fullKey, readSettings, SETTING_KEYS } from '../../../src/platform/settingsKeys';
import { REPO_ROOT } from '../../repoRoot';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

describe('settings keys', () => {
  it('package.json contributes exactly these settings with the same defaults', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual(Object.keys(props).sort(), SETTING_KEYS.map(fullKey).sort());
    for (const k of SETTING_KEYS) assert.deepEqual(props[fullKey(k)].default, DEFAULTS[k], k);
  });

  it('every contributed command is registered by exactly one feature, and every registered command is contributed or internal', () => {
    const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = registeredCommands();
    for (const id of contributed)
      assert.equal(registered.get(id)?.length, 1, `${id} is registered once (found in ${registered.get(id)?.join(', ') ?? 'no file'})`);
    // Internal commands serve automation and tests (the hover link, the panel's buttons); they stay out of the palette.
    const internal = [
      'circuitInspector.compareSubstitution.state',
      'circuitInspector.compareSubstitution.cancel',
      'circuitInspector.compareSubstitution.export',
      'circuitInspector.runPromptSet.state',
      'circuitInspector.runPromptSet.cancel',
      'circuitInspector.runPromptSet.export',
    ];
    for (const id of registered.keys())
      assert.ok(contributed.includes(id) || internal.includes(id), `${id} is contributed in package.json or listed as internal`);
    for (const file of [...registered.values()].flat()) assert.match(file, /^src\/features\/[a-z]+\//, `${file}: commands live in feature folders`);
    const hidden = (pkg.contributes.menus.commandPalette as { command: string; when?: string }[]).filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(
      hidden,
      ['circuitInspector.focusToken', 'circuitInspector.residualFocusPosition'],
      'only the hover link commands are hidden from the palette',
    );
    for (const m of Object.values(pkg.contributes.menus as Record<string, { command: string }[]>).flat())
      assert.ok(contributed.includes(m.command), `menu entry ${m.command} is a contributed command`);
    const keys = pkg.contributes.keybindings as { command: string; key: string; when?: string }[];
    assert.ok(keys.some((k) => k.command === 'circuitInspector.inspectAttention' && k.key === 'ctrl+alt+i'));
    assert.ok(
      keys.some((k) => k.command === 'circuitInspector.clearDecorations' && k.key === 'escape' && k.when?.includes('circuitInspector.decorationsShown')),
    );
  });

  it('falls back to defaults for values of the wrong type', () => {
    const raw: Record<string, unknown> = { model: 42, layerNorm: 'bogus', prependBos: 'yes', watchTokens: [' self', '', 3], hfToken: null, hoverTopK: 0 };
    const s = readSettings((k) => raw[k]);
    assert.deepEqual(s, { ...DEFAULTS, watchTokens: ['self'] });
    assert.equal(readSettings((k) => ({ hoverTopK: 500 })[k as 'hoverTopK']).hoverTopK, 50);
  });
});

/** Command id → the source files that call registerCommand with it (resolving `const X = 'id'` within src/). */
function registeredCommands(): Map<string, string[]> {
  const files = listTs(join(REPO_ROOT, 'src'));
  const constants = new Map<string, string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/export const (\w+) = '(circuitInspector\.[\w.]+)'/g)) constants.set(m[1], m[2]);
  const out = new Map<string, string[]>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/registerCommand\((\w+|'[^']+')/g)) {
      const id = m[1].startsWith("'") ? m[1].slice(1, -1) : constants.get(m[1]);
      assert.ok(id, `${f}: registerCommand(${m[1]}) names a known command constant`);
      out.set(id, [...(out.get(id) ?? []), relative(REPO_ROOT, f)]);
    }
  }
  return out;
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listTs(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('Select Model target', () => {
  it('writes user settings unless the trusted workspace already sets the model', () => {
    // no .vscode/settings.json appears in the user's repository by default
    assert.equal(defaultModelTarget({ folderOpen: true, trusted: true, workspaceValue: undefined }), 'user');
    assert.equal(defaultModelTarget({ folderOpen: false, trusted: true, workspaceValue: undefined }), 'user');
    // a workspace value would shadow a user value: update the workspace's own
    assert.equal(defaultModelTarget({ folderOpen: true, trusted: true, workspaceValue: '/models/gpt2' }), 'workspace');
    assert.equal(defaultModelTarget({ folderOpen: true, trusted: true, workspaceValue: '' }), 'workspace');
    // Restricted Mode ignores workspace values: always user
    assert.equal(defaultModelTarget({ folderOpen: true, trusted: false, workspaceValue: '/models/gpt2' }), 'user');
  });
});
