/**
 * What the extension-host suites share: the workspace's sample file opened in an editor with the
 * extension activated, a selection by text, and the text of hovers.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';

export const EXT_ID = 'circuit-inspector.circuit-inspector';
/** The sample file run-e2e.sh copies into the workspace. */
export const SAMPLE_FILE = 'docstring_example.py';

export interface OpenSample {
  readonly api: CircuitInspectorApi;
  readonly doc: vscode.TextDocument;
  readonly editor: vscode.TextEditor;
}

/** Opens the sample file in an editor and activates the extension. */
export async function openSample(): Promise<OpenSample> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder.uri.fsPath, SAMPLE_FILE)));
  const editor = await vscode.window.showTextDocument(doc);
  const ext = vscode.extensions.getExtension<CircuitInspectorApi>(EXT_ID);
  assert.ok(ext, 'the extension is installed');
  return { api: await ext.activate(), doc, editor };
}

/** Selects the `occurrence`-th (from 0) appearance of `text` in the editor's document. */
export function select(ed: vscode.TextEditor, text: string, occurrence = 0): vscode.Selection {
  const all = ed.document.getText();
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = all.indexOf(text, at + 1);
  assert.ok(at >= 0, `"${text}" is in the document`);
  ed.selection = new vscode.Selection(ed.document.positionAt(at), ed.document.positionAt(at + text.length));
  return ed.selection;
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}
