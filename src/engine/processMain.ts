/**
 * The engine process's main loop (dist/engine.js, forked by the extension host): messages from the
 * parent go to an EngineServer, replies go back over the IPC channel. The process ends when the
 * parent asks (`dispose`), when the parent goes away (no orphaned engine keeps a model in memory),
 * or when its memory passes the limit it was given (the parent then explains the exit).
 */
import { loadHookedGpt2 } from '../model/loadHookedGpt2';
import { errorMessage } from '../shared/errors';
import { isHostToEngine, type EngineToHost } from './protocol';
import type { AnyEngineModule } from './registry';
import { EngineServer } from './server';

/** Environment variables the parent sets for the engine process. */
export const ENGINE_ENV = {
  threads: 'CIRCUIT_INSPECTOR_ENGINE_THREADS',
  memoryLimitMb: 'CIRCUIT_INSPECTOR_ENGINE_MEMORY_LIMIT_MB',
} as const;

/**
 * glibc malloc settings for the engine process (ignored by other C libraries), unless the user set
 * them: one malloc arena and a fixed mmap threshold, so onnxruntime's large per-run buffers, allocated
 * from its worker threads, go back to the system when a run ends instead of staying in per-thread
 * arenas. Measured: one batched patched run at 1024 tokens (9 elements, 12 layers) peaks at 2258 MiB
 * instead of 3237 MiB.
 */
export const ENGINE_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** Exit code of an engine that stopped itself for using more memory than its limit. */
export const EXIT_OVER_MEMORY_LIMIT = 87;

const MEMORY_CHECK_MS = 250;

export function serveOverProcessChannel(modules: readonly AnyEngineModule[]): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('the engine must be started with an IPC channel (child_process.fork)');
  // The memory limit is checked where it is certain to be seen: when a request arrives, before a
  // result leaves (an engine over its limit takes no more work and delivers nothing), and on a
  // timer between runs. The parent also watches the process from outside on Linux.
  const limitMb = positiveInt(process.env[ENGINE_ENV.memoryLimitMb]);
  const exitIfOverLimit = () => {
    if (limitMb && process.memoryUsage.rss() > limitMb * 2 ** 20) process.exit(EXIT_OVER_MEMORY_LIMIT);
  };
  const post = (msg: EngineToHost) => {
    if (msg.type === 'result') exitIfOverLimit();
    if (process.connected) send(msg);
  };
  const threads = positiveInt(process.env[ENGINE_ENV.threads]);
  const server = new EngineServer((dir, options) => loadHookedGpt2(dir, options), post, modules, threads);

  process.on('message', (msg: unknown) => {
    if (!isHostToEngine(msg)) {
      post({ type: 'log', level: 'warn', message: 'the engine ignored a malformed message' });
      return;
    }
    if (msg.type === 'dispose') {
      void server.dispose().finally(() => process.exit(0));
      return;
    }
    if (msg.type === 'request') exitIfOverLimit();
    server.handle(msg);
  });
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (e) => {
    post({ type: 'log', level: 'error', message: `engine: uncaught ${errorMessage(e)}` });
    process.exit(70);
  });

  // The timer covers what the JS heap limit cannot see (onnxruntime's native buffers) between runs.
  if (limitMb) setInterval(exitIfOverLimit, MEMORY_CHECK_MS).unref();
  post({
    type: 'log',
    level: 'info',
    message: `engine process ${process.pid} ready (${threads ?? 'default'} threads, memory limit ${limitMb ? `${limitMb} MB` : 'none'})`,
  });
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
