/**
 * Inspect Features' part of the editor hover over an inspected token: its strongest features, each
 * linking to its card in the view. VS Code shows it in the same hover as the other features' lines
 * (each registers its own provider). A stale inspection says so instead.
 */
import * as vscode from 'vscode';
import { tokenAtOffset } from '../../platform/offsets';
import { INSPECT_FEATURES } from './commands';
import { featureHoverLine } from './hoverLine';
import type { SaeSession } from './session';

export class SaeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly session: SaeSession) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const cur = this.session.inspection;
    if (!cur || cur.uri !== document.uri.toString()) return undefined;
    const i = tokenAtOffset(cur.ranges, document.offsetAt(position));
    if (i < 0) return undefined;
    const r = cur.ranges[i];
    const range = new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
    const stale = this.session.staleReason;
    if (stale) return new vscode.Hover(new vscode.MarkdownString(`Features: stale (${stale}); inspect again.`), range);
    const ms = new vscode.MarkdownString(featureHoverLine(cur.features.top[i] ?? [], INSPECT_FEATURES));
    ms.isTrusted = { enabledCommands: [INSPECT_FEATURES] };
    ms.supportHtml = false;
    return new vscode.Hover(ms, range);
  }
}
