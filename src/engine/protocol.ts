/**
 * Messages between the extension host and the engine worker (dist/engine.js). No `vscode`
 * import: both sides and the unit tests use it.
 *
 * Every request carries an `id`; the worker answers it exactly once with `result` or `error`
 * (`code: 'cancelled'` when the request was cancelled), and may send `progress` for it before that.
 * `cancel` and `dispose` are fire-and-forget. Runs are served one at a time, in order: cancelling a
 * queued run removes it; cancelling the run in flight lets it finish and drops its result (the
 * previous inspection's patterns stay the ones kept for `headPattern` / `tokenActivity`).
 */
import type { InspectionParams } from '../features/attention/shared/protocol';
import { PATCHING_ENGINE_METHODS, type PatchingEngineMethods } from '../features/substitution/shared/engineMethods';

/** Which model to run and how; a different spec makes the worker reload. */
export interface ModelSpec {
  /** Folder with config.json, weights and tokenizer files. */
  readonly dir: string;
  /** Shown in the panel and the status bar. */
  readonly displayName: string;
  readonly layerNorm: 'as_configured' | 'identity';
  readonly prependBos: boolean;
  /** onnxruntime intra-op threads; absent = ORT's choice. */
  readonly threads?: number;
}

export function modelSpecKey(m: ModelSpec): string {
  return JSON.stringify([m.dir, m.layerNorm, m.prependBos, m.threads ?? null]);
}

export interface InspectParams {
  readonly model: ModelSpec;
  readonly inspectionId: string;
  /** The prompt text (already EOL-normalised by the host). */
  readonly text: string;
  readonly watchTokens: readonly string[];
  /**
   * Keep only the first `truncateTo` tokens (BOS included). Without it a prompt longer than the
   * model's context fails with code `too-long`.
   */
  readonly truncateTo?: number;
}

export interface InspectResult {
  readonly inspection: InspectionParams;
  /** Tokens before truncation (equal to inspection.tokens.length when not truncated). */
  readonly promptTokens: number;
  readonly truncated: boolean;
  /** The model's context (n_positions). */
  readonly nCtx: number;
  readonly loadMs: number;
  readonly runMs: number;
}

export interface HeadPatternQuery {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
}

export interface HeadPatternResult {
  readonly inspectionId: string;
  readonly layer: number;
  readonly head: number;
  readonly n_tokens: number;
  readonly pattern_q_k: Float32Array;
}

export interface TokenActivityQuery {
  readonly inspectionId: string;
  readonly tokenIndex: number;
}

/** One head's strongest attention from and to one token (BOS keys left out of `from`). */
export interface HeadActivity {
  readonly layer: number;
  readonly head: number;
  /** max over keys k ≠ BOS, k ≤ q of pattern[q = token, k]; 0 when there is no such key. */
  readonly fromWeight: number;
  /** The key that maximum is at, or -1. */
  readonly fromKey: number;
  /** max over later queries q > token of pattern[q, k = token]; 0 for the last token. */
  readonly toWeight: number;
  /** The query that maximum is at, or -1. */
  readonly toQuery: number;
}

export interface TokenActivityResult {
  readonly inspectionId: string;
  readonly tokenIndex: number;
  readonly n_layers: number;
  readonly n_heads: number;
  /** Ordered by layer then head. */
  readonly heads: readonly HeadActivity[];
}

/** Request methods and their params/results (patching ones: patchingEngineProtocol.ts). */
export interface EngineMethods extends PatchingEngineMethods {
  inspect: { params: InspectParams; result: InspectResult };
  headPattern: { params: HeadPatternQuery; result: HeadPatternResult };
  tokenActivity: { params: TokenActivityQuery; result: TokenActivityResult };
}
export type EngineMethod = keyof EngineMethods;
export const ENGINE_METHODS: readonly EngineMethod[] = ['inspect', 'headPattern', 'tokenActivity', ...PATCHING_ENGINE_METHODS];

export type EngineRequest = {
  [M in EngineMethod]: { readonly type: 'request'; readonly id: number; readonly method: M; readonly params: EngineMethods[M]['params'] };
}[EngineMethod];

export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}
export interface DisposeMessage {
  readonly type: 'dispose';
}
export type HostToEngine = EngineRequest | CancelMessage | DisposeMessage;

export type EngineErrorCode =
  /** The request was cancelled (queued, or in flight and its result dropped). */
  | 'cancelled'
  /** The prompt has more tokens than the model's context; `details` has promptTokens and nCtx. */
  | 'too-long'
  /** Nothing to run: the text has no tokens. */
  | 'empty'
  /** The model could not be loaded. */
  | 'load-failed'
  /** headPattern / tokenActivity for an inspection the worker no longer keeps. */
  | 'unknown-inspection'
  | 'bad-request'
  | 'failed';

export interface EngineErrorInfo {
  readonly code: EngineErrorCode;
  readonly message: string;
  readonly promptTokens?: number;
  readonly nCtx?: number;
}

export type ProgressPhase = 'loading' | 'running';

export type EngineToHost =
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: EngineErrorInfo }
  | { readonly type: 'progress'; readonly id: number; readonly phase: ProgressPhase; readonly message: string; readonly detail?: unknown }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string };

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly promptTokens?: number;
  readonly nCtx?: number;
  constructor(info: EngineErrorInfo) {
    super(info.message);
    this.name = 'EngineError';
    this.code = info.code;
    this.promptTokens = info.promptTokens;
    this.nCtx = info.nCtx;
  }
  toInfo(): EngineErrorInfo {
    return { code: this.code, message: this.message, promptTokens: this.promptTokens, nCtx: this.nCtx };
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof EngineError && e.code === 'cancelled';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Envelope check for messages arriving at the worker (params are checked by each handler). */
export function isHostToEngine(msg: unknown): msg is HostToEngine {
  if (!isRecord(msg)) return false;
  if (msg.type === 'dispose') return true;
  if (msg.type === 'cancel') return isId(msg.id);
  return msg.type === 'request' && isId(msg.id) && ENGINE_METHODS.some((m) => m === msg.method) && isRecord(msg.params);
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
