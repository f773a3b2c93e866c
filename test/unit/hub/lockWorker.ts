/**
 * A child process for lock.test.ts: waits for `<dir>/go`, then tries to take each of `count` stale
 * locks `<dir>/lock-<i>`; for each it gets, it appends its pid to `<dir>/owner-<i>`. It keeps every
 * lock (it stays alive until told to stop), so a second owner of one lock is a real double take.
 * Prints one JSON line: { got, busy, errors }.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { acquireLock } from '../../../src/hub/lock';

async function main(): Promise<void> {
  const [dir, countRaw] = process.argv.slice(2);
  const count = Number(countRaw);
  await fsp.writeFile(path.join(dir, `ready-${process.pid}`), '');
  while (
    !(await fsp.stat(path.join(dir, 'go')).then(
      () => true,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 5));
  let got = 0;
  let busy = 0;
  const errors: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      await acquireLock(path.join(dir, `lock-${i}`), `lock ${i}`);
      await fsp.appendFile(path.join(dir, `owner-${i}`), `${process.pid}\n`);
      got++;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'busy') busy++;
      else errors.push(String(e));
    }
  }
  process.stdout.write(`${JSON.stringify({ got, busy, errors })}\n`);
  while (
    !(await fsp.stat(path.join(dir, 'stop')).then(
      () => true,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 5));
}

void main();
