/**
 * Direct logit attribution as the view reads it, pure: the bars beside the head heatmap, the sum
 * checked against the model's logit difference, the caveats the numbers call for, and one head's
 * per-source decomposition.
 */
import type { DirectLogitAttributionRecord } from '../../../src/shared/residualStream.js';
import { visibleText, type PromptToken } from '../../../src/shared/tokens.js';

/** The sum and the model's logit difference may differ by this much, relative, before the view warns. */
export const SUM_TOLERANCE = 1e-3;
/** A total under this share of the components' absolute sum is called "mostly cancelling". */
export const CANCEL_SHARE = 0.1;
/** A logit difference under this (nats) is called too small to attribute. */
export const TINY_LOGIT_DIFF = 0.1;

export interface DlaBar {
  readonly label: string;
  /** What it is, for the hover. */
  readonly detail: string;
  readonly value: number;
  /** The layer a bar belongs to (MLP, attention bias), or null for embeddings and ln_f's bias. */
  readonly layer: number | null;
}

/** Every component that is not a head, in the order of the forward pass. */
export function dlaBars(d: DirectLogitAttributionRecord): DlaBar[] {
  const bars: DlaBar[] = [
    { label: 'embed', detail: 'token embedding W_E', value: d.tokenEmbed, layer: null },
    { label: 'pos_embed', detail: 'position embedding W_pos', value: d.posEmbed, layer: null },
  ];
  for (let l = 0; l < d.n_layers; l++) {
    bars.push({ label: `L${l} b_O`, detail: `blocks.${l}.attn.b_O (attention output bias)`, value: d.attnBias_layer[l], layer: l });
    bars.push({ label: `L${l} MLP`, detail: `blocks.${l}.hook_mlp_out`, value: d.mlp_layer[l], layer: l });
  }
  bars.push({ label: 'ln_f bias', detail: 'ln_final.b · direction (a constant)', value: d.lnFinalBias, layer: null });
  return bars;
}

export function headsSum(d: DirectLogitAttributionRecord): number {
  let s = 0;
  for (const v of d.heads_layer_head) s += v;
  return s;
}

/** The sum of every component, recomputed here in float64 (heads + bars). */
export function componentSum(d: DirectLogitAttributionRecord): number {
  return headsSum(d) + dlaBars(d).reduce((s, b) => s + b.value, 0);
}

/** Σ|component|: the scale the total is judged against. */
export function absoluteSum(d: DirectLogitAttributionRecord): number {
  let s = 0;
  for (const v of d.heads_layer_head) s += Math.abs(v);
  for (const b of dlaBars(d)) s += Math.abs(b.value);
  return s;
}

export function fmtLogit(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(3);
  return s.replace('-', '−');
}

export interface SumCheck {
  readonly ok: boolean;
  readonly sum: number;
  /** |sum − logitDiff| / max(|logitDiff|, 1e-6). */
  readonly relative: number;
  readonly text: string;
}

/** "components sum to 3.412; model's logit difference 3.412 ✓", or a warning past SUM_TOLERANCE. */
export function sumCheck(d: DirectLogitAttributionRecord): SumCheck {
  const sum = componentSum(d);
  const relative = Math.abs(sum - d.logitDiff) / Math.max(Math.abs(d.logitDiff), 1e-6);
  const ok = relative <= SUM_TOLERANCE;
  const what = d.direction.wrong ? 'logit difference' : 'logit';
  const text = ok
    ? `components sum to ${fmtLogit(sum)}; model's ${what} ${fmtLogit(d.logitDiff)} ✓`
    : `components sum to ${fmtLogit(sum)} but the model's ${what} is ${fmtLogit(d.logitDiff)} (off by ${(relative * 100).toPrecision(2)}%): the attribution does not add up, so read it with care`;
  return { ok, sum, relative, text };
}

/** The metric DLA attributes, e.g. "logit(' param') − logit(' value')". */
export function directionLabel(d: DirectLogitAttributionRecord): string {
  const a = `logit('${visibleText(d.direction.answer.text)}')`;
  return d.direction.wrong ? `${a} − logit('${visibleText(d.direction.wrong.text)}')` : a;
}

/** Plain caveats the numbers call for; empty when there is nothing to say. */
export function dlaNotes(d: DirectLogitAttributionRecord): string[] {
  const notes: string[] = [];
  const abs = absoluteSum(d);
  if (d.direction.wrong && Math.abs(d.logitDiff) < TINY_LOGIT_DIFF) {
    notes.push(
      `The model barely separates the two tokens here (logit difference ${fmtLogit(d.logitDiff)}): the attributions explain a difference that hardly exists.`,
    );
  } else if (abs > 0 && Math.abs(d.logitDiff) < CANCEL_SHARE * abs) {
    notes.push(
      `The components mostly cancel: the total is ${Math.round((Math.abs(d.logitDiff) / abs) * 100)}% of their absolute sum (${fmtLogit(abs)}). Large bars of opposite sign matter more than the total.`,
    );
  }
  if (!d.direction.wrong) {
    notes.push('No wrong token: this attributes the raw logit, which includes what every token gets. Set a wrong token to compare two answers.');
  }
  return notes;
}

/** Index of head (layer, head) in `heads_layer_head`. */
export function headIndex(d: DirectLogitAttributionRecord, layer: number, head: number): number {
  return layer * d.n_heads + head;
}

/** Head (layer, head)'s contribution through each key position: [n_tokens]. */
export function headSources(d: DirectLogitAttributionRecord, layer: number, head: number): Float32Array {
  const off = headIndex(d, layer, head) * d.n_tokens;
  return d.sources_layer_head_key.subarray(off, off + d.n_tokens);
}

/** One line on a head's sources: its total, and the keys that carry most of it. */
export function describeSources(d: DirectLogitAttributionRecord, tokens: readonly PromptToken[], layer: number, head: number, top = 3): string {
  const src = headSources(d, layer, head);
  const total = d.heads_layer_head[headIndex(d, layer, head)];
  const order = Array.from(src.keys())
    .filter((k) => k <= d.position)
    .sort((a, b) => Math.abs(src[b]) - Math.abs(src[a]))
    .slice(0, top)
    .filter((k) => src[k] !== 0);
  const at = tokens[d.position];
  const parts = order.map((k) => `${fmtLogit(src[k])} via ${tokens[k]?.isBos ? 'BOS' : `'${visibleText(tokens[k]?.text ?? '')}'`} (#${k})`);
  const where = at ? ` at '${visibleText(at.text)}' (#${d.position})` : '';
  return `Head ${layer}.${head}${where}: ${fmtLogit(total)} in all${parts.length ? `; most through ${parts.join(', ')}` : ''}.`;
}
