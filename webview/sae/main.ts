/**
 * Entry of the Inspect Features webview (bundled to dist/webview/sae.js): wires VS Code's API to
 * the panel element; everything else lives in the components.
 */
import '../components/ci-sae-panel/index.js';
import type { SaeWebviewToHost } from '../../src/features/sae/shared/protocol.js';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const panel = document.querySelector('ci-sae-panel') ?? document.createElement('ci-sae-panel');
if (typeof acquireVsCodeApi === 'function') {
  const api = acquireVsCodeApi();
  panel.channel = {
    post: (msg: SaeWebviewToHost) => api.postMessage(msg),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
if (!panel.isConnected) document.body.append(panel);
