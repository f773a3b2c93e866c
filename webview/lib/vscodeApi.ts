/**
 * The webview's side of the channel to the extension host: VS Code's `acquireVsCodeApi()`,
 * typed with the protocol. It may be called only once per webview, so it is wrapped here.
 */
import type { AttentionDirection, WebviewToHostMessage } from '../../src/features/attention/shared/protocol';
import type { HeadRef } from '../../src/shared/inspection';

/** What survives the webview being hidden and shown again (vscode.setState). */
export interface PersistedState {
  readonly lockedHead?: HeadRef;
  readonly direction?: AttentionDirection;
}

export interface HostChannel {
  post(msg: WebviewToHostMessage): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

function asPersisted(v: unknown): PersistedState | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const out: { lockedHead?: HeadRef; direction?: AttentionDirection } = {};
  if ('lockedHead' in v) {
    const h = v.lockedHead;
    if (typeof h === 'object' && h !== null && 'layer' in h && 'head' in h) {
      const { layer, head } = h;
      if (typeof layer === 'number' && typeof head === 'number') out.lockedHead = { layer, head };
    }
  }
  if ('direction' in v && (v.direction === 'from' || v.direction === 'to')) out.direction = v.direction;
  return out;
}

/** The channel backed by `acquireVsCodeApi()`, or undefined outside a webview. */
export function acquireHostChannel(): HostChannel | undefined {
  if (typeof acquireVsCodeApi !== 'function') return undefined;
  const api = acquireVsCodeApi();
  return {
    post: (msg) => api.postMessage(msg),
    getState: () => asPersisted(api.getState()),
    setState: (state) => api.setState(state),
  };
}
