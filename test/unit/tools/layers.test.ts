import * as assert from 'node:assert/strict';
import { checkLayers, formatProblem, layerOf, readSources } from '../../../tools/lint/layers';
import { REPO_ROOT } from '../../repoRoot';

/** A small tree that follows every rule: each layer imports one below it. */
const CLEAN: Record<string, string> = {
  'src/shared/tokens.ts': 'export const BOS = 0;',
  'src/model/prompt.ts': "import { BOS } from '../shared/tokens';\nexport const p = BOS;",
  'src/analysis/scores.ts': "import type { p } from '../model/prompt.js';\nexport const s = 1;",
  'src/engine/server.ts': "import { s } from '../analysis/scores';\nexport * from '../model/prompt';",
  'src/platform/host.ts': "import * as vscode from 'vscode';\nimport { s } from '../engine/server';",
  'src/features/attention/shared/protocol.ts': "import { BOS } from '../../../shared/tokens';",
  'src/features/attention/engine/handlers.ts': "import '../shared/protocol';\nimport '../../../engine/server';",
  'src/features/attention/session.ts': "import * as vscode from 'vscode';\nimport '../../platform/host';\nimport './shared/protocol';",
  'src/features/attention/index.ts': "import { x } from './session';",
  'src/engineModules.ts': "import './features/attention/engine/handlers';",
  'src/extension.ts': "import * as vscode from 'vscode';\nconst f = () => import('./features/attention');",
  'webview/attention/main.ts': "import '../../src/features/attention/shared/protocol.js';\nimport '../lib/api.js';",
  'webview/lib/api.ts': "import type { BOS } from '../../src/shared/tokens.js';",
};

function problems(changes: Record<string, string>): string[] {
  return checkLayers({ ...CLEAN, ...changes }).map(formatProblem);
}

describe('tools/lint/layers', () => {
  it('passes a tree that follows the rules', () => {
    assert.deepEqual(problems({}), []);
  });

  it('catches model importing analysis (an upward import)', () => {
    assert.deepEqual(problems({ 'src/model/prompt.ts': "import { s } from '../analysis/pure';", 'src/analysis/pure.ts': '' }), [
      'src/model/prompt.ts:1: imports src/analysis/pure.ts (model may import only model, shared, hub; src/analysis/pure.ts is analysis)',
    ]);
  });

  it('catches shared importing a feature, even type-only and across lines (at the line of the specifier)', () => {
    const found = problems({
      'src/shared/tokens.ts': "export const BOS = 0;\nimport type {\n  X,\n} from '../features/attention/panel';",
      'src/features/attention/panel.ts': '',
    });
    assert.equal(found.length, 1);
    assert.match(found[0], /^src\/shared\/tokens\.ts:4: imports src\/features\/attention\/panel\.ts \(shared may import only shared;/);
  });

  it('catches the webview importing src/platform', () => {
    const found = problems({ 'webview/lib/api.ts': "import { host } from '../../src/platform/host.js';" });
    assert.equal(found.length, 1);
    assert.match(found[0], /^webview\/lib\/api\.ts:1: imports src\/platform\/host\.ts \(webview may import only webview, shared, features\/\*\/shared;/);
  });

  it('catches vscode in src/engine, and node builtins in code the webviews run (not in tests beside it)', () => {
    assert.deepEqual(problems({ 'src/engine/server.ts': "import * as vscode from 'vscode';" }), [
      'src/engine/server.ts:1: imports vscode (engine does not import vscode: only platform, features, extension do)',
    ]);
    assert.deepEqual(problems({ 'src/features/attention/shared/protocol.ts': "import { join } from 'node:path';" }), [
      'src/features/attention/shared/protocol.ts:1: imports node:path (features/*/shared runs in the webviews: no node builtins)',
    ]);
    assert.deepEqual(problems({ 'webview/lib/api.test.ts': "import * as assert from 'node:assert/strict';" }), []);
  });

  it('catches one feature importing another, and a feature host file importing its engine half', () => {
    const found = problems({
      'src/features/substitution/session.ts': "import { x } from '../attention/session';",
      'src/features/attention/index.ts': "import { h } from './engine/handlers';",
    });
    assert.equal(found.length, 2);
    assert.match(found[0], /^src\/features\/attention\/index\.ts:1: imports src\/features\/attention\/engine\/handlers\.ts \(features may import only/);
    assert.match(found[1], /^src\/features\/substitution\/session\.ts:1: imports src\/features\/attention\/session\.ts \(features do not import each other/);
  });

  it('reports a 3-file cycle once, as a chain', () => {
    const found = problems({
      'src/analysis/a.ts': "import './b';",
      'src/analysis/b.ts': "export { c } from './c';",
      'src/analysis/c.ts': "const a = await import('./a.js');",
    });
    assert.deepEqual(found, [
      'src/analysis/a.ts:1: imports src/analysis/b.ts (import cycle: src/analysis/a.ts → src/analysis/b.ts → src/analysis/c.ts → src/analysis/a.ts)',
    ]);
  });

  it('resolves a folder to its index.ts and names files outside every layer', () => {
    assert.equal(layerOf('src/features/attention/engine/handlers.ts')?.name, 'features/*/engine');
    assert.equal(layerOf('src/features/attention/index.ts')?.name, 'features');
    assert.deepEqual(problems({ 'src/stray.ts': '' }), ['src/stray.ts: is in no layer (add its folder to LAYERS in tools/lint/layers.ts)']);
    const found = problems({ 'src/model/prompt.ts': "import '../features/attention';" });
    assert.match(found[0], /^src\/model\/prompt\.ts:1: imports src\/features\/attention\/index\.ts \(model may import only/);
  });

  it('reads every .ts file of the repository', () => {
    const sources = readSources(REPO_ROOT, ['src', 'webview']);
    assert.ok('src/extension.ts' in sources && 'webview/attention/main.ts' in sources);
    assert.ok(Object.keys(sources).every((f) => f.endsWith('.ts')));
  });
});
