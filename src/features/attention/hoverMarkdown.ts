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

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per weight in [0, 1]. */
export function weightBlock(w: number): string {
  const i = Math.max(0, Math.min(BLOCKS.length - 1, Math.round(w * (BLOCKS.length - 1))));
  return BLOCKS[i];
}

/**
 * Layer × head mini-map: one row per layer, one block per head, block height = max(from, to)
 * weight. Returned as plain lines, meant for a fenced code block (inert, monospaced).
 */
export function miniMap(heads: readonly HeadActivity[], nLayers: number, nHeads: number): string[] {
  const width = String(nLayers - 1).length;
  const lines: string[] = [];
  const header = ' '.repeat(width + 2) + Array.from({ length: nHeads }, (_, h) => String(h % 10)).join('');
  lines.push(header);
  for (let l = 0; l < nLayers; l++) {
    let row = `L${String(l).padStart(width, ' ')} `;
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

/** A table header; the non-breaking spaces keep the hover's narrow columns apart. */
function tableHeader(...cells: string[]): string {
  const pad = '&nbsp;&nbsp;&nbsp;';
  return `| ${cells.map((c, i) => (i < cells.length - 1 ? `${c}${pad}` : c)).join(' | ')} |\n|:--|:--|:--|`;
}

function pct(w: number): string {
  return w.toFixed(2);
}

export function hoverMarkdown(h: HoverInput): string {
  const out: string[] = [];
  const t = h.token;
  out.push(`**Circuit Inspector** · token ${t.index} · id ${t.id} · ${tokenLiteral(t.text)}${t.isBos ? ' (BOS)' : ''}`);
  if (h.stale) {
    out.push('', `$(warning) **Stale:** ${escapeMarkdown(h.stale)}. Run *Circuit Inspector: Inspect Attention* again.`);
    return out.join('\n');
  }
  const heads = h.heads ?? [];
  const other = (i: number) => (i >= 0 && i < h.tokenTexts.length ? `${i} ${tokenLiteral(h.tokenTexts[i])}` : '–');
  const link = (a: HeadActivity) => (h.focusCommandUri ? `[${a.layer}.${a.head}](${h.focusCommandUri(a.layer, a.head)})` : `${a.layer}.${a.head}`);
  const from = topHeads(heads, 'fromWeight', h.topK);
  const to = topHeads(heads, 'toWeight', h.topK);
  if (from.length) {
    out.push('', `**Heads attending from it** (query → key, BOS left out)`, '', tableHeader('head', 'weight', 'to key'));
    for (const a of from) out.push(`| ${link(a)} | ${pct(a.fromWeight)} | ${other(a.fromKey)} |`);
  }
  if (to.length) {
    out.push('', `**Heads attending to it** (later query → this key)`, '', tableHeader('head', 'weight', 'from query'));
    for (const a of to) out.push(`| ${link(a)} | ${pct(a.toWeight)} | ${other(a.toQuery)} |`);
  }
  if (!from.length && !to.length) out.push('', 'No head attends from or to this token.');
  if (heads.length) {
    out.push('', `Layer × head (max of from/to) · ${escapeMarkdown(h.modelName)}`, '', '```text', ...miniMap(heads, h.nLayers, h.nHeads), '```');
  }
  if (h.focusCommandUri) out.push('', `[$(eye) Focus this token in the panel](${h.focusCommandUri()})`);
  return out.join('\n');
}
