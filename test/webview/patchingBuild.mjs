// Builds the Compare Token Substitution webview and its harness script into .tmp/webview-harness
// (same options as tools/build.mjs uses for webviews).
import { build } from 'esbuild';
import { join } from 'node:path';
import { ROOT } from './harnessServer.mjs';

export async function buildPatchingHarness() {
  await build({
    entryPoints: {
      patchingPanel: join(ROOT, 'webview', 'patchingPanel.ts'),
      patchingHarness: join(ROOT, 'test', 'webview', 'patchingHarness.ts'),
    },
    outdir: join(ROOT, '.tmp', 'webview-harness'),
    bundle: true,
    sourcemap: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
}
