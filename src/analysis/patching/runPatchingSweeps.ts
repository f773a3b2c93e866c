/**
 * Exact activation patching in both directions. For each sweep and layer it starts at that layer
 * from the target run's cached residual stream (nothing before the patch is recomputed) and puts
 * one patch in each batch element. Only a suffix of the positions is computed: a patch at position
 * p changes nothing before p (causal attention), so a batch whose patches all sit at p or later
 * reuses the target run's keys and values for the positions before p and computes the rest. Cells
 * are sorted by position, so each batch's suffix starts at its earliest patch.
 *
 * A cell whose value is known without running it is not run (`inferKnownCells`, exact up to
 * float rounding; `inferredCells` counts them):
 * - its patch is a no-op: the source's slice equals the target's (e.g. positions before the first
 *   differing token). Its value is the unpatched metric.
 * - at the last layer, a position-local hook (`z`, `q`, `attn_out`, `mlp_out`, a `pattern` query
 *   row) at any position but the metric's (the last) reaches no logit the metric reads: a cell
 *   patching only such positions is a no-op, and a whole-head cell patches only the last position.
 * - a `resid_pre` cell covering every position where the two runs' residual streams differ at its
 *   layer makes the patched run the source run: its value is the source's metric.
 * - two cells of one hook and layer that patch the same differing slices (after the rules above:
 *   e.g. `z` of a head whose `z` differs at one position only, and that position's `z_by_pos`
 *   cell) have the same value: it is run once.
 */
import { blockHook, type HookName } from '../../shared/hookNames';
import type { HookedGpt2, ModelForwards } from '../../model/hookedGpt2';
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
  /**
   * Skip the cells whose value follows exactly from the caches or another cell (see the module
   * comment; default true). False runs them (the tests compare both). No-op patches are skipped either way.
   */
  readonly inferKnownCells?: boolean;
  /** Compute the last block only at the metric's position (its keys and values at every position; default true; exact). */
  readonly trimLastBlock?: boolean;
  /**
   * Bytes the sweeps may take beside the model's weights (default 2 GiB, `DEFAULT_PATCHING_BUDGET_BYTES`):
   * the two cached runs' activations, and each batch's activations and feeds, sized from their shapes
   * before it runs (`budgetBatches`), so the engine stays within the budget plus the weights (and
   * the runtime's own few hundred MB) at any prompt length.
   */
  readonly memoryBudgetBytes?: number;
  /** Most patches in one batched run (default 32). */
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
  /**
   * Work done and planned over every table, in positions computed (each batch: its cells × its
   * suffix × the layers from its own, plus a fixed cost per run): grows steadily with time.
   */
  readonly workDone: number;
  readonly workTotal: number;
  /** Milliseconds since the patched runs began (after the two cached runs). */
  readonly elapsedMs: number;
}

export interface PatchingTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  /** [layer, ...axes]: e.g. resid_pre [n_layers, pos], z [n_layers, head_index], z_by_pos [n_layers, head_index, pos] */
  readonly dims: readonly number[];
  readonly axes: readonly string[];
  /** The metric of each patched run. */
  readonly values: Float32Array;
  /** Cells that were not run: no-op patches and cells whose value was inferred. */
  readonly skippedCells: number;
  /** Of the skipped cells, those known from a rule other than a no-op patch (see the module comment). */
  readonly inferredCells?: number;
}

export interface PatchingResult {
  readonly metricClean: number;
  readonly metricCorrupt: number;
  readonly tables: readonly PatchingTable[];
}

/** Block hooks whose value at one position reaches no other position of its block (TL suffixes). */
const POSITION_LOCAL = ['attn.hook_z', 'attn.hook_q', 'hook_attn_out', 'hook_mlp_out', 'attn.hook_pattern'];

/**
 * The positions of `cell` (all, when it has none) where `a` and `b` differ in any of the cell's
 * heads. The hooks are [1, pos, head, d] / [1, pos, d] / [1, head, query_pos, key_pos].
 */
export function differingPositions(a: Float32Tensor, b: Float32Tensor, cell: SweepCell, hook: HookName): number[] {
  const dims = a.dims;
  const isPattern = hook.endsWith('hook_pattern');
  const hasHeads = dims.length === 4;
  const nPos = isPattern ? dims[2] : dims[1];
  const positions = cell.positions ?? Array.from({ length: nPos }, (_, i) => i);
  const heads = hasHeads ? (cell.heads ?? Array.from({ length: isPattern ? dims[1] : dims[2] }, (_, i) => i)) : [0];
  const inner = dims[dims.length - 1];
  return positions.filter((p) =>
    heads.some((h) => {
      const off = !hasHeads ? p * inner : isPattern ? (h * dims[2] + p) * inner : (p * dims[2] + h) * inner;
      for (let i = 0; i < inner; i++) if (a.data[off + i] !== b.data[off + i]) return true;
      return false;
    }),
  );
}

/** The first position a cell's patch touches: its position, or the first differing token for a whole-head cell (earlier positions are identical in both runs). */
function firstPatched(cell: SweepCell, firstDiff: number): number {
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

/**
 * Float32 bytes one batch element's feeds take: the residual stream fed at `layer` and the patch
 * values, the reused prefix's keys and values as the running layer broadcasts them to the element
 * (one layer at a time), and, when each element brings its own prefix (`perElementPrefix`, prompt
 * sets), that prefix's keys and values for every layer from `layer` on. One prefix shared by the
 * batch is fed once, not per element.
 */
export function patchFeedBytes(
  c: Pick<HookedGpt2['config'], 'nLayers' | 'dModel'>,
  layer: number,
  prefix: number,
  suffix: number,
  perElementPrefix = false,
): number {
  return 4 * c.dModel * ((perElementPrefix ? 2 * (c.nLayers - layer) * prefix : 0) + 2 * prefix + 2 * suffix);
}

/**
 * Cells (sorted by their first patched position) cut into batches that each fit the budget: a batch
 * computes the suffix from its first cell's position, so its elements' bytes are known before it
 * runs; a batch holds at least one cell and at most `maxBatch` (a number, or one per suffix start).
 */
export function budgetBatches<T>(
  cells: readonly T[],
  start: (cell: T) => number,
  elementBytes: (start: number) => number,
  budgetBytes: number,
  maxBatch: number | ((start: number) => number),
): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < cells.length;) {
    const s = start(cells[i]);
    const n = batchForBudget(budgetBytes, elementBytes(s), typeof maxBatch === 'number' ? maxBatch : maxBatch(s));
    out.push(cells.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The largest batch (1..maxBatch) whose elements fit the budget. */
export function batchForBudget(budgetBytes: number, elementBytes: number, maxBatch: number): number {
  return Math.max(1, Math.min(maxBatch, Math.floor(budgetBytes / elementBytes)));
}

/**
 * Rows (batch elements × suffix positions) a batched run's matmuls work best with on this kind of CPU:
 * CPU per row, measured from layer 0 on GPT-2-small shapes, is lowest from about 350 to 760 rows
 * (0.29–0.31 ms) and 10–35% higher from 1,100 rows on (BENCHMARKS.md, issue 15 run I), where a
 * layer's activations no longer stay in cache.
 */
export const BATCH_ROWS = 768;

/** The batch cap for a suffix of `suffix` positions: `maxBatch`, or fewer so the batch holds about `BATCH_ROWS` rows. */
export function batchForRows(maxBatch: number, suffix: number): number {
  return Math.max(1, Math.min(maxBatch, Math.floor(BATCH_ROWS / Math.max(1, suffix))));
}

/** The fixed cost of one batched run, in positions computed per layer (for the progress estimate only). */
const RUN_COST_POSITIONS = 8;

interface PlannedBatch {
  readonly layer: number;
  readonly hook: HookName;
  /** Cells with the positions they patch (the differing ones, after the last-layer rule). */
  readonly cells: readonly SweepCell[];
  /** Positions reused from the target run (0: none). */
  readonly prefix: number;
  readonly work: number;
  /** Live cells of this layer, and how many of them are done after this batch. */
  readonly cellsTotal: number;
  readonly cellsDone: number;
}

interface PlannedTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly dims: readonly number[];
  readonly values: Float32Array;
  readonly perLayer: number;
  readonly batches: PlannedBatch[];
  /** Cells equal to another cell run earlier (or in this table): copied when the table is complete. */
  readonly copies: { readonly index: number; readonly from: { readonly values: Float32Array; readonly index: number } }[];
  skipped: number;
  inferred: number;
}

export async function runPatchingSweeps(model: ModelForwards, req: PatchingRequest): Promise<PatchingResult> {
  const c = model.config;
  const nPos = req.clean.length;
  if (nPos === 0) throw new Error('empty prompts: nothing to patch');
  if (req.corrupt.length !== nPos) {
    throw new Error(`the clean prompt has ${nPos} tokens and the corrupt one ${req.corrupt.length}: position-wise patching needs equal token counts`);
  }
  const maxBatch = req.maxBatch ?? 32;
  const infer = req.inferKnownCells !== false;
  const directions = req.directions ?? PATCH_DIRECTIONS;
  const hooks = new Set<HookName>();
  // Positions before the first differing token are identical in both runs (causal attention), so
  // patched runs compute only the later positions, reusing the target run's keys and values.
  let firstDiff = 0;
  while (firstDiff < nPos && req.clean[firstDiff] === req.corrupt[firstDiff]) firstDiff++;
  const reuse = req.reusePrefix !== false && nPos > 1;
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
  const runs: Record<PatchDirection, { target: ActivationCache; source: ActivationCache; tokens: readonly number[]; metric: number; sourceMetric: number }> = {
    denoise: { target: corrupt.cache, source: clean.cache, tokens: req.corrupt, metric: metricCorrupt, sourceMetric: metricClean },
    noise: { target: clean.cache, source: corrupt.cache, tokens: req.clean, metric: metricClean, sourceMetric: metricCorrupt },
  };
  // The two cached runs stay in memory for the whole sweep: the batches get what they leave.
  let cachedBytes = 0;
  for (const run of [clean.cache, corrupt.cache]) for (const h of run.names) cachedBytes += run.get(h).data.byteLength;
  const budget = (req.memoryBudgetBytes ?? DEFAULT_PATCHING_BUDGET_BYTES) - cachedBytes;
  const byFirstDiff = req.suffix === 'first-difference';

  // Plan every table first (which cells run, in which batches, at what cost), then run them: the
  // progress then knows the whole work, and a cell can copy a cell of an earlier table.
  const plans: PlannedTable[] = [];
  const runCells: Record<PatchDirection, Map<string, { values: Float32Array; index: number }>> = { denoise: new Map(), noise: new Map() };
  for (const sweep of req.sweeps) {
    for (const direction of directions) {
      const run = runs[direction];
      const dims = sweepTableDims(sweep, c.nLayers, c.nHeads, nPos);
      const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
      const perLayer = values.length / c.nLayers;
      const plan: PlannedTable = { sweep, direction, dims, values, perLayer, batches: [], copies: [], skipped: 0, inferred: 0 };
      plans.push(plan);
      for (let layer = 0; layer < c.nLayers; layer++) {
        const hook = sweepHook(sweep, layer);
        const source = run.source.get(hook);
        const target = run.target.get(hook);
        const local = infer && layer === c.nLayers - 1 && POSITION_LOCAL.some((s) => hook.endsWith(`.${s}`));
        // Where the residual stream differs at this layer: patching all of it is the source run.
        const residDiff = infer && SWEEPS[sweep].suffix === 'hook_resid_pre' ? differingPositions(source, target, { index: 0 }, hook).join(',') : undefined;
        const live: SweepCell[] = [];
        for (const cell of sweepCells(sweep, c.nHeads, nPos)) {
          const at = layer * perLayer + cell.index;
          const differing = differingPositions(source, target, cell, hook);
          const positions = local ? differing.filter((p) => p === nPos - 1) : differing;
          if (positions.length === 0) {
            values[at] = run.metric;
            plan.skipped++;
            if (differing.length > 0) plan.inferred++;
            continue;
          }
          if (residDiff !== undefined && positions.join(',') === residDiff) {
            values[at] = run.sourceMetric;
            plan.skipped++;
            plan.inferred++;
            continue;
          }
          const key = `${hook}|${cell.heads?.join(',') ?? ''}|${positions.join(',')}`;
          const same = infer ? runCells[direction].get(key) : undefined;
          if (same) {
            plan.copies.push({ index: at, from: same });
            plan.skipped++;
            plan.inferred++;
            continue;
          }
          runCells[direction].set(key, { values, index: at });
          // Whole-head cells patch only the positions that differ (the others would be no-ops).
          live.push({ index: cell.index, heads: cell.heads, positions });
        }
        // Earliest patched position first: a batch of nearby positions shares a short suffix.
        live.sort((a, b) => firstPatched(a, firstDiff) - firstPatched(b, firstDiff) || a.index - b.index);
        // Each batch sized from its own suffix (its first cell's position) and reused prefix.
        // Each batch also holds about BATCH_ROWS rows at most, where the matmuls run fastest.
        const prefixFor = (start: number) => (reuse && !byFirstDiff ? start : reuse ? firstDiff : 0);
        const elementBytes = (start: number) =>
          patchElementBytes(c, nPos - prefixFor(start), nPos) + patchFeedBytes(c, layer, prefixFor(start), nPos - prefixFor(start));
        const chunks = budgetBatches(
          live,
          (cell) => firstPatched(cell, firstDiff),
          elementBytes,
          budget,
          (start) => batchForRows(maxBatch, nPos - prefixFor(start)),
        );
        let done = 0;
        for (const chunk of chunks) {
          const start = byFirstDiff ? firstDiff : (req.planSuffix ?? suffixStart)(chunk, firstDiff);
          const prefix = reuse && start >= 1 && start < nPos ? start : 0;
          done += chunk.length;
          const work = (c.nLayers - layer) * (chunk.length * (nPos - prefix) + RUN_COST_POSITIONS);
          plan.batches.push({ layer, hook, cells: chunk, prefix, work, cellsTotal: live.length, cellsDone: done });
        }
      }
    }
  }

  const workTotal = plans.reduce((n, p) => n + p.batches.reduce((m, b) => m + b.work, 0), 0);
  let workDone = 0;
  const t0 = performance.now();
  const tables: PatchingTable[] = [];
  for (const plan of plans) {
    const run = runs[plan.direction];
    for (const b of plan.batches) {
      req.signal?.throwIfAborted();
      const source = run.source.get(b.hook);
      const patches: HookPatch[] = b.cells.map((cell, i) => ({ hook: b.hook, values: source, positions: cell.positions, heads: cell.heads, batch: [i] }));
      const out = await model.run(run.tokens, {
        startAt: { layer: b.layer, residPre: run.target.get(blockHook(b.layer, 'hook_resid_pre')) },
        patches,
        logits: 'last',
        trimLastBlock: req.trimLastBlock !== false,
        signal: req.signal,
        ...(b.prefix ? { reusePrefix: { length: b.prefix, from: run.target } } : {}),
      });
      b.cells.forEach((cell, i) => (plan.values[b.layer * plan.perLayer + cell.index] = req.metric(sliceLeading(out.logits!, i).data)));
      workDone += b.work;
      req.onProgress?.({
        direction: plan.direction,
        sweep: plan.sweep,
        layer: b.layer,
        cellsDone: b.cellsDone,
        cellsTotal: b.cellsTotal,
        tablesDone: tables.length,
        tablesTotal: plans.length,
        workDone,
        workTotal,
        elapsedMs: performance.now() - t0,
      });
    }
    for (const copy of plan.copies) plan.values[copy.index] = copy.from.values[copy.from.index];
    const table: PatchingTable = {
      sweep: plan.sweep,
      direction: plan.direction,
      dims: plan.dims,
      axes: ['layer', ...SWEEPS[plan.sweep].axes],
      values: plan.values,
      skippedCells: plan.skipped,
      inferredCells: plan.inferred,
    };
    tables.push(table);
    req.onTable?.(table, { metricClean, metricCorrupt });
  }
  return { metricClean, metricCorrupt, tables };
}
