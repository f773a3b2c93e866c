// npm run package [-- target ...]: production bundles, then one .vsix per target (default: every
// platform onnxruntime-node ships), each with only that platform's onnxruntime binaries.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableTargets, ignoreFileFor } from './vsixTargets.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const asked = process.argv.slice(2);
const targets = asked.length ? asked : availableTargets(root);
const base = readFileSync(join(root, '.vscodeignore'), 'utf8');

execFileSync(process.execPath, [join(root, 'tools/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
mkdirSync(join(root, '.tmp'), { recursive: true });
for (const target of targets) {
  const ignoreFile = join(root, '.tmp', `vscodeignore-${target}`);
  writeFileSync(ignoreFile, ignoreFileFor(target, base));
  const out = `circuit-inspector-${target}.vsix`;
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '--ignoreFile', ignoreFile,
    '--allow-missing-repository', '--skip-license', '--out', out], { cwd: root, stdio: 'inherit' });
  console.log(`${out} (${target})`);
}
