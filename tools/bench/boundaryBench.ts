/**
 * What the engine's process boundary costs: the same requests served by the same EngineServer,
 * once in this process (no boundary: replies handed over as they are) and once in the forked
 * engine process (dist/engine.js, IPC with advanced serialization), interleaved so both see the
 * same machine. A full Inspect Attention round trip at 256 tokens on GPT-2-small-sized weights:
 * `inspect` (every layer's pattern cached, thumbnails, scores, special tokens) and `headPattern`
 * (one [256, 256] pattern, the largest thing an inspection sends).
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { EngineClient, type EngineTransport } from '../../src/engine/client';
import type { EngineToHost, HostToEngine } from '../../src/engine/protocol';
import { EngineServer } from '../../src/engine/server';
import { ENGINE_MODULES } from '../../src/engineModules';
import type { AttentionEngineMethods } from '../../src/features/attention/shared/engineMethods';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { createEngineClient, engineThreads } from '../../src/platform/engineConnection';
import type { ModelSpec } from '../../src/shared/modelSpec';
import { fmt, interleavedMedians } from './timing';

const ROOT = join(__dirname, '..', '..');

/** The server in this process; replies are handed over without serialization. */
class DirectTransport extends EventEmitter implements EngineTransport {
  private readonly server = new EngineServer(
    (dir, o) => loadHookedGpt2(dir, o),
    (msg: EngineToHost) => queueMicrotask(() => this.emit('message', msg)),
    ENGINE_MODULES,
    engineThreads(),
  );
  send(msg: HostToEngine): void {
    if (msg.type === 'dispose') void this.server.dispose().then(() => this.emit('exit', 0, null));
    else this.server.handle(msg);
  }
  kill(): void {
    void this.server.dispose().then(() => this.emit('exit', null, 'SIGKILL'));
  }
}

export interface BoundaryResult {
  readonly tokens: number;
  readonly inspectInProcessMs: number;
  readonly inspectProcessMs: number;
  readonly headPatternInProcessMs: number;
  readonly headPatternProcessMs: number;
}

export async function boundaryBench(modelDir: string, tokens = 256, repeat = 7): Promise<BoundaryResult> {
  if (!existsSync(join(ROOT, 'dist', 'engine.js'))) execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) } as unknown as vscode.LogOutputChannel;
  const local = new EngineClient(() => new DirectTransport());
  const forked = createEngineClient(ROOT, quiet, { memoryLimitMb: () => 0 });
  const spec: ModelSpec = { dir: modelDir, displayName: 'bench', layerNorm: 'as_configured', prependBos: true };
  // BOS and tokens − 1 one-token words: exactly `tokens` tokens.
  const text = ' the'.repeat(tokens - 1);
  const run = (client: EngineClient, id: string) => {
    const engine = client.methods<AttentionEngineMethods>();
    return {
      inspect: async () => {
        const r = await engine.call('inspect', { model: spec, inspectionId: id, text, watchTokens: [] }).result;
        if (r.inspection.tokens.length !== tokens) throw new Error(`the bench prompt is ${r.inspection.tokens.length} tokens, not ${tokens}`);
      },
      headPattern: () => engine.call('headPattern', { inspectionId: id, layer: 5, head: 3 }).result,
    };
  };
  const a = run(local, 'local');
  const b = run(forked, 'forked');
  try {
    const [inspectInProcessMs, inspectProcessMs] = await interleavedMedians([a.inspect, b.inspect], repeat);
    const [headPatternInProcessMs, headPatternProcessMs] = await interleavedMedians([a.headPattern, b.headPattern], repeat * 3);
    return { tokens, inspectInProcessMs, inspectProcessMs, headPatternInProcessMs, headPatternProcessMs };
  } finally {
    await Promise.all([local.dispose(5000), forked.dispose(5000)]);
  }
}

export function boundaryRows(r: BoundaryResult): string[] {
  const row = (what: string, inProc: number, proc: number) => `| ${what} | ${fmt(inProc)} | ${fmt(proc)} | ${fmt(proc - inProc)} | ${fmt(proc / inProc, 2)}× |`;
  return [
    `| ${r.tokens}-token Inspect Attention | in this process (ms) | engine process (ms) | boundary (ms) | ratio |`,
    '|---|---|---|---|---|',
    row('`inspect` (forward with every pattern, thumbnails, scores)', r.inspectInProcessMs, r.inspectProcessMs),
    row(`\`headPattern\` ([${r.tokens}, ${r.tokens}] float32)`, r.headPatternInProcessMs, r.headPatternProcessMs),
  ];
}
