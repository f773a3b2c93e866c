/**
 * Which source ranges to paint, and with what colour and strength, for a selected head's
 * per-source DLA: each key token's contribution to the logit difference through that head
 * (pattern × value through W_O, onto the logit direction). Diverging: toward the answer and
 * against it get their own hue; strength is |contribution| relative to the largest. No `vscode`.
 */
import type { OffsetRange } from '../../platform/offsets';
import type { ResidualStreamRecord } from '../../shared/residualStream';

export const SIGNED_BUCKETS = 6;
/** Contributions below this fraction of the largest are not painted. */
export const MIN_PAINTED_FRACTION = 0.05;

export interface SignedRange {
  readonly range: OffsetRange;
  /** +1 toward the answer, −1 against it. */
  readonly sign: 1 | -1;
  /** 1..SIGNED_BUCKETS, higher = larger |contribution|. */
  readonly bucket: number;
  readonly value: number;
  readonly tokenIndex: number;
}

export interface SourcePlan {
  readonly layer: number;
  readonly head: number;
  readonly painted: readonly SignedRange[];
  /** The DLA position's token (outlined), when it has text. */
  readonly focus?: OffsetRange;
  /** The head's whole contribution (the sum over sources). */
  readonly total: number;
  readonly largest: number;
}

/** [n_tokens] contributions of head (layer, head) through each key position. */
export function headSources(record: Pick<ResidualStreamRecord, 'dla'>, layer: number, head: number): Float32Array {
  const { n_layers, n_heads, n_tokens, sources_layer_head_key } = record.dla;
  if (!Number.isInteger(layer) || layer < 0 || layer >= n_layers) throw new RangeError(`layer ${layer} outside 0..${n_layers - 1}`);
  if (!Number.isInteger(head) || head < 0 || head >= n_heads) throw new RangeError(`head ${head} outside 0..${n_heads - 1}`);
  const at = (layer * n_heads + head) * n_tokens;
  return sources_layer_head_key.subarray(at, at + n_tokens);
}

export function planSourceDecorations(record: Pick<ResidualStreamRecord, 'dla'>, ranges: readonly OffsetRange[], layer: number, head: number): SourcePlan {
  const values = headSources(record, layer, head);
  if (values.length !== ranges.length) throw new Error(`${values.length} contributions for ${ranges.length} tokens`);
  let largest = 0;
  let total = 0;
  for (const v of values) {
    largest = Math.max(largest, Math.abs(v));
    total += v;
  }
  const painted: SignedRange[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    const v = values[i];
    if (r.end <= r.start || largest === 0 || !(Math.abs(v) >= MIN_PAINTED_FRACTION * largest)) continue;
    const bucket = Math.max(1, Math.min(SIGNED_BUCKETS, Math.ceil((Math.abs(v) / largest) * SIGNED_BUCKETS)));
    painted.push({ range: r, sign: v > 0 ? 1 : -1, bucket, value: v, tokenIndex: i });
  }
  const f = ranges[record.dla.position];
  return { layer, head, painted, focus: f && f.end > f.start ? f : undefined, total, largest };
}
