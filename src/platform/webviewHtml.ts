/**
 * The HTML shell of a Circuit Inspector webview: a strict CSP (no inline or remote scripts; the
 * one bundled module runs by a fresh crypto nonce), the shared stylesheet, and one root element.
 * Nothing from the document goes into it: prompt text reaches the webview only as message data.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  readonly title: string;
  /** The root custom element, e.g. `ci-attention-panel`. */
  readonly rootElement: string;
  /** The bundle under dist/webview/, e.g. `attentionPanel.js`. */
  readonly script: string;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('media', 'panel.css')}">
<title>${shell.title}</title>
</head>
<body>
<${shell.rootElement}></${shell.rootElement}>
<script type="module" nonce="${nonce}" src="${asset('dist', 'webview', shell.script)}"></script>
</body>
</html>`;
}
