/**
 * Entry of the Inspect Attention webview (bundled to dist/webview/attention.js). Wires the
 * VS Code API to the panel element; everything else lives in the components.
 */
import '../components/ci-attention-panel/index.js';
import { acquireHostChannel } from '../lib/vscodeApi.js';

const panel = document.querySelector('ci-attention-panel') ?? document.createElement('ci-attention-panel');
panel.channel = acquireHostChannel();
if (!panel.isConnected) document.body.append(panel);
