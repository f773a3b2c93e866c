/**
 * Message envelopes shared by every webview protocol (no `vscode` import): commands and
 * notifications (`method` + `params`), requests (with an `id`) and their responses (`params` or
 * `error`), each declared once by a definer that gives it a `create` and an `is` guard.
 */
import { isIndex, isRecord } from './guards';

/** A command or notification: fire and forget. */
export interface Message<M extends string, P> {
  readonly method: M;
  readonly params: P;
}

/** A request: the response echoes `id`. */
export interface RequestMessage<M extends string, P> extends Message<M, P> {
  readonly id: number;
}

/** A response to request `id`: either `params` or `error`. */
export type ResponseMessage<M extends string, P> =
  | { readonly method: M; readonly id: number; readonly params: P; readonly error?: undefined }
  | { readonly method: M; readonly id: number; readonly params?: undefined; readonly error: string };

export type Check<P> = (value: unknown) => value is P;

export interface NotificationDef<M extends string, P> {
  readonly method: M;
  readonly kind: 'command' | 'notification';
  readonly direction: 'webviewToHost' | 'hostToWebview';
  create(params: P): Message<M, P>;
  is(msg: unknown): msg is Message<M, P>;
}

export interface RequestDef<M extends string, P> {
  readonly method: M;
  readonly kind: 'request';
  readonly direction: 'webviewToHost';
  create(id: number, params: P): RequestMessage<M, P>;
  is(msg: unknown): msg is RequestMessage<M, P>;
}

export interface ResponseDef<M extends string, P> {
  readonly method: M;
  readonly kind: 'response';
  readonly direction: 'hostToWebview';
  result(id: number, params: P): ResponseMessage<M, P>;
  error(id: number, error: string): ResponseMessage<M, P>;
  is(msg: unknown): msg is ResponseMessage<M, P>;
}

export function defineMessage<M extends string, P>(method: M, kind: 'command' | 'notification', check: Check<P>): NotificationDef<M, P> {
  return {
    method,
    kind,
    direction: kind === 'command' ? 'webviewToHost' : 'hostToWebview',
    create: (params) => ({ method, params }),
    is: (msg): msg is Message<M, P> => isRecord(msg) && msg.method === method && check(msg.params),
  };
}

export function defineRequest<M extends string, P>(method: M, check: Check<P>): RequestDef<M, P> {
  return {
    method,
    kind: 'request',
    direction: 'webviewToHost',
    create: (id, params) => ({ method, id, params }),
    is: (msg): msg is RequestMessage<M, P> => isRecord(msg) && msg.method === method && isIndex(msg.id) && check(msg.params),
  };
}

export function defineResponse<M extends string, P>(method: M, check: Check<P>): ResponseDef<M, P> {
  return {
    method,
    kind: 'response',
    direction: 'hostToWebview',
    result: (id, params) => ({ method, id, params }),
    error: (id, error) => ({ method, id, error }),
    is: (msg): msg is ResponseMessage<M, P> => {
      if (!isRecord(msg) || msg.method !== method || !isIndex(msg.id)) return false;
      if (typeof msg.error === 'string') return msg.params === undefined;
      return msg.error === undefined && check(msg.params);
    },
  };
}
