/**
 * The extension host's handle on the engine: requests with ids, progress, cancel, dispose, and a
 * typed view per feature (`client.methods<AttentionEngineMethods>()`). The engine starts on the
 * first request and starts again on the next request after it stopped (every request pending when
 * it stopped fails with `engine-exited`, saying why). No `vscode` import: the engine is made by an
 * injected factory (a forked process in the extension, a fake in tests).
 */
import { errorMessage } from '../shared/errors';
import { EngineError, isEngineToHost, type HostToEngine, type LogLevel, type MethodTable, type ProgressPhase } from './protocol';

/** The part of a child process (or a test double) the client uses. */
export interface EngineTransport {
  send(msg: HostToEngine): void;
  on(event: 'message', listener: (msg: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  /** Ends the engine at once (SIGKILL for a process). */
  kill(): void;
  /** The process id, when the engine is a process. */
  readonly pid?: number;
}

/** Why the engine stopped, in words a user can act on (set by whoever kills it on purpose). */
export type ExitExplainer = (code: number | null, signal: NodeJS.Signals | null) => string;

export type ProgressListener<P = unknown> = (phase: ProgressPhase, message: string, detail?: P) => void;
export type LogListener = (level: LogLevel, message: string) => void;

export interface EngineCall<T> {
  readonly id: number;
  readonly result: Promise<T>;
  /** Drops the result (a queued request does not start; a running one finishes in the engine, unseen). */
  cancel(): void;
}

/** A feature's typed view of the engine: only its own methods, with their params and results. */
export interface TypedEngine<T extends MethodTable> {
  call<M extends keyof T & string>(method: M, params: T[M]['params'], onProgress?: ProgressListener<T[M]['progress']>): EngineCall<T[M]['result']>;
  /** Cancels every pending call of `method` made through this client. */
  cancelAll(method: keyof T & string): void;
}

export interface EngineEvents {
  /** The engine stopped while the client was not disposed; `pending` requests failed. */
  exited?(reason: string, pending: readonly string[]): void;
  /** A request was handed to the engine (tests use it to act while a request is in flight). */
  sent?(method: string, id: number): void;
}

interface Pending {
  readonly method: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  readonly onProgress?: ProgressListener;
}

export class EngineClient {
  private transport: EngineTransport | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Set when the client ends the engine on purpose, so the exit is explained rather than guessed. */
  private exitReason: string | undefined;

  constructor(
    private readonly start: () => EngineTransport,
    private readonly onLog: LogListener = () => undefined,
    private readonly events: EngineEvents = {},
    private readonly explainExit: ExitExplainer = describeExit,
  ) {}

  methods<T extends MethodTable>(): TypedEngine<T> {
    return {
      call: (method, params, onProgress) => this.call(method, params, onProgress as ProgressListener | undefined) as EngineCall<never>,
      cancelAll: (method) => this.cancelAll(method),
    };
  }

  call(method: string, params: unknown, onProgress?: ProgressListener): EngineCall<unknown> {
    const id = this.nextId++;
    const result = new Promise<unknown>((resolve, reject) => {
      if (this.disposed) {
        reject(new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
        return;
      }
      this.pending.set(id, { method, resolve, reject, onProgress });
      try {
        this.ensureStarted().send({ type: 'request', id, method, params });
        this.events.sent?.(method, id);
      } catch (e) {
        this.pending.delete(id);
        reject(new EngineError({ code: 'failed', message: `could not reach the engine: ${errorMessage(e)}` }));
      }
    });
    return { id, result, cancel: () => this.cancel(id) };
  }

  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(new EngineError({ code: 'cancelled', message: 'cancelled' }));
    this.trySend({ type: 'cancel', id });
  }

  cancelAll(method: string): void {
    for (const [id, p] of [...this.pending]) if (p.method === method) this.cancel(id);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get started(): boolean {
    return this.transport !== undefined;
  }

  /** The engine process id, while it runs. */
  get pid(): number | undefined {
    return this.transport?.pid;
  }

  /**
   * Ends the engine now (a hard cancel: whatever it was running stops mid-way); pending requests
   * fail with `reason`. The next request starts a new engine.
   */
  restart(reason: string): void {
    const t = this.transport;
    if (!t) return;
    this.exitReason = reason;
    t.kill();
  }

  /** Asks the engine to release its model and exit, and ends it after `graceMs` if it has not. */
  async dispose(graceMs = 2000): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
    const t = this.transport;
    this.transport = undefined;
    if (!t) return;
    const exited = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        t.kill();
        resolve();
      }, graceMs);
      t.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    try {
      t.send({ type: 'dispose' });
    } catch {
      t.kill(); // the channel is already gone
    }
    await exited;
  }

  private trySend(msg: HostToEngine): void {
    try {
      this.transport?.send(msg);
    } catch {
      // the engine is gone; its exit handler fails what is pending
    }
  }

  private ensureStarted(): EngineTransport {
    if (this.transport) return this.transport;
    const t = this.start();
    this.transport = t;
    this.exitReason = undefined;
    t.on('message', (msg) => this.onMessage(msg));
    // A process that cannot start, or whose channel broke, may never report an exit: end it and
    // fail what is pending rather than wait forever.
    t.on('error', (err) => {
      this.onLog('error', `engine error: ${err.message}`);
      if (this.transport === t) t.kill();
      this.lost(t, `it failed: ${err.message}`);
    });
    t.on('exit', (code, signal) => this.lost(t, this.exitReason ?? this.explainExit(code, signal)));
    return t;
  }

  private lost(t: EngineTransport, reason: string): void {
    if (this.transport !== t) return;
    this.transport = undefined;
    this.exitReason = undefined;
    if (this.disposed) return;
    const methods = [...this.pending.values()].map((p) => p.method);
    const running = methods.length ? ` while running ${[...new Set(methods)].join(', ')}` : '';
    const message = `The engine process stopped (${reason})${running}; it starts again on the next request.`;
    this.onLog('warn', message);
    this.failAll(new EngineError({ code: 'engine-exited', message }));
    this.events.exited?.(reason, methods);
  }

  private failAll(e: EngineError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private onMessage(msg: unknown): void {
    if (!isEngineToHost(msg)) {
      this.onLog('warn', 'ignored a malformed message from the engine');
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

/** "killed by SIGKILL", "exit code 134": what an exit says when nobody explained it. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return code === 0 ? 'it exited' : `exit code ${code}`;
}
