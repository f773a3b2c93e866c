/**
 * The extension's one engine process (dist/engine.js), shared by every feature so the model is in
 * memory once. It is forked on the first request with Node's advanced serialization (typed arrays
 * cross as typed arrays), and started again on the next request after it stops. A crash, an
 * out-of-memory abort or a hard cancel (Restart Engine) ends only that process: the pending
 * requests fail with a message that says why, in the panel and in the Output channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { describeExit, EngineClient, type EngineEvents, type EngineTransport } from '../engine/client';
import { ENGINE_ENV, ENGINE_MALLOC_ENV, EXIT_OVER_MEMORY_LIMIT } from '../engine/processMain';

/** onnxruntime threads: the cores we may use, at most 4 (leave the editor some CPU). */
export function engineThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** The memory limit in MB: the setting, or (0) four fifths of the machine's memory. */
export function effectiveMemoryLimitMb(settingMb: number): number {
  return settingMb > 0 ? settingMb : Math.floor((os.totalmem() / 2 ** 20) * 0.8);
}

/** How often the host looks at the engine's resident memory from outside (Linux). */
const WATCH_MS = 200;

export interface EngineConnectionOptions {
  /** The current memory limit (read at each start and each check, so a changed setting applies). */
  memoryLimitMb(): number;
  readonly events?: EngineEvents;
}

export function createEngineClient(extensionPath: string, log: vscode.LogOutputChannel, options: EngineConnectionOptions): EngineClient {
  const enginePath = path.join(extensionPath, 'dist', 'engine.js');
  let overLimit: { rssMb: number; limitMb: number } | undefined;
  const explain = (code: number | null, signal: NodeJS.Signals | null): string => {
    const o = overLimit;
    overLimit = undefined;
    if (o || code === EXIT_OVER_MEMORY_LIMIT) {
      const limit = o?.limitMb ?? options.memoryLimitMb();
      return `it used ${o ? `${o.rssMb} MB` : 'more memory than allowed'}, over the limit of ${limit} MB (setting circuitInspector.engineMemoryLimitMB)`;
    }
    if (code === 134 || signal === 'SIGABRT') return 'it aborted: an onnxruntime or out-of-memory failure';
    return describeExit(code, signal);
  };
  const start = (): EngineTransport => {
    const limitMb = options.memoryLimitMb();
    log.info(`starting the engine process ${enginePath} (memory limit ${limitMb} MB)`);
    const child = fork(enginePath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // The JS heap gets the same ceiling; the watchdogs cover onnxruntime's native memory.
      execArgv: limitMb > 0 ? [`--max-old-space-size=${limitMb}`] : [],
      env: {
        ...ENGINE_MALLOC_ENV,
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1',
        [ENGINE_ENV.threads]: String(engineThreads()),
        [ENGINE_ENV.memoryLimitMb]: String(limitMb),
      },
    });
    child.stdout?.on('data', (b: Buffer) => log.info(`[engine stdout] ${b.toString('utf8').trimEnd()}`));
    child.stderr?.on('data', (b: Buffer) => log.warn(`[engine stderr] ${b.toString('utf8').trimEnd()}`));
    const stopWatching = watchMemory(child, options.memoryLimitMb, (rssMb, limit) => {
      overLimit = { rssMb, limitMb: limit };
      log.error(`the engine process uses ${rssMb} MB, over its limit of ${limit} MB: stopping it`);
      child.kill('SIGKILL');
    });
    child.on('exit', stopWatching);
    return processTransport(child);
  };
  return new EngineClient(start, (level, message) => log[level](`[engine] ${message}`), options.events, explain);
}

function processTransport(child: ChildProcess): EngineTransport {
  return {
    send: (msg) => {
      if (!child.connected) throw new Error('the engine process is not connected');
      child.send(msg);
    },
    on: (event: 'message' | 'error' | 'exit', listener: (...args: never[]) => void) => child.on(event, listener as (...args: unknown[]) => void),
    kill: () => void child.kill('SIGKILL'),
    get pid() {
      return child.pid;
    },
  } as EngineTransport;
}

/** Polls /proc/<pid>/status (Linux) and calls `over` once when the resident size passes the limit. */
function watchMemory(child: ChildProcess, limitMb: () => number, over: (rssMb: number, limitMb: number) => void): () => void {
  if (process.platform !== 'linux' || child.pid === undefined) return () => undefined;
  const file = `/proc/${child.pid}/status`;
  const timer = setInterval(() => {
    let rssKb: number;
    try {
      rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
    } catch {
      clearInterval(timer);
      return;
    }
    const rssMb = Math.round(rssKb / 1024);
    const limit = limitMb();
    if (limit > 0 && rssMb > limit) {
      clearInterval(timer);
      over(rssMb, limit);
    }
  }, WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}
