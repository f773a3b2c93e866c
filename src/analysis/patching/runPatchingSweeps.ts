/**
 * Exact activation patching in both directions. For each sweep and layer it starts at that layer
 * from the target run's cached residual stream (nothing before the patch is recomputed) and puts
 * one patch in each batch element. Only a suffix of the positions is computed: a patch at position
 * p changes nothing before p (causal attention), so a batch whose patches all sit at p or later
 * reuses the target run's keys and values for the positions before p and computes the rest. Cells
 * are sorted by position, so each batch's suffix starts at its earliest patch (and never before
 * the first differing token: the positions before it are identical in both runs). A cell whose
 * source activation equals the target's exactly (e.g. positions before the first differing token)
 * is not run at all: its value is the unpatched metric.
 */
import { blockHook, type HookName } from '../../shared/hookNames';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { HookPatch } from '../../model/hookPatch';
import { sliceLeading, type Float32Tensor } from '../../model/tensor';
import type { ActivationCache } from '../../model/activationCache';
import type { LogitsMetric } from './patchingMetric';
import { PATCH_DIRECTIONS, type PatchDirection, type SweepKind } from '../../shared/patchingVocabulary';
import { SWEEPS, sweepCells, sweepHook, sweepTableDims, type SweepCell } from './sweeps';

export interface PatchingRequest {
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: LogitsMetric;
  readonly sweeps: readonly SweepKind[];
  readonly directions?: readonly PatchDirection[];
  /** Compute only the positions from each batch's earliest patch (or the first differing token) on, reusing the earlier keys and values (default true; exact). */
  readonly reusePrefix?: boolean;
  /**
   * Where a batch's computed suffix starts (default `suffixStart`). Only the sensitivity test sets
   * it, to show that a suffix starting one position late (a stale key and value at the patched
   * position) is caught by the parity tests.
   */
  readonly planSuffix?: (chunk: readonly SweepCell[], firstDiff: number) => number;
  /**
   * 'per-batch' (default): each batch computes the suffix from its earliest patch. 'first-difference':
   * every batch computes from the first differing token (what the benchmark compares against).
   */
  readonly suffix?: 'per-batch' | 'first-difference';
  /** Most patches in one batched run (default 32). */
  /**
   * Bytes a batch's activations may take (default 2 GiB, `DEFAULT_PATCHING_BUDGET_BYTES`): each
   * batch is sized from the activations' shapes before it runs (`batchForBudget`), so the engine
   * stays within the budget plus the model's weights at any prompt length.
   */
  readonly memoryBudgetBytes?: number;
  readonly maxBatch?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PatchingProgress) => void;
  /** Each table as soon as it is complete (sweeps in order, both directions of a sweep together). */
  readonly onTable?: (table: PatchingTable, metrics: { readonly metricClean: number; readonly metricCorrupt: number }) => void;
}

export interface PatchingProgress {
  readonly direction: PatchDirection;
  readonly sweep: SweepKind;
  readonly layer: number;
  readonly cellsDone: number;
  readonly cellsTotal: number;
  readonly tablesDone: number;
  readonly tablesTotal: number;
}

export interface PatchingTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  /** [layer, ...axes]: e.g. resid_pre [n_layers, pos], z [n_layers, head_index], z_by_pos [n_layers, head_index, pos] */
  readonly dims: readonly number[];
  readonly axes: readonly string[];
  /** The metric of each patched run. */
  readonly values: Float32Array;
  /** Cells that were not run because the patch was an exact no-op. */
  readonly skippedCells: number;
}

export interface PatchingResult {
  readonly metricClean: number;
  readonly metricCorrupt: number;
  readonly tables: readonly PatchingTable[];
}

export function equalSlices(a: Float32Tensor, b: Float32Tensor, cell: SweepCell, hook: HookName): boolean {
  // Compare the cell's slice of source and target: rebuild its mask by patching a zero tensor is
  // wasteful; the hooks here are [1, pos, head, d] / [1, pos, d] / [1, head, q, k], so index directly.
  const dims = a.dims;
  const isPattern = hook.endsWith('hook_pattern');
  const hasHeads = dims.length === 4;
  const nPos = isPattern ? dims[2] : dims[1];
  const positions = cell.positions ?? Array.from({ length: nPos }, (_, i) => i);
  const heads = hasHeads ? (cell.heads ?? Array.from({ length: isPattern ? dims[1] : dims[2] }, (_, i) => i)) : [0];
  const inner = dims[dims.length - 1];
  for (const p of positions) {
    for (const h of heads) {
      const off = !hasHeads ? p * inner : isPattern ? (h * dims[2] + p) * inner : (p * dims[2] + h) * inner;
      for (let i = 0; i < inner; i++) if (a.data[off + i] !== b.data[off + i]) return false;
    }
  }
  return true;
}

/** The first position a cell's patch touches: its position, or the first differing token for a whole-head cell (earlier positions are identical in both runs). */
export function firstPatched(cell: SweepCell, firstDiff: number): number {
  return cell.positions ? Math.min(...cell.positions) : firstDiff;
}

/**
 * Where a batch's computed suffix starts: its earliest patched position, but never after the first
 * differing token for whole-head cells. Positions before it are the target run's own (no patch of
 * the batch reaches back), so their keys and values come from the target's cache.
 */
export function suffixStart(chunk: readonly SweepCell[], firstDiff: number): number {
  return Math.min(...chunk.map((cell) => firstPatched(cell, firstDiff)));
}

export const DEFAULT_PATCHING_BUDGET_BYTES = 2 * 2 ** 30;

/**
 * Float32 bytes one batch element of a patched run holds at its peak: a layer's attention scores,
 * masked scores and pattern [heads, suffix, keys], the MLP's hidden activations before and after
 * GELU [suffix, d_mlp], a dozen residual-sized temporaries [suffix, d_model], and the last
 * position's logits and their softmax. onnxruntime frees a layer's intermediates before the next
 * layer's, so one layer's working set is the peak.
 */
export function patchElementBytes(c: Pick<HookedGpt2['config'], 'nHeads' | 'dMlp' | 'dModel' | 'dVocab'>, suffix: number, keys: number): number {
  return 4 * (3 * c.nHeads * suffix * keys + 2 * suffix * c.dMlp + 12 * suffix * c.dModel + 2 * c.dVocab);
}

/** The largest batch (1..maxBatch) whose elements fit the budget. */
export function batchForBudget(budgetBytes: number, elementBytes: number, maxBatch: number): number {
  return Math.max(1, Math.min(maxBatch, Math.floor(budgetBytes / elementBytes)));
}

function fixedBatches(cells: readonly SweepCell[], maxBatch: number): SweepCell[][] {
  const out: SweepCell[][] = [];
  for (let i = 0; i < cells.length; i += maxBatch) out.push(cells.slice(i, i + maxBatch));
  return out;
}

export async function runPatchingSweeps(model: HookedGpt2, req: PatchingRequest): Promise<PatchingResult> {
  const c = model.config;
  const nPos = req.clean.length;
  if (nPos === 0) throw new Error('empty prompts: nothing to patch');
  if (req.corrupt.length !== nPos) {
    throw new Error(`the clean prompt has ${nPos} tokens and the corrupt one ${req.corrupt.length}: position-wise patching needs equal token counts`);
  }
  const maxBatch = req.maxBatch ?? 32;
  const directions = req.directions ?? PATCH_DIRECTIONS;
  const hooks = new Set<HookName>();
  // Positions before the first differing token are identical in both runs (causal attention), so
  // patched runs compute only the later positions, reusing the target run's keys and values.
  let firstDiff = 0;
  while (firstDiff < nPos && req.clean[firstDiff] === req.corrupt[firstDiff]) firstDiff++;
  const positional = req.sweeps.some((s) => SWEEPS[s].axes.includes('pos'));
  const reuse = req.reusePrefix !== false && nPos > 1 && ((firstDiff >= 1 && firstDiff < nPos) || positional);
  for (let l = 0; l < c.nLayers; l++) {
    hooks.add(blockHook(l, 'hook_resid_pre'));
    if (reuse) {
      hooks.add(blockHook(l, 'attn.hook_k'));
      hooks.add(blockHook(l, 'attn.hook_v'));
    }
    for (const s of req.sweeps) hooks.add(sweepHook(s, l));
  }
  const clean = await model.runWithCache(req.clean, [...hooks], { signal: req.signal });
  const corrupt = await model.runWithCache(req.corrupt, [...hooks], { signal: req.signal });
  const metricClean = req.metric(clean.logits!.data);
  const metricCorrupt = req.metric(corrupt.logits!.data);
  const runs: Record<PatchDirection, { target: ActivationCache; source: ActivationCache; tokens: readonly number[]; metric: number }> = {
    denoise: { target: corrupt.cache, source: clean.cache, tokens: req.corrupt, metric: metricCorrupt },
    noise: { target: clean.cache, source: corrupt.cache, tokens: req.clean, metric: metricClean },
  };

  const tables: PatchingTable[] = [];
  const tablesTotal = req.sweeps.length * directions.length;
  for (const sweep of req.sweeps) {
    for (const direction of directions) {
      const run = runs[direction];
      const dims = sweepTableDims(sweep, c.nLayers, c.nHeads, nPos);
      const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
      const perLayer = values.length / c.nLayers;
      let skipped = 0;
      for (let layer = 0; layer < c.nLayers; layer++) {
        const hook = sweepHook(sweep, layer);
        const source = run.source.get(hook);
        const target = run.target.get(hook);
        const cells = sweepCells(sweep, c.nHeads, nPos);
        const live = cells.filter((cell) => {
          if (!equalSlices(source, target, cell, hook)) return true;
          values[layer * perLayer + cell.index] = run.metric;
          skipped++;
          return false;
        });
        const residPre = run.target.get(blockHook(layer, 'hook_resid_pre'));
        // Earliest patched position first: a batch of nearby positions shares a short suffix.
        live.sort((a, b) => firstPatched(a, firstDiff) - firstPatched(b, firstDiff) || a.index - b.index);
        const byFirstDiff = req.suffix === 'first-difference';
        // The first batch starts earliest, so its suffix is the longest: size every batch by it.
        const longest = nPos - (reuse && live.length ? firstPatched(live[0], firstDiff) : 0);
        const batch = batchForBudget(req.memoryBudgetBytes ?? DEFAULT_PATCHING_BUDGET_BYTES, patchElementBytes(c, longest, nPos), maxBatch);
        const chunks = fixedBatches(live, batch);
        let done = 0;
        for (const chunk of chunks) {
          req.signal?.throwIfAborted();
          done += chunk.length;
          const patches: HookPatch[] = chunk.map((cell, b) => ({ hook, values: source, positions: cell.positions, heads: cell.heads, batch: [b] }));
          const prefix = byFirstDiff ? firstDiff : (req.planSuffix ?? suffixStart)(chunk, firstDiff);
          const out = await model.run(run.tokens, {
            startAt: { layer, residPre },
            patches,
            logits: 'last',
            signal: req.signal,
            ...(reuse && prefix >= 1 && prefix < nPos ? { reusePrefix: { length: prefix, from: run.target } } : {}),
          });
          chunk.forEach((cell, b) => (values[layer * perLayer + cell.index] = req.metric(sliceLeading(out.logits!, b).data)));
          req.onProgress?.({
            direction,
            sweep,
            layer,
            cellsDone: done,
            cellsTotal: live.length,
            tablesDone: tables.length,
            tablesTotal,
          });
        }
      }
      const table: PatchingTable = { sweep, direction, dims, axes: ['layer', ...SWEEPS[sweep].axes], values, skippedCells: skipped };
      tables.push(table);
      req.onTable?.(table, { metricClean, metricCorrupt });
    }
  }
  return { metricClean, metricCorrupt, tables };
}
