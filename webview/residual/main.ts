/**
 * Entry of the Inspect Residual Stream webview (bundled to dist/webview/residual.js): wires VS
 * Code's API to the panel element; everything else lives in the components.
 */
import '../components/ci-residual-panel/index.js';
import type { ResidualWebviewToHost } from '../../src/features/residual/shared/protocol.js';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const panel = document.querySelector('ci-residual-panel') ?? document.createElement('ci-residual-panel');
if (typeof acquireVsCodeApi === 'function') {
  const api = acquireVsCodeApi();
  panel.channel = {
    post: (msg: ResidualWebviewToHost) => api.postMessage(msg),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
if (!panel.isConnected) document.body.append(panel);
