/** Runs the CLI's `main` in this process with stdout and stderr captured (each write kept). */
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { REPO_ROOT } from '../../repoRoot';

export const MODEL = join(REPO_ROOT, 'test', 'golden', 'checkpoints', 'f32-bare');

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** Each chunk written to stdout, in order. */
  readonly outWrites: readonly string[];
}

export async function cli(args: string[]): Promise<CliRun> {
  const outWrites: string[] = [];
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (outWrites.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: outWrites.join(''), err, outWrites };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

/** The first line of stderr: the error itself, without the usage that follows it. */
export function firstLine(err: string): string {
  return err.split('\n')[0];
}
