/**
 * The envelope of every message between the extension host and the engine process
 * (dist/engine.js). It knows no feature: features declare their methods as a `MethodTable` and
 * register handlers for them (src/engine/registry.ts). No `vscode` import.
 *
 * Every request carries an `id`; the engine answers it exactly once with `result` or `error`
 * (`code: 'cancelled'` when it was cancelled), and may send `progress` for it before that.
 * `cancel` and `dispose` are fire-and-forget. Messages travel with Node's advanced (structured
 * clone) serialization: typed arrays arrive as typed arrays.
 */
import { isRecord } from '../shared/guards';

/** One engine method: what it takes, what it answers, and the `detail` its progress carries. */
export interface MethodSpec {
  readonly params: unknown;
  readonly result: unknown;
  readonly progress?: unknown;
}

/** A feature's engine methods, by name: declare it as a `type` alias (an interface has no index signature and does not satisfy this). */
export type MethodTable = { [method: string]: MethodSpec };

export interface RequestMessage {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}
export interface DisposeMessage {
  readonly type: 'dispose';
}
export type HostToEngine = RequestMessage | CancelMessage | DisposeMessage;

export type EngineErrorCode =
  /** The request was cancelled (before it ran, or while it ran: its result is dropped). */
  | 'cancelled'
  /** The prompt has more tokens than the model's context; `promptTokens` and `n_ctx` say by how much. */
  | 'too-long'
  /** Nothing to run: the text has no tokens. */
  | 'empty'
  /** The model could not be loaded. */
  | 'load-failed'
  /** A request names results (an inspection, a comparison) that the engine no longer keeps. */
  | 'unknown-context'
  /** No feature registered the method. */
  | 'unknown-method'
  /** The engine process stopped (crash, out of memory, killed, restarted) before answering. */
  | 'engine-exited'
  | 'bad-request'
  | 'failed';

export interface EngineErrorInfo {
  readonly code: EngineErrorCode;
  readonly message: string;
  readonly promptTokens?: number;
  readonly n_ctx?: number;
}

export type ProgressPhase = 'loading' | 'running';
export type LogLevel = 'info' | 'warn' | 'error';

export type EngineToHost =
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: EngineErrorInfo }
  | { readonly type: 'progress'; readonly id: number; readonly phase: ProgressPhase; readonly message: string; readonly detail?: unknown }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string };

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly promptTokens?: number;
  readonly n_ctx?: number;
  constructor(info: EngineErrorInfo) {
    super(info.message);
    this.name = 'EngineError';
    this.code = info.code;
    this.promptTokens = info.promptTokens;
    this.n_ctx = info.n_ctx;
  }
  toInfo(): EngineErrorInfo {
    return { code: this.code, message: this.message, promptTokens: this.promptTokens, n_ctx: this.n_ctx };
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof EngineError && e.code === 'cancelled';
}

export function badRequest(message: string): EngineError {
  return new EngineError({ code: 'bad-request', message });
}

export function cancelled(message = 'cancelled'): EngineError {
  return new EngineError({ code: 'cancelled', message });
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Envelope check for messages arriving at the engine (params are checked by each handler). */
export function isHostToEngine(msg: unknown): msg is HostToEngine {
  if (!isRecord(msg)) return false;
  if (msg.type === 'dispose') return true;
  if (msg.type === 'cancel') return isId(msg.id);
  return msg.type === 'request' && isId(msg.id) && typeof msg.method === 'string' && isRecord(msg.params);
}

/** Envelope check for messages arriving at the host. */
export function isEngineToHost(msg: unknown): msg is EngineToHost {
  if (!isRecord(msg)) return false;
  switch (msg.type) {
    case 'result':
      return isId(msg.id);
    case 'error':
      return isId(msg.id) && isRecord(msg.error) && typeof msg.error.code === 'string' && typeof msg.error.message === 'string';
    case 'progress':
      return isId(msg.id) && (msg.phase === 'loading' || msg.phase === 'running') && typeof msg.message === 'string';
    case 'log':
      return typeof msg.message === 'string' && (msg.level === 'info' || msg.level === 'warn' || msg.level === 'error');
    default:
      return false;
  }
}
