/**
 * Hover over an inspected token: its id, the heads most active from and to it (top k with
 * weights), a layer × head mini-map, and a link that focuses the token in the panel. Stale
 * inspections say so instead of showing numbers that no longer match the text.
 */
import * as vscode from 'vscode';
import { hoverMarkdown } from './hoverMarkdown';
import { getSettings } from '../../platform/settings';
import type { InspectionSession } from './session';
import { errorMessage } from '../../shared/errors';

export const FOCUS_TOKEN_COMMAND = 'circuitInspector.focusToken';

export class AttentionHoverProvider implements vscode.HoverProvider {
  constructor(private readonly session: InspectionSession) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const uri = document.uri.toString();
    const index = this.session.tokenAt(uri, document.offsetAt(position));
    const cur = this.session.inspection;
    if (index === undefined || !cur) return undefined;
    const t = cur.params.tokens[index];
    const r = cur.ranges[index];
    const range = new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
    const stale = this.session.staleReason;
    let heads;
    if (!stale) {
      try {
        heads = (await this.session.tokenActivity(index))?.heads;
      } catch (e) {
        this.session.log.warn(`hover: ${errorMessage(e)}`);
        return undefined;
      }
      if (token.isCancellationRequested || this.session.inspection?.inspectionId !== cur.inspectionId) return undefined;
    }
    const md = hoverMarkdown({
      token: { index, text: t.text, id: t.id, isBos: t.isBos },
      tokenTexts: cur.params.tokens.map((x) => x.text),
      modelName: cur.modelName,
      nLayers: cur.params.n_layers,
      nHeads: cur.params.n_heads,
      heads,
      topK: getSettings(document.uri).hoverTopK,
      stale,
      focusCommandUri: stale
        ? undefined
        : (layer, head) => `command:${FOCUS_TOKEN_COMMAND}?${encodeURIComponent(JSON.stringify([{ tokenIndex: index, layer, head }]))}`,
    });
    const ms = new vscode.MarkdownString(md, true);
    ms.isTrusted = { enabledCommands: [FOCUS_TOKEN_COMMAND] };
    ms.supportHtml = false;
    return new vscode.Hover(ms, range);
  }
}
