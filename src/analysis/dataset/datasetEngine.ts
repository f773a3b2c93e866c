/**
 * How a set of prompt pairs is patched (issue 12): pairs are grouped by token count and cut into
 * blocks of one length; each block is finished (every table, both directions) before the next
 * starts, so a cancel keeps whole pairs. Within a block, pairs share batched runs:
 * - the clean and corrupt cache runs of the block are one batched run;
 * - exact patching, per (table, layer): every (pair, cell) whose patch is not a no-op is one batch
 *   element with its own start residual (its target run's `hook_resid_pre`), its own patch values
 *   and its own prefix cache (`reusePrefix.from` per element), sorted by the first position the
 *   patch touches so a batch computes only the suffix from its earliest one;
 * - attribution: one forward+backward run of the block's clean and corrupt prompts, with each
 *   element's own ∂metric/∂logits.
 * Batches and blocks are sized from the memory budget (`patchElementBytes`, `batchForBudget`).
 */
import { blockHook, type HookName } from '../../shared/hookNames';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { HookPatch } from '../../model/hookPatch';
import { ActivationCache } from '../../model/activationCache';
import { sliceLeading, type Float32Tensor } from '../../model/tensor';
import { PATCH_DIRECTIONS, type PatchDirection, type SweepKind } from '../../shared/patchingVocabulary';
import { logitDifference, type LogitsMetric } from '../patching/patchingMetric';
import { SWEEPS, sweepCells, sweepHook, sweepTableDims, type SweepCell } from '../patching/sweeps';
import {
  DEFAULT_PATCHING_BUDGET_BYTES,
  batchForRows,
  budgetBatches,
  differingPositions,
  patchElementBytes,
  patchFeedBytes,
} from '../patching/runPatchingSweeps';
import { accumulateCells } from '../patching/attributionPatching';
import { cellStats, summarise } from './datasetStats';
import type { DatasetPair, DatasetSweepRequest, DatasetSweepResult, DatasetTable } from './datasetTypes';

/**
 * Deliberate mistakes, for the sensitivity tests only: every batch element takes the first
 * element's prefix cache, or its start residual (what a careless cross-pair batch gets wrong).
 */
export type DatasetFault = 'prefix-of-first-element' | 'residual-of-first-element';

/** Knobs for tests and benches; the defaults are what the product uses. */
export interface DatasetTuning {
  /** Most pairs in one block (default: enough for two full batches of the smallest per-layer cell count, within the budget). */
  readonly pairsPerBlock?: number;
  readonly fault?: DatasetFault;
}

const POSITION_SWEEPS = (Object.keys(SWEEPS) as SweepKind[]).filter((s) => SWEEPS[s].axes.includes('pos'));

/** One pair's clean and corrupt runs (batch-1 views into the block's batched cache run). */
interface PairRun {
  readonly index: number;
  readonly pair: DatasetPair;
  readonly metric: LogitsMetric;
  readonly clean: ActivationCache;
  readonly corrupt: ActivationCache;
  readonly metricClean: number;
  readonly metricCorrupt: number;
}

interface TableSlot {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly dims: readonly number[];
  readonly cells: number;
  /** [n_pairs of the request, cells]; rows of unfinished pairs stay 0. */
  readonly perPair: Float32Array;
}

/** A batch-1 view of element `b` of every hook of a batched run's cache. */
function elementCache(cache: ActivationCache, b: number): ActivationCache {
  return new ActivationCache(
    new Map(
      cache.names.map((h) => {
        const t = sliceLeading(cache.get(h), b);
        return [h, { dims: [1, ...t.dims], data: t.data }];
      }),
    ),
  );
}

function stackLeading(tensors: readonly Float32Tensor[]): Float32Tensor {
  const size = tensors[0].data.length;
  const data = new Float32Array(size * tensors.length);
  tensors.forEach((t, i) => data.set(t.data, i * size));
  return { dims: [tensors.length, ...tensors[0].dims.slice(1)], data };
}

/**
 * The first position at which a cell's slice of the source and target activations differ (query
 * positions for the pattern), or −1 when the patch is an exact no-op. Nothing before it changes in
 * the patched run (causal attention), so the run can reuse the target's keys and values up to it.
 */
export function firstDiffering(a: Float32Tensor, b: Float32Tensor, cell: SweepCell, hook: HookName): number {
  const differing = differingPositions(a, b, cell, hook);
  return differing.length ? Math.min(...differing) : -1;
}

function checkPairs(pairs: readonly DatasetPair[], nCtx: number): void {
  if (pairs.length === 0) throw new Error('the prompt set is empty: there are no pairs to patch');
  pairs.forEach((p, i) => {
    if (p.clean.length === 0) throw new Error(`pair ${i + 1}: the prompts are empty`);
    if (p.clean.length !== p.corrupt.length) {
      throw new Error(
        `pair ${i + 1}: the clean prompt has ${p.clean.length} tokens and the corrupt one ${p.corrupt.length}: patching needs equal token counts`,
      );
    }
    if (p.clean.length > nCtx) throw new Error(`pair ${i + 1}: ${p.clean.length} tokens is more than the model's context of ${nCtx}`);
  });
}

/** Float32 bytes of one run's fetched hooks (the cache a pair keeps while its block runs). */
function cacheBytes(model: HookedGpt2, hooks: readonly HookName[], n: number): number {
  const c = model.config;
  return 4 * hooks.reduce((s, h) => s + (h.endsWith('attn.hook_pattern') ? c.nHeads * n * n : n * c.dModel), 0);
}

export async function runDatasetEngine(
  model: HookedGpt2,
  req: DatasetSweepRequest,
  mode: 'exact' | 'attribution',
  tuning: DatasetTuning = {},
): Promise<DatasetSweepResult> {
  const c = model.config;
  checkPairs(req.pairs, c.nCtx);
  const N = req.pairs.length;
  const budget = req.memoryBudgetBytes ?? DEFAULT_PATCHING_BUDGET_BYTES;
  const maxBatch = req.maxBatch ?? 32;
  const directions = req.directions ?? PATCH_DIRECTIONS;
  const notes: string[] = [];
  const lengths = req.pairs.map((p) => p.clean.length);
  const minLen = Math.min(...lengths);
  const maxLen = Math.max(...lengths);
  let sweeps = [...new Set(req.sweeps)];
  const positional = sweeps.filter((s) => POSITION_SWEEPS.includes(s));
  if (minLen !== maxLen && positional.length) {
    sweeps = sweeps.filter((s) => !POSITION_SWEEPS.includes(s));
    notes.push(
      `Position sweeps (${positional.join(', ')}) need every pair to have the same token count, and these pairs have ${minLen} to ${maxLen} tokens: they are left out. Head sweeps work across lengths.`,
    );
  }
  const slots: TableSlot[] = sweeps.flatMap((sweep) =>
    directions.map((direction) => {
      const dims = sweepTableDims(sweep, c.nLayers, c.nHeads, maxLen);
      const cells = dims.reduce((a, b) => a * b, 1);
      return { sweep, direction, dims, cells, perPair: new Float32Array(N * cells) };
    }),
  );
  const metricClean = new Float32Array(N);
  const metricCorrupt = new Float32Array(N);

  // Blocks: pairs of one length (in order of first appearance), each block at most `pairsPerBlock`.
  const groups = new Map<number, number[]>();
  lengths.forEach((n, i) => groups.set(n, [...(groups.get(n) ?? []), i]));
  const hooksFor = (n: number): HookName[] => {
    const hooks = new Set<HookName>();
    for (let l = 0; l < c.nLayers; l++) {
      if (mode === 'exact') {
        hooks.add(blockHook(l, 'hook_resid_pre'));
        if (n > 1) {
          hooks.add(blockHook(l, 'attn.hook_k'));
          hooks.add(blockHook(l, 'attn.hook_v'));
        }
      }
      for (const s of sweeps) hooks.add(sweepHook(s, l));
    }
    return [...hooks];
  };
  const minCells = Math.min(c.nHeads, ...(sweeps.some((s) => SWEEPS[s].axes.includes('pos')) ? [maxLen] : []));
  const blocks: number[][] = [];
  for (const [n, members] of groups) {
    // Per pair while its block runs: both runs' caches, and the cache run's own working set.
    const perPair = 2 * (cacheBytes(model, hooksFor(n), n) + (mode === 'attribution' ? c.nLayers : 1) * patchElementBytes(c, n, n));
    const fit = Math.max(1, Math.floor(budget / 2 / perPair));
    // Exact: enough pairs for two full batches of the smallest per-layer cell count; attribution: one run per 8 pairs.
    const want = tuning.pairsPerBlock ?? (mode === 'exact' ? Math.max(1, Math.ceil((2 * maxBatch) / minCells)) : 8);
    const size = Math.max(1, Math.min(fit, want));
    for (let i = 0; i < members.length; i += size) blocks.push(members.slice(i, i + size));
  }

  const done: number[] = [];
  const tablesTotal = slots.length;
  const unitsTotal = N * Math.max(1, tablesTotal);
  let units = 0;
  const progress = (slot: TableSlot | undefined, tablesDone: number, within: number) => {
    if (!slot || !req.onProgress) return;
    req.onProgress({
      pairsDone: done.length,
      pairsTotal: N,
      tablesDone,
      tablesTotal,
      sweep: slot.sweep,
      direction: slot.direction,
      fraction: Math.min(1, (units + within) / unitsTotal),
    });
  };

  const result = (finished: readonly number[], partial: boolean): DatasetSweepResult => {
    const order = [...finished].sort((a, b) => a - b);
    const pick = (a: Float32Array) => Float32Array.from(order, (i) => a[i]);
    const summary = summarise(pick(metricClean), pick(metricCorrupt));
    const tables: DatasetTable[] = slots.map((s) => {
      const perPair = new Float32Array(order.length * s.cells);
      order.forEach((i, r) => perPair.set(s.perPair.subarray(i * s.cells, (i + 1) * s.cells), r * s.cells));
      return {
        sweep: s.sweep,
        direction: s.direction,
        source: mode,
        dims: s.dims,
        axes: ['layer', ...SWEEPS[s.sweep].axes],
        perPair,
        ...cellStats(perPair, s.cells, summary, s.direction),
      };
    });
    return { summary, tables, notes, pairIndices: order, ...(partial ? { partial: { done: order.length, total: N } } : {}) };
  };

  for (const [bi, block] of blocks.entries()) {
    try {
      const runs = await cacheRuns(model, req, block, hooksFor(req.pairs[block[0]].clean.length), mode === 'attribution' ? slots : undefined);
      for (const r of runs) {
        metricClean[r.index] = r.metricClean;
        metricCorrupt[r.index] = r.metricCorrupt;
      }
      if (mode === 'exact') {
        // The block's caches stay in memory while its batches run: the batches get the rest of the budget.
        const held = block.length * 2 * cacheBytes(model, hooksFor(runs[0].pair.clean.length), runs[0].pair.clean.length);
        const batchBudget = Math.max(0, budget - held);
        for (const [ti, slot] of slots.entries()) {
          await exactTable(model, req, runs, slot, batchBudget, maxBatch, tuning.fault, (f) => progress(slot, ti, block.length * (ti + f)));
          progress(slot, ti + 1, block.length * (ti + 1));
        }
      } else {
        progress(slots[slots.length - 1], slots.length, block.length * slots.length);
      }
    } catch (e) {
      if (req.signal?.aborted && done.length > 0) return result(done, true);
      throw e;
    }
    done.push(...block);
    units += block.length * Math.max(1, tablesTotal);
    progress(slots[slots.length - 1], tablesTotal, 0);
    if (bi < blocks.length - 1) req.onPairsDone?.(result(done, true));
  }
  const final = result(done, false);
  for (const t of final.tables) req.onTable?.(t);
  return final;
}

/**
 * The clean and corrupt runs of a block's pairs: one batched run (element 2k is pair k's clean
 * prompt, 2k + 1 its corrupt one). With `attribution`, the run is also the backward pass of each
 * element's own metric, and the attribution tables of `attribution` are filled in per pair.
 */
async function cacheRuns(
  model: HookedGpt2,
  req: DatasetSweepRequest,
  block: readonly number[],
  hooks: readonly HookName[],
  attribution?: readonly TableSlot[],
): Promise<PairRun[]> {
  const V = model.config.dVocab;
  const rows = block.flatMap((i) => [req.pairs[i].clean, req.pairs[i].corrupt]);
  const metrics = block.map((i) => logitDifference(req.pairs[i].answer, req.pairs[i].wrong));
  let gradient: { metricGrad: Float32Array; hooks: readonly HookName[] } | undefined;
  if (attribution?.length) {
    const metricGrad = new Float32Array(rows.length * V);
    metrics.forEach((m, k) => {
      // the logit difference is linear: its gradient does not depend on the logits
      const g = m.gradient(new Float32Array(V));
      metricGrad.set(g, 2 * k * V);
      metricGrad.set(g, (2 * k + 1) * V);
    });
    gradient = { metricGrad, hooks };
  }
  const out = await model.runWithCache(rows, hooks, { signal: req.signal, ...(gradient ? { gradient } : {}) });
  const logits = out.logits!.data;
  const runs = block.map((index, k): PairRun => {
    const pair = req.pairs[index];
    const metric = metrics[k];
    return {
      index,
      pair,
      metric,
      clean: elementCache(out.cache, 2 * k),
      corrupt: elementCache(out.cache, 2 * k + 1),
      metricClean: metric(logits.subarray(2 * k * V, (2 * k + 1) * V)),
      metricCorrupt: metric(logits.subarray((2 * k + 1) * V, (2 * k + 2) * V)),
    };
  });
  if (gradient && attribution) attributionTables(model, runs, out.gradients!, attribution);
  return runs;
}

interface Item {
  readonly run: PairRun;
  readonly cell: SweepCell;
  readonly start: number;
}

/** One table (sweep × direction) for every pair of a block, batched across pairs layer by layer. */
async function exactTable(
  model: HookedGpt2,
  req: DatasetSweepRequest,
  runs: readonly PairRun[],
  slot: TableSlot,
  budget: number,
  maxBatch: number,
  fault: DatasetFault | undefined,
  onChunk: (fractionOfTable: number) => void,
): Promise<void> {
  const c = model.config;
  const n = runs[0].pair.clean.length;
  const cells = sweepCells(slot.sweep, c.nHeads, n);
  const perLayer = slot.cells / c.nLayers;
  const side = (r: PairRun) =>
    slot.direction === 'denoise'
      ? { target: r.corrupt, source: r.clean, tokens: r.pair.corrupt, metric: r.metricCorrupt }
      : { target: r.clean, source: r.corrupt, tokens: r.pair.clean, metric: r.metricClean };
  for (let layer = 0; layer < c.nLayers; layer++) {
    const hook = sweepHook(slot.sweep, layer);
    const items: Item[] = [];
    for (const run of runs) {
      const s = side(run);
      const src = s.source.get(hook);
      const tgt = s.target.get(hook);
      for (const cell of cells) {
        const start = firstDiffering(src, tgt, cell, hook);
        if (start < 0) slot.perPair[run.index * slot.cells + layer * perLayer + cell.index] = s.metric;
        else items.push({ run, cell, start });
      }
    }
    // Earliest patched position first: a batch of nearby positions shares a short suffix.
    items.sort((a, b) => a.start - b.start || a.run.index - b.run.index || a.cell.index - b.cell.index);
    // Each batch is sized from its own suffix (its first item's start) and the feeds each element brings.
    const prefixAt = (start: number) => (start >= 1 && start < n ? start : 0);
    const elementBytes = (start: number) => patchElementBytes(c, n - prefixAt(start), n) + patchFeedBytes(c, layer, prefixAt(start), n - prefixAt(start), true);
    const chunks = budgetBatches(
      items,
      (it) => it.start,
      elementBytes,
      budget,
      (start) => batchForRows(maxBatch, n - prefixAt(start)),
    );
    const residHook = blockHook(layer, 'hook_resid_pre');
    let finished = 0;
    for (const chunk of chunks) {
      req.signal?.throwIfAborted();
      const sides = chunk.map((it) => side(it.run));
      const patches: HookPatch[] = chunk.map((it, b) => ({
        hook,
        values: sides[b].source.get(hook),
        positions: it.cell.positions,
        heads: it.cell.heads,
        batch: [b],
      }));
      const residPre = stackLeading(sides.map((s, b) => (fault === 'residual-of-first-element' && b > 0 ? sides[0] : s).target.get(residHook)));
      const prefix = prefixAt(chunk[0].start); // items are sorted: the chunk's earliest patch
      const from = sides.map((s) => (fault === 'prefix-of-first-element' ? sides[0] : s).target);
      const out = await model.run(
        sides.map((s) => s.tokens),
        {
          startAt: { layer, residPre },
          patches,
          logits: 'last',
          trimLastBlock: true,
          signal: req.signal,
          ...(prefix ? { reusePrefix: { length: prefix, from } } : {}),
        },
      );
      chunk.forEach((it, b) => {
        slot.perPair[it.run.index * slot.cells + layer * perLayer + it.cell.index] = it.run.metric(sliceLeading(out.logits!, b).data);
      });
      finished += chunk.length;
      onChunk((layer + finished / items.length) / c.nLayers);
    }
    if (!items.length) onChunk((layer + 1) / c.nLayers);
  }
}

/**
 * Attribution tables of a block from its forward+backward run: per pair, the estimate is the
 * target's metric plus Σ (source − target) · ∂metric/∂activation (on the target run) over the cell.
 */
function attributionTables(model: HookedGpt2, runs: readonly PairRun[], gradients: ActivationCache, slots: readonly TableSlot[]): void {
  const c = model.config;
  runs.forEach((r, k) => {
    const clean = { cache: r.clean, grads: elementCache(gradients, 2 * k), metric: r.metricClean };
    const corrupt = { cache: r.corrupt, grads: elementCache(gradients, 2 * k + 1), metric: r.metricCorrupt };
    for (const slot of slots) {
      const [target, source] = slot.direction === 'denoise' ? [corrupt, clean] : [clean, corrupt];
      const values = new Float32Array(slot.cells);
      const perLayer = slot.cells / c.nLayers;
      for (let l = 0; l < c.nLayers; l++) {
        const hook = sweepHook(slot.sweep, l);
        const tgt = target.cache.get(hook);
        accumulateCells(slot.sweep, tgt.dims, source.cache.get(hook).data, tgt.data, target.grads.get(hook).data, values, l * perLayer);
      }
      for (let i = 0; i < values.length; i++) values[i] += target.metric;
      slot.perPair.set(values, r.index * slot.cells);
    }
  });
}
