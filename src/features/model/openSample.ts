/**
 * `circuitInspector.openSample`: opens the shipped sample (samples/docstring_example.py, in the
 * .vsix) as an untitled copy, so the walkthrough works in the installed extension and the
 * installed file is never edited. The `scale` docstring is selected, ready for Inspect Attention.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errors';
import { SAMPLE_PATH, SAMPLE_SELECTION } from './sample';

export const OPEN_SAMPLE = 'circuitInspector.openSample';

export function registerOpenSample(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand(OPEN_SAMPLE, async (): Promise<vscode.TextEditor | undefined> => {
    const file = vscode.Uri.joinPath(context.extensionUri, ...SAMPLE_PATH);
    let content: string;
    try {
      content = await readFile(file.fsPath, 'utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Circuit Inspector: the sample ${file.fsPath} could not be read (${errorMessage(e)}); the installation may be incomplete.`,
      );
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
    const editor = await vscode.window.showTextDocument(doc);
    const at = content.indexOf(SAMPLE_SELECTION);
    if (at >= 0) {
      editor.selection = new vscode.Selection(doc.positionAt(at), doc.positionAt(at + SAMPLE_SELECTION.length));
      editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenter);
    }
    return editor;
  });
}
