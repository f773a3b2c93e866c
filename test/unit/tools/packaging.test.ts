import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../repoRoot';

const ROOT = REPO_ROOT;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

interface VsixTargets {
  VSIX_TARGETS: Record<string, string>;
  ignoreFileFor(target: string, linuxX64Text: string): string;
  availableTargets(root: string): string[];
}

/** What `vsce ls` would put in the package, with `ignoreFile` in place of .vscodeignore. */
function vsceLs(ignoreFile?: string): string[] {
  const args = [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', ...(ignoreFile ? ['--ignoreFile', ignoreFile] : [])];
  const out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim().length > 0);
}

describe('packaging (.vscodeignore, as vsce sees it)', function () {
  this.timeout(120_000);
  let files: string[];
  let targets: VsixTargets;
  before(async () => {
    files = vsceLs();
    targets = (await import(join(ROOT, 'tools/vsixTargets.mjs'))) as VsixTargets;
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
        (/^(src|test|tools|webview|\.tmp|\.bench|\.vscode|samples)\//.test(f) && f !== 'samples/docstring_example.py') ||
        f.endsWith('.map') ||
        f.endsWith('.ts') ||
        (f.startsWith('node_modules/') && !/^node_modules\/onnxruntime-(node|common)\//.test(f)),
    );
    assert.deepEqual(bad, []);
    const devFiles = ['.prettierrc.json', '.prettierignore', 'eslint.config.mjs', 'ARCHITECTURE.md', 'CONTRIBUTING.md', '.mocharc.json', 'tsconfig.json'];
    assert.deepEqual(
      files.filter((f) => devFiles.includes(f)),
      [],
      'no developer configuration or docs',
    );
  });

  it("ships the walkthrough's sample and its media, and no other sample", () => {
    assert.deepEqual(
      files.filter((f) => f.startsWith('samples/')),
      ['samples/docstring_example.py'],
    );
    const walkthroughs = pkg.contributes.walkthroughs as { steps: { media: Record<string, string> }[] }[];
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      for (const f of Object.values(step.media)) assert.ok(files.includes(f), `${f} is in the .vsix`);
    }
  });

  it('ships the extension, the engine process and one webview bundle per feature', () => {
    for (const f of ['dist/extension.js', 'dist/engine.js', 'dist/webview/attention.js', 'dist/webview/substitution.js']) assert.ok(files.includes(f), f);
  });

  it('packages every platform onnxruntime-node ships, each with its own binaries and nothing else changed', () => {
    const available = targets.availableTargets(ROOT);
    assert.ok(available.includes('darwin-arm64') && available.includes('win32-x64'), available.join(', '));
    const base = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'ci-vsix-'));
    try {
      for (const target of available) {
        const ignoreFile = join(dir, target);
        writeFileSync(ignoreFile, targets.ignoreFileFor(target, base));
        const listed = vsceLs(ignoreFile);
        const folder = `/${targets.VSIX_TARGETS[target]}/`;
        const natives = listed.filter((f) => f.startsWith('node_modules/onnxruntime-node/bin/'));
        assert.ok(
          natives.some((f) => f.endsWith('onnxruntime_binding.node')),
          `${target}: ${natives.join(', ')}`,
        );
        assert.ok(
          natives.every((f) => f.includes(folder)),
          `${target}: ${natives.join(', ')}`,
        );
        const rest = (l: string[]) => l.filter((f) => !f.startsWith('node_modules/onnxruntime-node/bin/')).sort();
        assert.deepEqual(rest(listed), rest(files), target);
        if (target.startsWith('darwin-')) {
          // the binding links @rpath/libonnxruntime.1.dylib; the npm package has a second, versioned copy
          assert.ok(
            natives.some((f) => f.endsWith('/libonnxruntime.1.dylib')),
            natives.join(', '),
          );
          assert.ok(!natives.some((f) => /libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(f)), natives.join(', '));
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => targets.ignoreFileFor('darwin-x64', base), /unknown target/);
  });
});
