/**
 * The editor hover over an inspected token, as Markdown text. No `vscode` import; the hover
 * provider wraps it in a MarkdownString that trusts only the focus-token command. Token text is
 * user data: it is shown JSON-quoted with every Markdown/HTML character escaped, never as markup.
 */
import type { HeadActivity } from '../../shared/inspection';
import { topHeads } from '../../analysis/tokenActivity';

/** Backslash-escapes every ASCII punctuation character (CommonMark allows it for all of them). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~"'=:;,/?@$%^]/g, (c) => `\\${c}`);
}

/** A token's text as a quoted, escaped literal: `"\n    def"` shows its newline and spaces. */
export function tokenLiteral(text: string): string {
  return escapeMarkdown(JSON.stringify(text));
}

/** `tokenLiteral` of at most `max` characters of the text (then an ellipsis), for lists. */
export function shortLiteral(text: string, max = 8): string {
  const chars = [...text];
  return chars.length <= max ? tokenLiteral(text) : tokenLiteral(chars.slice(0, max - 1).join('') + '…');
}

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per weight in [0, 1]. */
export function weightBlock(w: number): string {
  const i = Math.max(0, Math.min(BLOCKS.length - 1, Math.round(w * (BLOCKS.length - 1))));
  return BLOCKS[i];
}

/**
 * Layer × head mini-map: one row per layer, one block per head, block height = max(from, to)
 * weight. The header's digits (head index mod 10) sit in the same columns as the cells; every
 * line is prefixed to the same width. Returned as plain lines, meant for a fenced code block
 * (inert, monospaced).
 */
export function miniMap(heads: readonly HeadActivity[], nLayers: number, nHeads: number, caption = ''): string[] {
  const width = String(nLayers - 1).length;
  const prefix = (l: number) => `L${String(l).padStart(width, ' ')} `;
  const header = ' '.repeat(prefix(0).length) + Array.from({ length: nHeads }, (_, h) => String(h % 10)).join('');
  const lines = [caption ? `${header}  ${caption}` : header];
  for (let l = 0; l < nLayers; l++) {
    let row = prefix(l);
    for (let h = 0; h < nHeads; h++) {
      const a = heads[l * nHeads + h];
      row += a ? weightBlock(Math.max(a.fromWeight, a.toWeight)) : '·';
    }
    lines.push(row);
  }
  return lines;
}

export interface HoverTokenView {
  readonly index: number;
  readonly text: string;
  readonly id: number;
  readonly isBos: boolean;
}

export interface HoverInput {
  readonly token: HoverTokenView;
  /** All tokens of the inspection, to name the other end of an attention edge. */
  readonly tokenTexts: readonly string[];
  readonly modelName: string;
  readonly nLayers: number;
  readonly nHeads: number;
  /** Absent when stale (no numbers are shown then). */
  readonly heads?: readonly HeadActivity[];
  readonly topK: number;
  readonly stale?: string;
  /** `command:` URI that focuses this token in the panel. */
  readonly focusCommandUri?: (layer?: number, head?: number) => string;
}

function pct(w: number): string {
  return w.toFixed(2);
}

/**
 * The hover, compact enough for a normal hover box (about 20 lines for 12 × 12 heads and top-k 5):
 * the title, the mini-map, then the top heads attending from the token (→ key) and to it (← query),
 * one line each (head links focus it in the panel), and the focus link.
 */
export function hoverMarkdown(h: HoverInput): string {
  const out: string[] = [];
  const t = h.token;
  const title = `**Circuit Inspector** · token ${t.index} · id ${t.id} · ${tokenLiteral(t.text)}${t.isBos ? ' (BOS)' : ''}`;
  if (h.stale) {
    out.push(title, '', `$(warning) **Stale:** ${escapeMarkdown(h.stale)}. Run *Circuit Inspector: Inspect Attention* again.`);
    return out.join('\n');
  }
  const heads = h.heads ?? [];
  out.push(heads.length ? `${title} · ${escapeMarkdown(h.modelName)}` : title);
  if (heads.length) out.push('```text', ...miniMap(heads, h.nLayers, h.nHeads, 'head · max(from, to)'), '```');
  const other = (i: number) => (i >= 0 && i < h.tokenTexts.length ? `${i} ${shortLiteral(h.tokenTexts[i])}` : '–');
  const link = (a: HeadActivity) => (h.focusCommandUri ? `[${a.layer}.${a.head}](${h.focusCommandUri(a.layer, a.head)})` : `${a.layer}.${a.head}`);
  const from = topHeads(heads, 'fromWeight', h.topK);
  const to = topHeads(heads, 'toWeight', h.topK);
  const lines: string[] = [];
  if (from.length) lines.push(`**From it:** ${from.map((a) => `${link(a)} ${pct(a.fromWeight)} → ${other(a.fromKey)}`).join(' · ')}`);
  if (to.length) lines.push(`**To it:** ${to.map((a) => `${link(a)} ${pct(a.toWeight)} ← ${other(a.toQuery)}`).join(' · ')}`);
  if (!lines.length) lines.push('No head attends from or to this token.');
  out.push('', lines.join('  \n'));
  if (h.focusCommandUri) out.push('', `[$(eye) Focus this token in the panel](${h.focusCommandUri()})`);
  return out.join('\n');
}
