// npm run package [-- target ...]: production bundles, then one .vsix per target (default: every
// platform onnxruntime-node ships; `--host`: this machine's), each with only that platform's
// onnxruntime binaries. Prints the path of each .vsix written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignoreFileFor, resolveTargets } from './vsixTargets.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
let targets;
try {
  targets = resolveTargets(process.argv.slice(2), root);
} catch (err) {
  console.error(`npm run package: ${err.message}`);
  process.exit(2);
}
const base = readFileSync(join(root, '.vscodeignore'), 'utf8');

execFileSync(process.execPath, [join(root, 'tools/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
mkdirSync(join(root, '.tmp'), { recursive: true });
for (const target of targets) {
  const ignoreFile = join(root, '.tmp', `vscodeignore-${target}`);
  writeFileSync(ignoreFile, ignoreFileFor(target, base));
  const out = `circuit-inspector-${target}.vsix`;
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--target',
      target,
      '--ignoreFile',
      ignoreFile,
      '--allow-missing-repository',
      '--skip-license',
      '--out',
      out,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  console.log(`${out} (${target})`);
}
