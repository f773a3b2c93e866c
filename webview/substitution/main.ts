/**
 * Entry of the Compare Token Substitution webview (bundled to dist/webview/substitution.js):
 * wires VS Code's API to the panel element; everything else lives in the components.
 */
import '../components/ci-substitution-panel/index.js';
import type { SubstitutionWebviewToHost } from '../../src/features/substitution/shared/protocol.js';

interface VsCodeApi {
  postMessage(msg: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const panel = document.querySelector('ci-substitution-panel') ?? document.createElement('ci-substitution-panel');
if (typeof acquireVsCodeApi === 'function') {
  const api = acquireVsCodeApi();
  panel.channel = { post: (msg: SubstitutionWebviewToHost) => api.postMessage(msg) };
}
if (!panel.isConnected) document.body.append(panel);
