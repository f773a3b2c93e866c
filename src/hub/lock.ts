/**
 * A per-repo lock file so two downloads (two VS Code windows, or two calls in one) do not write the
 * same partial files. It holds the owner's pid; a lock whose process is gone is taken over.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { HubError } from './errors';

const heldHere = new Set<string>();

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(file: string, what: string): Promise<Lock> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    if (heldHere.has(file)) break;
    try {
      const fh = await fsp.open(file, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      heldHere.add(file);
      return {
        release: async () => {
          heldHere.delete(file);
          await fsp.rm(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      const owner = Number.parseInt(await fsp.readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) break;
      // stale: its process is gone (or it is our pid left by an earlier process, as calls here are in heldHere)
      await fsp.rm(file, { force: true });
    }
  }
  throw new HubError(
    'busy',
    `${what} is already being downloaded by another process or window (lock file ${file}). Wait for it to finish, or delete the lock file if no download is running.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}
