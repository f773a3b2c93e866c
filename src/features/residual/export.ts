/**
 * The residual-stream record as files a user keeps: JSON (the whole record, typed arrays as plain
 * arrays) and two CSV tables (the DLA components, and the logit lens's top token per boundary and
 * position). Pure: the session picks the paths. No `vscode`.
 */
import { csvRows } from '../../shared/csv';
import type { ResidualStreamRecord } from '../../shared/residualStream';
import { boundaryLabel } from './hoverLine';

/** JSON with typed arrays written as arrays (JSON.stringify would write them as index-keyed objects). */
export function residualJson(record: ResidualStreamRecord, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...extra, ...record }, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float32Array) : v), 2)}\n`;
}

/**
 * The DLA table: one row per component (`component,layer,head,value`), then the total and the
 * model's own logit difference. The direction and position are in the header comment rows.
 */
export function dlaCsv(record: ResidualStreamRecord): string {
  const d = record.dla;
  const rows: (string | number)[][] = [['component', 'layer', 'head', 'value']];
  rows.push(['token_embed', '', '', d.tokenEmbed], ['pos_embed', '', '', d.posEmbed]);
  for (let l = 0; l < d.n_layers; l++) {
    for (let h = 0; h < d.n_heads; h++) rows.push(['head', l, h, d.heads_layer_head[l * d.n_heads + h]]);
    rows.push(['attn_bias', l, '', d.attnBias_layer[l]], ['mlp', l, '', d.mlp_layer[l]]);
  }
  rows.push(['ln_final_bias', '', '', d.lnFinalBias], ['total', '', '', d.total], ['logit_diff', '', '', d.logitDiff]);
  const direction = d.direction.wrong ? `logit[${d.direction.answer.text}] - logit[${d.direction.wrong.text}]` : `logit[${d.direction.answer.text}]`;
  const token = record.tokens[d.position];
  return `# direct logit attribution of ${direction} at position ${d.position} (${JSON.stringify(token?.text ?? '')}), ${record.modelName}\n${csvRows(rows)}`;
}

/** The logit lens's top-1 grid: one row per (boundary, position). */
export function lensTop1Csv(record: ResidualStreamRecord): string {
  const { lens } = record;
  const rows: (string | number)[][] = [['boundary', 'hook', 'position', 'token', 'top_id', 'top_text', 'top_prob', 'entropy', 'answer_logprob', 'answer_rank']];
  for (let b = 0; b < lens.n_boundaries; b++) {
    for (let p = 0; p < lens.n_tokens; p++) {
      const i = b * lens.n_tokens + p;
      const id = lens.top_ids_boundary_pos_k[i * lens.k];
      rows.push([
        boundaryLabel(record.n_layers, b),
        lens.boundaryHooks[b],
        p,
        record.tokens[p].text,
        id,
        lens.tokenTexts[id] ?? '',
        lens.top_probs_boundary_pos_k[i * lens.k],
        lens.entropy_boundary_pos[i],
        lens.answer_logprob_boundary_pos[i],
        lens.answer_rank_boundary_pos[i],
      ]);
    }
  }
  return `# logit lens (${lens.variant}), answer ${JSON.stringify(lens.answer.text)}, ${record.modelName}\n${csvRows(rows)}`;
}
