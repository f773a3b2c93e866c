/** Runs the PyTorch eager baseline (tools/reference/bench_torch.py) on the same weights, when torch is installed. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

export function torchAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface TorchTiming {
  readonly load_s: number;
  readonly forward_last_ms: number;
  readonly forward_all_ms: number;
}

export function torchForward(checkpoint: string, tokens: number, repeat: number, threads: number): TorchTiming {
  const script = join(__dirname, '..', 'reference', 'bench_torch.py');
  const r = spawnSync(PYTHON, [script, '--checkpoint', checkpoint, '--tokens', String(tokens), '--repeat', String(repeat), '--threads', String(threads)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench_torch.py failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as TorchTiming;
}
