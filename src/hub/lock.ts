/**
 * A per-repo lock file so two downloads (two VS Code windows, a window and the CLI, or two calls in
 * one process) do not write the same partial files.
 *
 * - The lock holds `<pid> <nonce>`. It appears with its content at once: it is written to a unique
 *   temporary file and hard-linked to the lock's name (link fails when the name exists), so nobody
 *   ever reads a half-written lock. Where hard links are not supported it falls back to an
 *   exclusive create.
 * - A lock whose process is gone is stale. Taking it over is serialized by a second exclusive file,
 *   `<lock>.takeover-<id>`, named after that very lock (its content and inode): only the process
 *   that creates it may remove the stale lock, and only after checking that the lock is still the
 *   stale one. A lock that changed meanwhile (someone else took over first) is left alone. After
 *   removing the stale lock the taker competes for the name like anyone else, so exactly one wins.
 * - release() removes the lock only while it still holds this process's pid and nonce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { HubError } from './errors';

const heldHere = new Set<string>();

export interface Lock {
  release(): Promise<void>;
}

export interface LockHooks {
  /** whether a process is running; default: signal 0 */
  readonly isAlive?: (pid: number) => boolean;
  /** this process's pid; default process.pid (tests simulate several processes in one) */
  readonly pid?: number;
  /** called between the steps of a takeover, so tests can interleave two of them */
  readonly step?: (name: 'read-stale' | 'took-token' | 'removed-stale') => Promise<void>;
}

const ATTEMPTS = 4;
/** A lock file that stays empty or unreadable this long (its writer crashed) counts as stale. */
const UNREADABLE_GRACE_MS = 2000;

export async function acquireLock(file: string, what: string, hooks: LockHooks = {}): Promise<Lock> {
  if (heldHere.has(file)) throw busy(file, what);
  heldHere.add(file);
  let lock: Lock;
  try {
    lock = await acquireLockFile(file, what, hooks);
  } catch (e) {
    heldHere.delete(file);
    throw e;
  }
  return {
    release: async () => {
      heldHere.delete(file);
      await lock.release();
    },
  };
}

/** The file-level lock, without the in-process set. */
export async function acquireLockFile(file: string, what: string, hooks: LockHooks = {}): Promise<Lock> {
  const pid = hooks.pid ?? process.pid;
  const isAlive = hooks.isAlive ?? processIsAlive;
  const mine = `${pid} ${randomBytes(16).toString('hex')}\n`;
  await fsp.mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(file, mine)) {
      return { release: () => releaseIfMine(file, mine) };
    }
    const seen = await readLock(file);
    if (seen === undefined) continue; // gone meanwhile: try to create it again
    const owner = ownerPid(seen.content);
    if (owner !== undefined) {
      // Our own real pid can only be a leftover of an earlier process (acquireLock keeps calls in
      // this process apart); a simulated pid (tests) is a live holder.
      const stale = owner === pid ? hooks.pid === undefined : !isAlive(owner);
      if (!stale) throw busy(file, what);
    }
    if (owner === undefined && Date.now() - seen.mtimeMs < UNREADABLE_GRACE_MS) {
      // Being written by a process that does not have hard links, or junk: wait a little.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    await hooks.step?.('read-stale');
    await takeOver(file, seen, hooks);
  }
  throw busy(file, what);
}

interface SeenLock {
  readonly content: string;
  readonly ino: number;
  readonly mtimeMs: number;
}

/** Removes `seen` if, once we hold its takeover token, the lock is still exactly `seen`. */
async function takeOver(file: string, seen: SeenLock, hooks: LockHooks): Promise<void> {
  const id = createHash('sha1').update(`${seen.ino}\0${seen.mtimeMs}\0${seen.content}`).digest('hex').slice(0, 16);
  const token = `${file}.takeover-${id}`;
  if (!(await createExclusive(token, `${hooks.pid ?? process.pid}\n`))) return; // another process is taking this one over
  try {
    await hooks.step?.('took-token');
    const now = await readLock(file);
    if (now !== undefined && now.ino === seen.ino && now.content === seen.content && now.mtimeMs === seen.mtimeMs) {
      await fsp.rm(file, { force: true });
      await hooks.step?.('removed-stale');
    }
  } finally {
    await fsp.rm(token, { force: true });
  }
}

/** Creates `file` holding `content`, atomically; false when it already exists. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, content, { flag: 'wx' });
  try {
    await fsp.link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
    // No hard links on this filesystem: an exclusive create (a reader may briefly see it empty).
    try {
      const fh = await fsp.open(file, 'wx');
      try {
        await fh.writeFile(content);
      } finally {
        await fh.close();
      }
      return true;
    } catch (e2) {
      if ((e2 as { code?: unknown }).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

async function readLock(file: string): Promise<SeenLock | undefined> {
  try {
    const fh = await fsp.open(file, 'r');
    try {
      const st = await fh.stat();
      const content = await fh.readFile('utf8');
      return { content, ino: st.ino, mtimeMs: st.mtimeMs };
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The pid in `<pid> <nonce>` (or a bare `<pid>` written by older versions); undefined for anything else. */
function ownerPid(content: string): number | undefined {
  const m = /^(\d+)(?: [0-9a-f]+)?\n?$/.exec(content);
  return m ? Number(m[1]) : undefined;
}

async function releaseIfMine(file: string, mine: string): Promise<void> {
  const now = await readLock(file).catch(() => undefined);
  if (now?.content === mine) await fsp.rm(file, { force: true });
}

function busy(file: string, what: string): HubError {
  return new HubError(
    'busy',
    `${what} is already being downloaded by another process or window (lock file ${file}). Wait for it to finish, or delete the lock file if no download is running.`,
  );
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}
