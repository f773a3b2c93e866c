/**
 * Opens a Circuit Inspector webview panel beside the editor: scripts on, context kept while hidden,
 * local resources limited to dist/ and media/, the extension's icon.
 */
import * as vscode from 'vscode';

/** Beside the active editor, or in the active column when no editor is open. */
export function panelColumn(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}

export function createPanel(viewType: string, title: string, extensionUri: vscode.Uri, preserveFocus: boolean): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    viewType,
    title,
    { viewColumn: panelColumn(), preserveFocus },
    {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    },
  );
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
  return panel;
}
