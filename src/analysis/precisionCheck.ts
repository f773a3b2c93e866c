/**
 * The int8 mode's error against fp32, measured on the user's own prompt: the same model's int8 and
 * fp32 forwards (`HookedGpt2.run` and `runExact`), compared over every position's logits; and, for
 * the CLI, two patching results compared table by table.
 */
import type { HookedGpt2 } from '../model/hookedGpt2';
import type { Float32Tensor } from '../model/tensor';
import type { LogitsError, PatchTableCheck } from '../shared/precision';
import type { PatchingResult } from './patching/runPatchingSweeps';

/** Compares [.., pos, d_vocab] logits (fp32 first) over every position. */
export function compareLogits(exact: Float32Tensor, approx: Float32Tensor): LogitsError {
  if (exact.data.length !== approx.data.length) throw new Error(`compareLogits: ${exact.data.length} vs ${approx.data.length} values`);
  const V = exact.dims[exact.dims.length - 1];
  const P = exact.data.length / V;
  let maxAbs = 0;
  let sumAbs = 0;
  let top1Agree = 0;
  let sumKl = 0;
  let maxKl = 0;
  let sumRange = 0;
  for (let p = 0; p < P; p++) {
    const a = exact.data.subarray(p * V, (p + 1) * V);
    const b = approx.data.subarray(p * V, (p + 1) * V);
    let [aMax, bMax, aMin, aArg, bArg] = [-Infinity, -Infinity, Infinity, 0, 0];
    for (let v = 0; v < V; v++) {
      const d = Math.abs(a[v] - b[v]);
      if (d > maxAbs) maxAbs = d;
      sumAbs += d;
      if (a[v] > aMax) [aMax, aArg] = [a[v], v];
      if (b[v] > bMax) [bMax, bArg] = [b[v], v];
      if (a[v] < aMin) aMin = a[v];
    }
    if (aArg === bArg) top1Agree++;
    sumRange += aMax - aMin;
    // KL(p‖q) = Σ p (log p − log q), with log-softmax in float64
    let [za, zb] = [0, 0];
    for (let v = 0; v < V; v++) {
      za += Math.exp(a[v] - aMax);
      zb += Math.exp(b[v] - bMax);
    }
    const [la, lb] = [Math.log(za) + aMax, Math.log(zb) + bMax];
    let kl = 0;
    for (let v = 0; v < V; v++) {
      const lp = a[v] - la;
      kl += Math.exp(lp) * (lp - (b[v] - lb));
    }
    kl = Math.max(0, kl); // rounding can make an exact match a hair negative
    sumKl += kl;
    if (kl > maxKl) maxKl = kl;
  }
  return { positions: P, maxAbs, meanAbs: sumAbs / (P * V), top1Agree, meanKl: sumKl / P, maxKl, meanLogitRange: sumRange / P };
}

/** The int8 model's logits error on `tokens` (one batch row), against its own fp32 forward. */
export async function measureLogitsError(model: HookedGpt2, tokens: readonly number[], signal?: AbortSignal): Promise<LogitsError> {
  if (model.precision !== 'int8') throw new Error('measureLogitsError: the model runs in the exact mode; there is no error to measure');
  const approx = await model.run(tokens, { logits: 'all', signal });
  const exact = await model.runExact(tokens, { logits: 'all', signal });
  return compareLogits(exact.logits!, approx.logits!);
}

export interface PatchTableError {
  readonly sweep: string;
  readonly direction: string;
  readonly cells: number;
  /** Max |int8 − fp32| of the patched metric (logit difference) over the table's cells. */
  readonly maxAbs: number;
  /** The same, as a share of the clean − corrupt metric gap the table is normalised by. */
  readonly maxAbsNormalised: number | null;
}

/** Table-by-table differences of two patching results of the same request (fp32 first). */
export function comparePatchingResults(exact: PatchingResult, approx: PatchingResult): PatchTableError[] {
  const gap = exact.metricClean - exact.metricCorrupt;
  return exact.tables.map((t, i) => {
    const u = approx.tables[i];
    if (!u || u.sweep !== t.sweep || u.direction !== t.direction || u.values.length !== t.values.length) {
      throw new Error(`comparePatchingResults: table ${i} (${t.direction} ${t.sweep}) has no counterpart`);
    }
    const maxAbs = maxAbsDelta(t.values, u.values);
    return { sweep: t.sweep, direction: t.direction, cells: t.values.length, maxAbs, maxAbsNormalised: gap !== 0 ? maxAbs / Math.abs(gap) : null };
  });
}

function maxAbsDelta(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

/** One table of one precision: its patched metric per cell, and the unpatched runs' metric. */
export interface TableOfPrecision {
  readonly values: ArrayLike<number>;
  readonly metricClean: number;
  readonly metricCorrupt: number;
}

/**
 * The `k` cells that move the metric most (|patched − unpatched|, the unpatched run being the
 * direction's target: corrupt when denoising, clean when noising), strongest first; ties by index.
 */
export function strongestCells(t: TableOfPrecision, direction: 'denoise' | 'noise', k: number): number[] {
  const target = direction === 'denoise' ? t.metricCorrupt : t.metricClean;
  const order = Array.from({ length: t.values.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(t.values[b] - target) - Math.abs(t.values[a] - target) || a - b);
  return order.slice(0, k);
}

/** A cell counts among a table's strongest only when it moves the metric by at least this share of the table's largest move. */
export const STRONG_CELL_SHARE = 0.1;

/**
 * One patching table of an int8 run against the same table recomputed in fp32: max |Δ| of the
 * metric over the cells, as a share of fp32's clean − corrupt gap, and how many of the strongest
 * cells the two share: fp32's top `k` by |effect|, fewer when fewer cells move the metric by
 * STRONG_CELL_SHARE of its largest move (weak cells' order is noise), against int8's top as many.
 */
export function checkPatchTable(exact: TableOfPrecision, approx: TableOfPrecision, direction: 'denoise' | 'noise', k = 5): PatchTableCheck {
  if (exact.values.length !== approx.values.length) throw new Error(`checkPatchTable: ${exact.values.length} vs ${approx.values.length} cells`);
  const maxAbs = maxAbsDelta(exact.values, approx.values);
  const gap = Math.abs(exact.metricClean - exact.metricCorrupt);
  const target = direction === 'denoise' ? exact.metricCorrupt : exact.metricClean;
  const ranked = strongestCells(exact, direction, Math.min(k, exact.values.length));
  const largest = ranked.length ? Math.abs(exact.values[ranked[0]] - target) : 0;
  const fp32 = ranked.filter((i, j) => j === 0 || Math.abs(exact.values[i] - target) >= STRONG_CELL_SHARE * largest);
  const int8 = strongestCells(approx, direction, fp32.length);
  const inInt8 = new Set(int8);
  return {
    cells: exact.values.length,
    maxAbs,
    maxAbsShare: gap > 0 && Number.isFinite(gap) ? maxAbs / gap : null,
    metric: { fp32: { clean: exact.metricClean, corrupt: exact.metricCorrupt }, int8: { clean: approx.metricClean, corrupt: approx.metricCorrupt } },
    top: { k: fp32.length, shared: fp32.filter((i) => inInt8.has(i)).length, fp32, int8 },
  };
}

/**
 * The int8 model's logits error per model and prompt, measured once (two forwards) and then reused:
 * re-inspecting the same text shows the same number without running fp32 again.
 */
export class LogitsErrorCache {
  private readonly entries = new Map<string, Promise<LogitsError>>();

  constructor(private readonly max = 8) {}

  get(modelKey: string, model: HookedGpt2, tokens: readonly number[], signal?: AbortSignal): Promise<LogitsError> {
    const key = `${modelKey}|${tokens.join(',')}`;
    let hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // LRU: move to the end
    } else {
      hit = measureLogitsError(model, tokens, signal);
      hit.catch(() => this.entries.delete(key)); // a cancelled or failed measure is measured again next time
    }
    this.entries.set(key, hit);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return hit;
  }
}
