/**
 * Entry of the prompt-set (dataset) webview (bundled to dist/webview/dataset.js): wires VS Code's
 * API to the panel element; everything else lives in the components.
 */
import '../components/ci-dataset-panel/index.js';
import type { DatasetWebviewToHost } from '../../src/features/dataset/shared/protocol.js';

interface VsCodeApi {
  postMessage(msg: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const panel = document.querySelector('ci-dataset-panel') ?? document.createElement('ci-dataset-panel');
if (typeof acquireVsCodeApi === 'function') {
  const api = acquireVsCodeApi();
  panel.channel = { post: (msg: DatasetWebviewToHost) => api.postMessage(msg) };
}
if (!panel.isConnected) document.body.append(panel);
