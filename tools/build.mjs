// Bundles the extension host, the engine process, the CLI and the webviews with esbuild.
import { build } from 'esbuild';
import { existsSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const nodeEntries = [
  ['src/extension.ts', 'dist/extension.js'],
  ['src/engineProcess.ts', 'dist/engine.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
].filter(([src]) => existsSync(src));

// One webview per feature: webview/<feature>/main.ts → dist/webview/<feature>.js.
const webviewEntries = existsSync('webview')
  ? Object.fromEntries(
      readdirSync('webview', { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join('webview', d.name, 'main.ts')))
        .map((d) => [d.name, join('webview', d.name, 'main.ts')]),
    )
  : {};

// A clean dist/: a bundle that is no longer built must not ship in the .vsix.
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
const jobs = [];
for (const [entry, outfile] of nodeEntries) {
  jobs.push(build({ ...common, entryPoints: [entry], outfile, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'onnxruntime-node'] }));
}
if (Object.keys(webviewEntries).length) {
  jobs.push(
    build({
      ...common,
      entryPoints: webviewEntries,
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    }),
  );
}
await Promise.all(jobs);
if (watch) console.log('watch mode is not implemented; re-run npm run build');
