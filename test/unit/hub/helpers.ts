/** Shared fixtures for the hub tests: a fake hub per test and a temporary cache root. */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DownloadProgress } from '../../../src/hub/download';
import { FakeHub } from './fakeHub';

export const CONFIG = JSON.stringify({ model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 10 });
export const VOCAB = JSON.stringify({ a: 0, b: 1, ab: 2, '<|endoftext|>': 3 });
export const MERGES = '#version: 0.2\na b\n';

/** A GPT-2-shaped repo: config, ~300 kB of random "weights", vocab.json + merges.txt. */
export function gpt2Files(weightBytes = 300_000): Record<string, Buffer | string> {
  return { 'config.json': CONFIG, 'model.safetensors': randomBytes(weightBytes), 'vocab.json': VOCAB, 'merges.txt': MERGES };
}

export interface Fixture {
  hub: FakeHub;
  cacheRoot: string;
}

/** Starts a fake hub and makes a cache root for each test; closes and removes them afterwards. */
export function useFixture(): Fixture {
  const f = {} as Fixture;
  beforeEach(async () => {
    f.hub = await FakeHub.start();
    f.cacheRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'ci-hub-'));
  });
  afterEach(async () => {
    await f.hub.close();
    await fsp.rm(f.cacheRoot, { recursive: true, force: true });
  });
  return f;
}

export async function exists(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    () => true,
    () => false,
  );
}

/** Runs `fn` expecting it to reject, and returns what it rejected with. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/**
 * Cuts the next download of `file` after `bytes`: returns an onProgress callback that drops the
 * connection once the client reports having written those bytes.
 */
export function cutAfter(hub: FakeHub, file: string, bytes: number): (p: DownloadProgress) => void {
  hub.cutOnce.set(file, bytes);
  return (p) => {
    if (p.file === file && p.received >= bytes) hub.dropCutConnections();
  };
}
