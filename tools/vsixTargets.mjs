// The platforms a .vsix is built for: the ones onnxruntime-node ships a native binding for. Each
// package carries only its own platform's binaries; `.vscodeignore` is written for linux-x64 and
// ignoreFileFor() re-targets its one platform line.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// VS Code target → onnxruntime-node's folder bin/napi-vN/<platform>/<arch>.
export const VSIX_TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

/**
 * The target of the machine this runs on (`linux-x64`, `linux-arm64`, ...): the one .vsix the
 * set-up and e2e scripts build and install. Throws, naming the machine, when none fits.
 */
export function hostTarget(platform = process.platform, arch = process.arch) {
  const target = `${platform}-${arch}`;
  if (!VSIX_TARGETS[target]) throw new Error(`no .vsix target for this machine (${target}): one of ${Object.keys(VSIX_TARGETS).join(', ')}`);
  return target;
}

/**
 * The targets `npm run package -- ARGS` builds: the ones named, `--host` for this machine's, and
 * every available one when none is named. Throws on an unknown name.
 */
export function resolveTargets(args, root, host = hostTarget) {
  if (args.length === 0) return availableTargets(root);
  const targets = args.map((a) => (a === '--host' ? host() : a));
  const unknown = targets.filter((t) => !VSIX_TARGETS[t]);
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')}: one of ${Object.keys(VSIX_TARGETS).join(', ')} or --host`);
  return [...new Set(targets)];
}

const LINUX_X64_LINE = '!node_modules/onnxruntime-node/bin/napi-v*/linux/x64/**';

/** The .vscodeignore text for `target`, from the linux-x64 one. */
export function ignoreFileFor(target, linuxX64Text) {
  const folder = VSIX_TARGETS[target];
  if (!folder) throw new Error(`unknown target ${target}: one of ${Object.keys(VSIX_TARGETS).join(', ')}`);
  if (!linuxX64Text.includes(LINUX_X64_LINE)) throw new Error(`.vscodeignore has no line ${LINUX_X64_LINE}`);
  const dir = `node_modules/onnxruntime-node/bin/napi-v*/${folder}`;
  // The npm package carries macOS's runtime twice (a copy where a symlink was). The binding loads
  // @rpath/libonnxruntime.1.dylib, so only that copy ships (a "!" line beats every exclusion, so the
  // files are named one by one rather than excluding the other copy).
  const include = target.startsWith('darwin-') ? [`!${dir}/onnxruntime_binding.node`, `!${dir}/libonnxruntime.1.dylib`] : [`!${dir}/**`];
  return linuxX64Text.replace(LINUX_X64_LINE, include.join('\n'));
}

/** The targets whose binaries the installed onnxruntime-node has. */
export function availableTargets(root) {
  const bin = join(root, 'node_modules/onnxruntime-node/bin');
  const napi = readdirSync(bin).filter((d) => d.startsWith('napi-v'));
  const has = (folder) =>
    napi.some((d) => {
      try {
        return readdirSync(join(bin, d, folder)).length > 0;
      } catch {
        return false;
      }
    });
  return Object.keys(VSIX_TARGETS).filter((t) => has(VSIX_TARGETS[t]));
}
