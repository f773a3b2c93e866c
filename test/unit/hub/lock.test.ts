import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HubError } from '../../../src/hub/errors';
import { type Lock, type LockHooks, acquireLock, acquireLockFile } from '../../../src/hub/lock';
import { REPO_ROOT } from '../../repoRoot';

const STALE_PID = 999_999_999;

describe('hub: download locks', function () {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-lock-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  /** Two simulated processes (pids 1 and 2, alive) with random yields between the takeover steps. */
  const racer = (pid: number): LockHooks => ({
    pid,
    isAlive: (p) => p !== STALE_PID,
    step: () => new Promise((r) => (Math.random() < 0.5 ? setImmediate(r) : setTimeout(r, Math.random() * 2))),
  });

  it('lets exactly one of two concurrent takeovers of a stale lock win, 300 times over', async () => {
    for (let round = 0; round < 300; round++) {
      const file = path.join(dir, `lock-${round}`);
      await fsp.writeFile(file, `${STALE_PID}\n`);
      const results = await Promise.allSettled([acquireLockFile(file, 'x', racer(1)), acquireLockFile(file, 'x', racer(2))]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
      assert.ok(lost[0].reason instanceof HubError && lost[0].reason.code === 'busy', `round ${round}: ${String(lost[0].reason)}`);
      const winner = results.findIndex((r) => r.status === 'fulfilled') + 1;
      assert.match(await fsp.readFile(file, 'utf8'), new RegExp(`^${winner} [0-9a-f]{32}\\n$`));
      const rest = (await fsp.readdir(dir)).filter((n) => n !== path.basename(file) && !/^lock-\d+$/.test(n));
      assert.deepEqual(rest, [], 'no takeover or temporary files are left');
    }
  });

  it('releases only a lock that still holds its own pid', async () => {
    const file = path.join(dir, 'lock');
    const alive = new Set([1, 2]);
    const a = await acquireLockFile(file, 'x', { pid: 1, isAlive: (p) => alive.has(p) });
    alive.delete(1); // process 1 "died"; process 2 takes the lock over
    const b: Lock = await acquireLockFile(file, 'x', { pid: 2, isAlive: (p) => alive.has(p) });
    await a.release();
    assert.match(await fsp.readFile(file, 'utf8'), /^2 /, "process 1's release left process 2's lock alone");
    await b.release();
    await assert.rejects(fsp.stat(file), { code: 'ENOENT' });
  });

  it('refuses a second holder in the same process, and takes over a bare-pid lock of a dead process', async () => {
    const file = path.join(dir, 'lock');
    const first = await acquireLock(file, 'gpt2');
    await assert.rejects(acquireLock(file, 'gpt2'), (e: unknown) => e instanceof HubError && e.code === 'busy' && /gpt2.*lock file/.test(e.message));
    await first.release();
    await fsp.writeFile(file, `${STALE_PID}\n`);
    const again = await acquireLock(file, 'gpt2');
    assert.match(await fsp.readFile(file, 'utf8'), new RegExp(`^${process.pid} `));
    await again.release();
  });

  it('two real processes taking over the same stale locks never both get one', async function () {
    this.timeout(120_000);
    const count = 40;
    for (let i = 0; i < count; i++) await fsp.writeFile(path.join(dir, `lock-${i}`), `${STALE_PID}\n`);
    const worker = path.join(REPO_ROOT, 'test/unit/hub/lockWorker.ts');
    const children = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', worker, dir, String(count)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    const outputs = children.map(
      (c) =>
        new Promise<string>((resolve) => {
          let out = '';
          c.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('\n')) resolve(out);
          });
          c.stderr.on('data', (d: Buffer) => (out += d.toString()));
          c.on('exit', () => resolve(out));
        }),
    );
    try {
      const deadline = Date.now() + 60_000;
      while ((await fsp.readdir(dir)).filter((n) => n.startsWith('ready-')).length < 2) {
        if (Date.now() > deadline) throw new Error('the workers did not start');
        await new Promise((r) => setTimeout(r, 20));
      }
      await fsp.writeFile(path.join(dir, 'go'), '');
      const results = (await Promise.all(outputs)).map((o) => JSON.parse(o.split('\n')[0]) as { got: number; busy: number; errors: string[] });
      for (const r of results) assert.deepEqual(r.errors, []);
      assert.equal(results[0].got + results[1].got, count, JSON.stringify(results));
      for (let i = 0; i < count; i++) {
        const owners = (await fsp.readFile(path.join(dir, `owner-${i}`), 'utf8')).trim().split('\n');
        assert.equal(owners.length, 1, `lock ${i} was taken by ${owners.join(' and ')}`);
      }
    } finally {
      await fsp.writeFile(path.join(dir, 'stop'), '');
      await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    }
  });
});
