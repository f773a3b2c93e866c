/**
 * The residual stream's part of the editor hover over an inspected token: one compact line, the
 * logit lens's top token at a few layers, linking into the view at that token. VS Code shows it in
 * the same hover as Inspect Attention's (each feature registers its own provider; neither imports
 * the other). A stale inspection says so instead of showing predictions for text that changed.
 */
import * as vscode from 'vscode';
import type { ResidualSession } from './session';

export const FOCUS_RESIDUAL_POSITION = 'circuitInspector.residualFocusPosition';

export class ResidualHoverProvider implements vscode.HoverProvider {
  constructor(private readonly session: ResidualSession) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const at = this.session.hoverAt(document.uri.toString(), document.offsetAt(position));
    if (!at) return undefined;
    const range = new vscode.Range(document.positionAt(at.range.start), document.positionAt(at.range.end));
    if (at.stale) return new vscode.Hover(new vscode.MarkdownString(`Residual stream: stale (${at.stale}); inspect again.`), range);
    const args = encodeURIComponent(JSON.stringify([{ inspectionId: at.inspectionId, position: at.position }]));
    const ms = new vscode.MarkdownString(`${at.line} · [open](command:${FOCUS_RESIDUAL_POSITION}?${args} "Show this token in the residual stream view")`);
    ms.isTrusted = { enabledCommands: [FOCUS_RESIDUAL_POSITION] };
    ms.supportHtml = false;
    return new vscode.Hover(ms, range);
  }
}
