/**
 * The extension host's handle on the engine worker: typed requests with ids, progress, cancel and
 * dispose. The worker starts on the first request and is restarted after it dies (every pending
 * request then fails). No `vscode` import: the worker is made by an injected factory.
 */
import {
  EngineError,
  isEngineToHost,
  type EngineMethod,
  type EngineMethods,
  type HostToEngine,
  type ProgressPhase,
} from './protocol';

/** The part of node's Worker the client uses (a fake in tests). */
export interface WorkerLike {
  postMessage(msg: HostToEngine): void;
  on(event: 'message', listener: (msg: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number> | void;
}

export type ProgressListener = (phase: ProgressPhase, message: string, detail?: unknown) => void;
export type LogListener = (level: 'info' | 'warn' | 'error', message: string) => void;

interface Pending {
  readonly method: EngineMethod;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  readonly onProgress?: ProgressListener;
  /** Cancelled here: settle as cancelled whatever the worker answers. */
  cancelled: boolean;
}

export interface EngineCall<T> {
  readonly id: number;
  readonly result: Promise<T>;
  /** Drops the result (a queued run does not start; a running one finishes in the worker, unseen). */
  cancel(): void;
}

export class EngineClient {
  private worker: WorkerLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    private readonly createWorker: () => WorkerLike,
    private readonly onLog: LogListener = () => undefined,
  ) {}

  call<M extends EngineMethod>(method: M, params: EngineMethods[M]['params'], onProgress?: ProgressListener): EngineCall<EngineMethods[M]['result']> {
    const id = this.nextId++;
    const result = new Promise<EngineMethods[M]['result']>((resolve, reject) => {
      if (this.disposed) {
        reject(new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
        return;
      }
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, onProgress, cancelled: false });
      try {
        this.ensureWorker().postMessage({ type: 'request', id, method, params } as HostToEngine);
      } catch (e) {
        this.pending.delete(id);
        reject(e);
      }
    });
    return { id, result, cancel: () => this.cancel(id) };
  }

  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p || p.cancelled) return;
    p.cancelled = true;
    this.pending.delete(id);
    p.reject(new EngineError({ code: 'cancelled', message: 'cancelled' }));
    this.worker?.postMessage({ type: 'cancel', id });
  }

  /** Cancels every pending inspect run (a new run supersedes them). */
  cancelRuns(): void {
    for (const [id, p] of [...this.pending]) if (p.method === 'inspect') this.cancel(id);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Asks the worker to release its model, then terminates it after `graceMs`. */
  async dispose(graceMs = 2000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    try {
      w.postMessage({ type: 'dispose' });
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      w.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await w.terminate();
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.createWorker();
    this.worker = w;
    w.on('message', (msg) => this.onMessage(msg));
    w.on('error', (err) => {
      this.onLog('error', `engine worker error: ${err.stack ?? err.message}`);
      this.lost(w, `the engine worker failed: ${err.message}`);
    });
    w.on('exit', (code) => this.lost(w, `the engine worker exited (code ${code})`));
    return w;
  }

  private lost(w: WorkerLike, message: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (!this.disposed) this.onLog('warn', `${message}; it restarts on the next request`);
    this.failAll(new EngineError({ code: 'failed', message }));
  }

  private failAll(e: EngineError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private onMessage(msg: unknown): void {
    if (!isEngineToHost(msg)) {
      this.onLog('warn', 'ignored a malformed message from the engine worker');
      return;
    }
    if (msg.type === 'log') {
      this.onLog(msg.level, msg.message);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // cancelled here, or already settled: drop it
    if (msg.type === 'progress') {
      p.onProgress?.(msg.phase, msg.message, msg.detail);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.result);
    else p.reject(new EngineError(msg.error));
  }
}
