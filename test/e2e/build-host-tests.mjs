// Bundles the extension-host tests (test/e2e/host/*.test.ts) and their mocha runner into OUT_DIR,
// which the caller puts inside the installed extension's folder (so `require('vscode')` resolves
// to that extension's API). mocha stays in the repository: its absolute path is baked in.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: node test/e2e/build-host-tests.mjs OUT_DIR');
const mochaPath = createRequire(import.meta.url).resolve('mocha');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning' };
// HOST_TESTS=extension,patching picks suites by file name (default: every *.test.ts).
const only = process.env.HOST_TESTS ? process.env.HOST_TESTS.split(',').map((s) => s.trim()) : undefined;
const tests = readdirSync('test/e2e/host')
  .filter((f) => f.endsWith('.test.ts') && (!only || only.includes(f.replace(/\.test\.ts$/, ''))))
  .map((f) => join('test/e2e/host', f));
if (tests.length === 0) throw new Error(`no extension-host test suites match HOST_TESTS=${process.env.HOST_TESTS}`);
await build({
  ...common,
  external: [...common.external, mochaPath],
  entryPoints: ['test/e2e/host/index.ts'],
  outfile: join(out, 'index.js'),
  define: { __MOCHA_PATH__: JSON.stringify(mochaPath) },
});
await build({ ...common, entryPoints: tests, outdir: join(out, 'suite'), define: { __REPO_ROOT__: JSON.stringify(process.cwd()) } });
