import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

describe('packaging (.vscodeignore, as vsce sees it)', function () {
  this.timeout(60_000);
  let files: string[];
  before(() => {
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls'], { cwd: ROOT, encoding: 'utf8' });
    files = out.split('\n').filter((l) => l.trim().length > 0);
  });

  it('ships onnxruntime-node for linux-x64 only, with onnxruntime-common as CommonJS', () => {
    const natives = files.filter((f) => f.startsWith('node_modules/onnxruntime-node/bin/'));
    assert.ok(natives.length > 0 && natives.every((f) => f.includes('/linux/x64/')), natives.join(', '));
    assert.ok(files.includes('node_modules/onnxruntime-node/dist/index.js'));
    assert.ok(files.includes('node_modules/onnxruntime-common/dist/cjs/index.js'));
    // without it Node reads the cjs files as ES modules ("type": "module" in the package root)
    assert.ok(files.includes('node_modules/onnxruntime-common/dist/cjs/package.json'));
  });

  it('leaves out sources, tests, tools, bundled dependencies and source maps', () => {
    const bad = files.filter(
      (f) =>
        /^(src|test|tools|webview|\.tmp|\.bench|\.vscode|samples)\//.test(f) ||
        f.endsWith('.map') ||
        f.endsWith('.ts') ||
        (f.startsWith('node_modules/') && !/^node_modules\/onnxruntime-(node|common)\//.test(f)),
    );
    assert.deepEqual(bad, []);
  });
});
