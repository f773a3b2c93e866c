/**
 * What the residual-stream panel derives from the host's messages, pure: a document run's windows
 * as one norms record, the line that makes an exported figure stand alone, and what the lens
 * section says while a record has no lens.
 */
import type { DocumentNormsParams, ResidualViewRecord, RunStateParams } from '../../../src/features/residual/shared/protocol.js';
import type { ResidualNormsRecord } from '../../../src/shared/residualStream.js';
import type { LensPending } from '../ci-logit-lens/lensLayout.js';
import { visibleText } from '../../../src/shared/tokens.js';

/**
 * Every window's norms side by side as one record: the first window's BOS (when windows have one)
 * at position 0, then every window's non-BOS positions in document order. Each later window's own
 * BOS is dropped: it is the same token at position 0 again and would only repeat the outlier.
 * The growth fits are the document's (over all windows), as the host computed them.
 */
export function mergeDocumentWindows(d: DocumentNormsParams): ResidualNormsRecord {
  const hasBos = d.windows[0]?.hasBos ?? false;
  const keep: [ResidualNormsRecord, number][] = [];
  d.windows.forEach((w, i) => {
    for (let p = 0; p < w.n_tokens; p++) if (!(w.hasBos && p === 0) || (i === 0 && hasBos)) keep.push([w, p]);
  });
  const t = keep.length;
  const b = d.n_boundaries;
  const l = d.n_layers;
  const pick = (rows: number, get: (w: ResidualNormsRecord) => Float32Array) => {
    const out = new Float32Array(rows * t);
    for (let r = 0; r < rows; r++) keep.forEach(([w, p], j) => (out[r * t + j] = get(w)[r * w.n_tokens + p]));
    return out;
  };
  return {
    n_boundaries: b,
    n_layers: l,
    n_tokens: t,
    hasBos,
    raw_boundary_pos: pick(b, (w) => w.raw_boundary_pos),
    centred_boundary_pos: pick(b, (w) => w.centred_boundary_pos),
    attn_out_layer_pos: pick(l, (w) => w.attn_out_layer_pos),
    mlp_out_layer_pos: pick(l, (w) => w.mlp_out_layer_pos),
    rawGrowth: d.rawGrowth,
    centredGrowth: d.centredGrowth,
  };
}

/** The exported figures' second title line: model, prompt length and the answer, so a PNG stands alone. */
export function figureCaption(r: ResidualViewRecord): string {
  const text = r.tokens
    .filter((t) => !t.isBos)
    .map((t) => t.text)
    .join('');
  const head = [...text.replace(/\s+/g, ' ').trim()];
  const prompt = head.length > 48 ? `${head.slice(0, 47).join('')}…` : head.join('');
  const wrong = r.dla.direction.wrong ? ` vs '${visibleText(r.dla.direction.wrong.text)}'` : '';
  return `${r.modelName} · "${prompt}" (${r.tokens.length} tokens) · answer '${visibleText(answerOf(r).text)}'${wrong} at position ${r.dla.position}`;
}

/** The answer the record was computed for: the lens's, or (no lens yet) DLA's direction, which is the same token. */
export function answerOf(r: ResidualViewRecord): { readonly id: number; readonly text: string } {
  return r.lens?.answer ?? r.dla.direction.answer;
}

/**
 * The lens section of a record without its lens: computing, with the run's percentage (the lens's
 * rows), while the run goes on; otherwise why it never came (cancelled, failed).
 */
export function lensPending(run: RunStateParams | undefined): LensPending {
  if (!run || run.state === 'loading' || run.state === 'running') {
    const p = run?.progress;
    return { busy: true, text: `Computing the logit lens…${p === undefined ? '' : ` ${Math.round(p * 100)}%`}`, progress: p };
  }
  if (run.state === 'cancelled') return { busy: false, text: 'The logit lens was not computed: the run was cancelled. Run the command again for it.' };
  if (run.state === 'error') return { busy: false, text: `The logit lens was not computed: ${run.message ?? 'the run failed'}` };
  return { busy: false, text: 'The logit lens was not computed.' };
}
