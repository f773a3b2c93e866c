// The README's two commands on a fresh machine (issue 14): Node bootstrapped without a Node on
// PATH, the host's .vsix only, one shared code-server cache, no npm config warning, free ports.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT as ROOT } from '../../repoRoot';

interface VsixTargets {
  hostTarget(platform?: string, arch?: string): string;
  resolveTargets(args: string[], root: string, host?: () => string): string[];
  availableTargets(root: string): string[];
}
interface FreePort {
  freePort(preferred?: number, host?: string): Promise<number>;
}

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const close = (s: Server) => new Promise((resolve) => s.close(resolve));

describe('fresh machine: Node without a Node on PATH (tools/setup-node.sh)', function () {
  this.timeout(60_000);
  let dir: string;
  let bin: string;

  // A PATH holding only the tools the script needs (no node, no npm), an apt-get that "installs"
  // npm, and an npm whose `pack` writes registry-like tarballs of a fake Node 24 and npm 11.
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-fresh-'));
    bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of 'bash sh mkdir date uname grep tar gzip rm mv ln flock id dirname cat mktemp chmod cp'.split(' ')) {
      const path = execFileSync('/bin/bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(path, join(bin, tool));
    }
    const fakeNpm = join(dir, 'fake-npm');
    writeFileSync(
      fakeNpm,
      `#!/bin/bash
# npm pack -q SPEC: a tarball named and laid out as the registry's
[ "$1" = pack ] || { echo "fake npm: only pack" >&2; exit 1; }
spec=$3; name=\${spec%@*}; ver=\${spec##*@}; t=$(mktemp -d); mkdir -p "$t/package/bin"
case $name in
  node-linux-*) printf '#!/bin/sh\\necho v%s\\n' "$ver" > "$t/package/bin/node"; chmod +x "$t/package/bin/node" ;;
  npm) printf '{\\n  "name": "npm",\\n  "version": "%s"\\n}\\n' "$ver" > "$t/package/package.json"
       for f in npm-cli.js npx-cli.js; do printf '#!/bin/sh\\necho %s\\n' "$ver" > "$t/package/bin/$f"; chmod +x "$t/package/bin/$f"; done ;;
esac
tar czf "$PWD/$name-$ver.tgz" -C "$t" package && rm -rf "$t"
echo "pack $spec" >> "${dir}/calls"
`,
    );
    chmodSync(fakeNpm, 0o755);
    writeFileSync(join(bin, 'apt-get'), `#!/bin/bash\necho "apt-get $*" >> "${dir}/calls"\nif [ "$1" = install ]; then cp "${fakeNpm}" "${bin}/npm"; fi\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function runSetup(extraEnv: Record<string, string> = {}) {
    const script =
      'set -euo pipefail; source tools/setup-node.sh; echo "node=$(command -v node) $(node --version)"; echo "npm=$(npm --version)"; echo "cache=$CI_CACHE"';
    return spawnSync('/bin/bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: bin, HOME: join(dir, 'home'), ...extraEnv } });
  }
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : []);

  it('installs Debian nodejs/npm only to fetch Node 24 and npm 11 into the shared cache, then uses those', () => {
    assert.notEqual(spawnSync('/bin/bash', ['-c', 'command -v node || command -v npm'], { env: { PATH: bin } }).status, 0, 'the PATH hides node and npm');
    const r = runSetup();
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const cache = join(dir, 'home/.cache/circuit-inspector');
    assert.match(r.stdout, new RegExp(`node=${cache}/node24/bin/node v24\\.`));
    assert.match(r.stdout, /npm=11\./);
    assert.match(r.stdout, new RegExp(`cache=${cache}\\n`));
    const c = calls();
    assert.ok(
      c.some((l) => /^apt-get install .*\bnodejs\b.*\bnpm\b/.test(l)),
      c.join('\n'),
    );
    assert.ok(c.includes(`pack node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}@24.21.0`) && c.includes('pack npm@11.19.1'), c.join('\n'));

    // a second run finds everything in the cache: no apt, no registry
    rmSync(join(dir, 'calls'));
    const again = runSetup();
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(calls(), []);
  });

  it('says what is missing when it cannot install npm (not root)', () => {
    rmSync(join(bin, 'id')); // the link, not /usr/bin/id
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 1000\n');
    chmodSync(join(bin, 'id'), 0o755);
    const r = runSetup();
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /npm is missing: run this as root/);
    assert.deepEqual(calls(), []);
  });

  it('the README commands share the one cache and keep their user data apart', () => {
    for (const f of ['tools/start-code-server.sh', 'test/e2e/run-e2e.sh', '.ci/run']) {
      assert.doesNotMatch(read(f), /CI_CACHE=\$\{CI_CACHE:-/, `${f} sets its own cache default`);
    }
    assert.match(read('test/e2e/setup-code-server.sh'), /source "\$CI_ROOT\/tools\/setup-node\.sh"/);
    assert.match(read('.ci/run'), /source tools\/setup-node\.sh[\s\S]*npm ci/);
    assert.match(read('tools/start-code-server.sh'), /RUN="\$ROOT\/\.tmp\/code-server"/);
    assert.match(read('test/e2e/run-e2e.sh'), /RUN=\$\{E2E_RUN:-\$ROOT\/\.tmp\/e2e\}/);
  });
});

describe('fresh machine: the host platform .vsix only (tools/vsixTargets.mjs)', () => {
  let targets: VsixTargets;
  before(async () => {
    targets = (await import(join(ROOT, 'tools/vsixTargets.mjs'))) as VsixTargets;
  });

  it('maps the machine to its VS Code target, and says which machine has none', () => {
    assert.equal(targets.hostTarget('linux', 'x64'), 'linux-x64');
    assert.equal(targets.hostTarget('linux', 'arm64'), 'linux-arm64');
    assert.equal(targets.hostTarget(), `${process.platform}-${process.arch}`);
    assert.throws(() => targets.hostTarget('darwin', 'x64'), /no \.vsix target for this machine \(darwin-x64\): one of linux-x64/);
  });

  it('npm run package builds every platform by default, the named ones, or --host', () => {
    assert.deepEqual(targets.resolveTargets([], ROOT), targets.availableTargets(ROOT));
    assert.ok(targets.resolveTargets([], ROOT).length >= 5);
    assert.deepEqual(
      targets.resolveTargets(['--host'], ROOT, () => 'linux-arm64'),
      ['linux-arm64'],
    );
    assert.deepEqual(targets.resolveTargets(['win32-x64', 'linux-x64'], ROOT), ['win32-x64', 'linux-x64']);
    assert.throws(() => targets.resolveTargets(['linux-x65'], ROOT), /unknown target linux-x65: one of/);
  });

  it('an unknown target is one plain line, no stack trace', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'tools/packageVsix.mjs'), 'linux-x65'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'npm run package: unknown target linux-x65: one of linux-x64, linux-arm64, darwin-arm64, win32-x64, win32-arm64 or --host');
  });

  it('the set-up and e2e scripts package the host target only', () => {
    for (const f of ['tools/start-code-server.sh', 'test/e2e/run-e2e.sh']) {
      const text = read(f);
      assert.match(text, /TARGET=\$\(host_target\)/, f);
      assert.match(text, /npm run -s package -- "\$TARGET"/, f);
      assert.doesNotMatch(text, /linux-x64/, f);
    }
    const r = spawnSync('/bin/bash', ['-c', 'eval "$(sed -n "/^host_target()/,/^}/p" test/e2e/setup-code-server.sh)"; CI_ROOT=$PWD host_target'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.stdout.trim(), `${process.platform}-${process.arch}`, r.stderr);
  });
});

describe('fresh machine: npm config (.npmrc)', function () {
  this.timeout(60_000);

  it('npm reads the project config without an "Unknown project config" warning', () => {
    const r = spawnSync('npm', ['config', 'get', 'ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Unknown project config/);
    assert.equal(r.stdout.trim(), 'true', 'dependency install scripts (onnxruntime-node: CUDA from NuGet) never run');
  });

  it('the scripts export only npm settings npm knows (npm 11 warns about any other, such as nodedir)', () => {
    const known = new Set(['update_notifier', 'fund', 'audit', 'loglevel', 'ignore_scripts']);
    for (const file of ['tools/setup-node.sh', 'test/e2e/setup-code-server.sh', 'test/e2e/run-e2e.sh', 'tools/start-code-server.sh', '.ci/run']) {
      const exported = [...read(file).matchAll(/^\s*export\s+([^#\n]*)/gm)].flatMap((m) => [...m[1].matchAll(/\bnpm_config_(\w+)=/g)].map((x) => x[1]));
      for (const key of exported) assert.ok(known.has(key), `${file} exports npm_config_${key}, which npm warns about on every command`);
    }
  });

  it("onnxruntime-node's install script stays denied (npm >= 11 allowScripts too)", () => {
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
    assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
    const settings = read('.npmrc')
      .split('\n')
      .filter((l) => !/^\s*[#;]/.test(l));
    assert.ok(!settings.some((l) => /onnxruntime-node-install/.test(l)), 'no setting of the key npm does not know (a comment may name it)');
  });

  it('code-server still builds its native modules under `npm run` (the inherited ignore-scripts lifted)', () => {
    const text = read('test/e2e/setup-code-server.sh');
    assert.match(text, /unset [^\n]*npm_config_ignore_scripts/);
    assert.match(text, /npm install -g [^\n]*--ignore-scripts=false --allow-scripts=code-server/);
  });
});

describe('fresh machine: ports (tools/freePort.mjs)', () => {
  let fp: FreePort;
  before(async () => {
    fp = (await import(join(ROOT, 'tools/freePort.mjs'))) as FreePort;
  });

  it('gives the preferred port when it is free, another free one when it is taken', async () => {
    const probe = await listen(0);
    const free = portOf(probe);
    await close(probe);
    assert.equal(await fp.freePort(free), free);

    const taken = await listen(0);
    try {
      const other = await fp.freePort(portOf(taken));
      assert.notEqual(other, portOf(taken));
      await close(await listen(other)); // really free
      const cli = spawnSync(process.execPath, [join(ROOT, 'tools/freePort.mjs'), String(portOf(taken))], { encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      assert.match(cli.stdout, /^\d+\n$/);
      assert.notEqual(Number(cli.stdout), portOf(taken));
    } finally {
      await close(taken);
    }
  });

  it('rejects a port that is not one, in plain words', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'tools/freePort.mjs'), 'abc'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'freePort.mjs: "abc" is not a TCP port (1-65535)');
  });

  it('the e2e picks a free port unless PORT is given; the set-up command prefers 8080 and says so', () => {
    assert.match(read('test/e2e/run-e2e.sh'), /PORT=\$\{PORT:-\$\(pick_port\)\}/);
    const start = read('tools/start-code-server.sh');
    assert.match(start, /PORT=\$\(pick_port 8080\)/);
    assert.match(start, /port 8080 is taken: using \$PORT/);
  });
});
