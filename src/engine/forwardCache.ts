/**
 * The engine's recent forwards, shared by every feature: a forward's cached hooks and logits, keyed
 * by the model spec and the token ids. One feature's run serves another's later request for the same
 * prompt (the attention panel's forward serves the residual-stream view), so "one inspection, one
 * forward" holds across panels without features knowing each other.
 *
 * Bounded: at most `maxEntries` forwards (least recently used dropped first), and older entries are
 * dropped while the total exceeds `maxBytes` (the newest always stays: it is what the panel on
 * screen reads). A forward of another model spec drops every entry of the previous one. No `vscode`.
 */
import type { HookName } from '../shared/hookNames';
import { modelSpecKey, type ModelSpec } from '../shared/modelSpec';
import { ActivationCache } from '../model/activationCache';
import type { RunResult } from '../model/runOptions';
import type { Float32Tensor } from '../model/tensor';

export interface ForwardNeed {
  /** Hooks the caller reads from the cache. */
  readonly hooks: readonly HookName[];
  /** Positions whose logits the caller reads (none: logits are not needed). */
  readonly logitPositions?: readonly number[];
}

interface Entry {
  readonly key: string;
  readonly specKey: string;
  readonly run: RunResult;
  readonly bytes: number;
}

export interface ForwardCacheOptions {
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

export class ForwardCache {
  private readonly entries: Entry[] = []; // most recent last
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(options: ForwardCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2;
    this.maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
  }

  /** The cached forward of these tokens that has everything `need` asks for, or undefined. */
  find(spec: ModelSpec, tokenIds: readonly number[], need: ForwardNeed): RunResult | undefined {
    const key = forwardKey(spec, tokenIds);
    const i = this.entries.findIndex((e) => e.key === key && covers(e.run, need));
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.push(e);
    return e.run;
  }

  /**
   * Keeps a forward, then trims to the bounds. A forward of tokens already kept is merged with the
   * kept one (the hooks of both; the logits of the one with more positions), so a narrow run never
   * takes away what a wider one fetched.
   */
  put(spec: ModelSpec, tokenIds: readonly number[], run: RunResult): void {
    const key = forwardKey(spec, tokenIds);
    const specKey = modelSpecKey(spec);
    let merged = run;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.key === key) merged = mergeRuns(e.run, merged);
      if (e.key === key || e.specKey !== specKey) this.entries.splice(i, 1);
    }
    this.entries.push({ key, specKey, run: merged, bytes: runBytes(merged) });
    while (this.entries.length > this.maxEntries || (this.entries.length > 1 && this.bytes > this.maxBytes)) this.entries.shift();
  }

  /**
   * The cached forward when it covers `need`, else `run()`'s result, kept for the next caller.
   * `reused` says which: tests and logs read it.
   */
  async getOrRun(spec: ModelSpec, tokenIds: readonly number[], need: ForwardNeed, run: () => Promise<RunResult>): Promise<{ run: RunResult; reused: boolean }> {
    const hit = this.find(spec, tokenIds, need);
    if (hit) return { run: hit, reused: true };
    const fresh = await run();
    this.put(spec, tokenIds, fresh);
    return { run: fresh, reused: false };
  }

  /**
   * Before a forward of about `bytes`: drops the least recently used entries until what is held plus
   * that forward fits the byte bound. Two long prompts' activations are then not held while a third
   * is made (at 1024 tokens on GPT-2 small each holds ~0.7 GB of patterns).
   */
  reserve(bytes: number): void {
    while (this.entries.length > 0 && this.bytes + bytes > this.maxBytes) this.entries.shift();
  }

  /** The byte bound (entries beyond it are dropped, the newest excepted). */
  get byteLimit(): number {
    return this.maxBytes;
  }

  get size(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.entries.reduce((n, e) => n + e.bytes, 0);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

function forwardKey(spec: ModelSpec, tokenIds: readonly number[]): string {
  return `${modelSpecKey(spec)}|${tokenIds.join(',')}`;
}

function covers(run: RunResult, need: ForwardNeed): boolean {
  if (!need.hooks.every((h) => run.cache.has(h))) return false;
  const positions = need.logitPositions ?? [];
  return positions.length === 0 || (run.logits !== undefined && positions.every((p) => run.logitPositions.includes(p)));
}

function mergeRuns(older: RunResult, newer: RunResult): RunResult {
  const values = new Map<HookName, Float32Tensor>();
  for (const r of [older, newer]) for (const h of r.cache.names) values.set(h, r.cache.get(h));
  const logitsFrom = (newer.logits ? newer.logitPositions.length : -1) >= (older.logits ? older.logitPositions.length : -1) ? newer : older;
  return { cache: new ActivationCache(values), logits: logitsFrom.logits, logitPositions: logitsFrom.logitPositions };
}

function runBytes(run: RunResult): number {
  let n = run.logits?.data.byteLength ?? 0;
  for (const h of run.cache.names) n += run.cache.get(h).data.byteLength;
  return n;
}
