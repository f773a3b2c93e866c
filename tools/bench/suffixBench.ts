/**
 * Exact patching where substitutions usually are, early in the prompt (issue 15). Each case is a
 * prompt of n tokens from the samples folder with one token replaced: "early" at about 25% of the
 * prompt (position ⌊n/4⌋ + 1: 8 of 30), "late" at 70%. For each case, on the loaded benchmark model:
 * - the full comparison (all 9 sweeps × both directions, one `runPatchingSweeps` call, as the panel
 *   runs it), wall and CPU time, against one full-cache forward of the same prompt;
 * - each of its 18 tables: time (from the previous table; the first also holds the two cached runs),
 *   cells run, cells inferred, no-op cells;
 * - each sweep against the naive loop (one full forward of the target prompt per cell with the patch,
 *   in our engine): `samples` forwards timed, alternating layers 0 and n_layers − 1 (cost does not
 *   depend on the layer: every forward runs every layer) at positions from the difference on, their
 *   mean × the cells that are not no-ops (both directions).
 * - the work (`suffixWork.ts`): each table's batched runs, the position × layer rows they compute,
 *   and the rows an exact suffix recompute of its live cells needs at least, in forward-equivalents
 *   (rows / (n_tokens × n_layers)): a lower bound for any exact method that recomputes per cell;
 * - one run's fixed cost (batch 1, only the last position of the last layer), and runs × that cost:
 *   the most that sharing runs across layers could save;
 * - CPU per element of a patched batch from layer 0 at batch 1, 4, 12 and 36 (cases up to 64 tokens):
 *   whether batched runs are arithmetic-bound;
 * - the attribution preview against one plain forward and one full-cache forward.
 * A case with `sampleFwd` (the `--large` ones) first plans the comparison without running it (the
 * batches and their rows are exact), then runs, in each table planned above `sampleFwd`
 * forward-equivalents of rows, only batches spread evenly over it (about that many rows, at least 2
 * batches); the others' time is extrapolated per table: the fixed cost per run plus a cost per row
 * (rows + the unembedding's row-equivalents) fitted on the batches that ran (warm), plus the graph
 * builds of the variants no sampled batch built. Every sampled number says so (at 8 tokens, sampled
 * at 3 against every batch run: 76.8 s against 74.6 s CPU).
 * With `switches`, the 30-token early comparison also runs with each speed-up off, in turn (each
 * batch from the first difference, no inferred cells, the full last block).
 * Run alone: `node --import tsx tools/bench/suffixBench.ts [--large | --large-only] [--switches] [--tokens 30,64] [--late] [--samples 6] [--sample-fwd N]`.
 * Default: 30 tokens early and 64 late, every batch run; `--large` adds 64 and 256 early and 256 late,
 * sampled (`--large-only`: those alone; `--sample-fwd N` sets N for every case, 0 runs every batch:
 * hours at 256 tokens).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps, type PatchingRequest, type PatchingTable } from '../../src/analysis/patching/runPatchingSweeps';
import { SWEEPS, sweepHook } from '../../src/analysis/patching/sweeps';
import { SWEEP_KINDS, type PatchDirection, type SweepKind } from '../../src/shared/patchingVocabulary';
import { runAttributionPatching } from '../../src/analysis/patching/attributionPatching';
import { blockHook } from '../../src/shared/hookNames';
import type { HookPatch } from '../../src/model/hookPatch';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt, fullCacheHooks, interleavedWallAndCpu } from './timing';
import { engineRows, extrapolateRuns, recordPatchedRuns, spreadIndices, unembedRowEquivalents, type PatchedRun } from './suffixWork';

const SAMPLES_DIR = join(__dirname, '..', '..', 'samples');

export interface SuffixBenchCase {
  readonly kind: 'early' | 'late';
  readonly tokens: number;
  /**
   * Forward-equivalents of rows a table runs at most: a table planned above it runs only batches
   * spread over it, the rest extrapolated (absent or 0: every batch runs).
   */
  readonly sampleFwd?: number;
}

interface WallCpu {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface TableTiming {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly ms: number;
  readonly cpuMs: number;
  readonly cells: number;
  readonly ran: number;
  readonly inferred: number;
  readonly noop: number;
  /** Batched runs, patches in them (the live cells), rows computed and the minimum (see suffixWork). */
  readonly runs: number;
  readonly elements: number;
  readonly rows: number;
  readonly minRows: number;
  /** Unembedding multiply-adds of the runs, in rows. */
  readonly unembedRows: number;
  /** Set when only some runs ran: what ran, measured (`ms`, `cpuMs` above then include the extrapolated rest). */
  readonly sampled?: { readonly runsRun: number; readonly rowsRun: number; readonly ms: number; readonly cpuMs: number };
}

export interface SweepNaive {
  readonly sweep: SweepKind;
  /** Cells that are not no-ops, both directions: what the naive loop runs. */
  readonly cells: number;
  readonly perCellMs: number;
  readonly sampled: number;
  readonly ms: number;
  /** This sweep's two tables in the comparison. */
  readonly fastMs: number;
}

export interface SuffixCaseResult {
  readonly kind: SuffixBenchCase['kind'];
  readonly tokens: number;
  readonly firstDiff: number;
  readonly nLayers: number;
  /** One full-cache forward of the corrupt prompt (every hook but per-head results). */
  readonly forward: WallCpu;
  /** One plain forward (last position's logits). */
  readonly plainForward: WallCpu;
  /** The attribution preview (all 9 sweeps, both directions), as the panel's `attribution` runs it. */
  readonly attribution: WallCpu;
  /** The comparison: measured, plus the extrapolated rest when sampled. */
  readonly comparison: WallCpu;
  /** What actually ran (equal to `comparison` unless sampled). */
  readonly comparisonMeasured: WallCpu;
  readonly sampleFwd?: number;
  /** A run's fixed cost: batch 1, the last position of the last layer only; median and best of the repeats. */
  readonly fixedRun: { readonly median: WallCpu; readonly best: WallCpu; readonly repeats: number; readonly first: WallCpu };
  /** A new graph variant from layer 0 (z patched at the first difference, batch 1): its first run (the build included) and a second. */
  readonly layer0Variant: { readonly first: WallCpu; readonly second: WallCpu };
  /** Distinct graph variants the comparison's runs use (patched hook, start layer, prefix, trim): each built once (the model keeps 16). */
  readonly variants: number;
  /** A patched batch from layer 0 (z at the first difference), per batch size. */
  readonly batchScaling?: readonly { readonly batch: number; readonly rowsPerElement: number; readonly wallMs: number; readonly cpuMs: number }[];
  readonly tables: readonly TableTiming[];
  readonly naive: readonly SweepNaive[];
  /** The same comparison with each speed-up off (only with `switches`). */
  readonly switches?: readonly { readonly name: string; readonly wallMs: number; readonly cpuMs: number }[];
}

export interface SuffixBenchOptions {
  readonly cases?: readonly SuffixBenchCase[];
  readonly samples?: number;
  readonly switches?: boolean;
  readonly log?: (line: string) => void;
}

export const DEFAULT_CASES: readonly SuffixBenchCase[] = [
  { kind: 'early', tokens: 30 },
  { kind: 'late', tokens: 64 },
];
/** Sampled (see the module comment): about 15 minutes on a quiet 2-core machine all together, instead of hours. */
export const LARGE_CASES: readonly SuffixBenchCase[] = [
  { kind: 'early', tokens: 64, sampleFwd: 10 },
  { kind: 'early', tokens: 256, sampleFwd: 4 },
  { kind: 'late', tokens: 256, sampleFwd: 4 },
];
/** Batch sizes of the per-element cost of a patched run from layer 0 (the dataset run's). */
export const BATCH_SIZES = [1, 4, 12, 36];

function samplePrompt(): string {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => readFileSync(join(SAMPLES_DIR, f), 'utf8'))
    .join('\n');
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

/**
 * The comparison, table by table, with every patched run recorded. `run` decides which runs are run
 * (by their index in the comparison; all by default). When some are not, each graph variant's first
 * run runs twice (the first builds the variant, the second is timed warm), and a table's time is
 * what was measured less those warm repeats, plus for the runs not run `fixed` (one run's fixed cost)
 * and a cost per unit of work fitted on the table's runs that ran, plus the graph builds of the
 * variants no run built (the mean build measured: first run less warm run).
 */
async function timedComparison(
  loaded: LoadedModel,
  req: PatchingRequest,
  run?: (index: number) => boolean,
  fixed: WallCpu = { wallMs: 0, cpuMs: 0 },
): Promise<{ wallMs: number; cpuMs: number; measured: WallCpu; tables: TableTiming[] }> {
  const c = loaded.model.config;
  const unembed = unembedRowEquivalents(c);
  const raw: { t: PatchingTable; runs: readonly PatchedRun[]; ms: number; cpuMs: number }[] = [];
  const recorder = recordPatchedRuns(loaded.model, run ? (_, i) => run(i) : undefined, !!run);
  const t0 = performance.now();
  const c0 = cpuNow();
  let [tPrev, cPrev, first] = [t0, c0, 0];
  try {
    await runPatchingSweeps(loaded.model, {
      ...req,
      onTable: (t) => {
        const [tNow, cNow] = [performance.now(), cpuNow()];
        raw.push({ t, runs: recorder.runs.slice(first), ms: tNow - tPrev, cpuMs: cNow - cPrev });
        first = recorder.runs.length;
        [tPrev, cPrev] = [performance.now(), cpuNow()];
      },
    });
  } finally {
    recorder.restore();
  }
  const measured = { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0 };

  // Graph builds: the variants each table builds first (in the plan), those no run built, and the
  // mean build of those that were.
  const ranVariants = new Set(recorder.runs.filter((r) => r.ran).map((r) => r.variant));
  const builds: WallCpu[] = [];
  const seenRan = new Set<string>();
  for (const r of recorder.runs) {
    if (!r.ran || !r.cold || seenRan.has(r.variant)) continue;
    seenRan.add(r.variant);
    builds.push({ wallMs: Math.max(0, r.cold.wallMs - r.wallMs), cpuMs: Math.max(0, r.cold.cpuMs - r.cpuMs) });
  }
  const meanBuild = (k: keyof WallCpu) => (builds.length ? sum(builds, (b) => b[k]) / builds.length : 0);
  const seenPlanned = new Set<string>();
  const work = (r: PatchedRun) => r.rows + r.batch * r.logitRows * unembed;
  const tables = raw.map(({ t, runs, ms, cpuMs }): TableTiming => {
    const firstPlanned = [...new Set(runs.map((r) => r.variant))].filter((v) => !seenPlanned.has(v));
    firstPlanned.forEach((v) => seenPlanned.add(v));
    const unbuilt = firstPlanned.filter((v) => !ranVariants.has(v)).length;
    const ran = runs.filter((r) => r.ran);
    const skipped = ran.length < runs.length;
    const estimate = (k: keyof WallCpu, measuredMs: number) =>
      measuredMs -
      sum(ran, (r) => (r.cold ? r[k] : 0)) +
      extrapolateRuns(
        runs.map((r) => ({ ran: r.ran, work: work(r), ms: r[k] })),
        fixed[k],
      ).extraMs +
      unbuilt * meanBuild(k);
    const inferred = t.inferredCells ?? 0;
    return {
      sweep: t.sweep,
      direction: t.direction,
      ms: skipped ? estimate('wallMs', ms) : ms,
      cpuMs: skipped ? estimate('cpuMs', cpuMs) : cpuMs,
      cells: t.values.length,
      ran: t.values.length - t.skippedCells,
      inferred,
      noop: t.skippedCells - inferred,
      runs: runs.length,
      elements: sum(runs, (r) => r.batch),
      rows: sum(runs, (r) => r.rows),
      minRows: sum(runs, (r) => r.minRows),
      unembedRows: sum(runs, (r) => r.batch * r.logitRows * unembed),
      ...(skipped ? { sampled: { runsRun: ran.length, rowsRun: sum(ran, (r) => r.rows), ms, cpuMs } } : {}),
    };
  });
  const extraWall = sum(tables, (t) => (t.sampled ? t.ms - t.sampled.ms : 0));
  const extraCpu = sum(tables, (t) => (t.sampled ? t.cpuMs - t.sampled.cpuMs : 0));
  return { wallMs: measured.wallMs + extraWall, cpuMs: measured.cpuMs + extraCpu, measured, tables };
}

/** The comparison's patched runs, planned and counted without running them (the two cached runs do run), per table. */
export async function planComparison(loaded: LoadedModel, req: PatchingRequest): Promise<PatchedRun[][]> {
  const recorder = recordPatchedRuns(loaded.model, () => false);
  const tables: PatchedRun[][] = [];
  let first = 0;
  try {
    await runPatchingSweeps(loaded.model, {
      ...req,
      onTable: () => {
        tables.push(recorder.runs.slice(first));
        first = recorder.runs.length;
      },
    });
  } finally {
    recorder.restore();
  }
  return tables;
}

/** Wall and CPU of `fn` after one warm-up: the median and the best of `repeats`. */
async function repeatedWallCpu(fn: () => Promise<unknown>, repeats: number): Promise<{ median: WallCpu; best: WallCpu; repeats: number; first: WallCpu }> {
  const [t0, c0] = [performance.now(), cpuNow()];
  await fn();
  const first = { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0 };
  const xs: WallCpu[] = [];
  for (let i = 0; i < repeats; i++) {
    const [t1, c1] = [performance.now(), cpuNow()];
    await fn();
    xs.push({ wallMs: performance.now() - t1, cpuMs: cpuNow() - c1 });
  }
  const med = (k: keyof WallCpu) => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const min = (k: keyof WallCpu) => Math.min(...xs.map((x) => x[k]));
  return { median: { wallMs: med('wallMs'), cpuMs: med('cpuMs') }, best: { wallMs: min('wallMs'), cpuMs: min('cpuMs') }, repeats, first };
}

export async function suffixCase(loaded: LoadedModel, bc: SuffixBenchCase, samples = 6, switches = false, log = (_: string) => {}): Promise<SuffixCaseResult> {
  const ids = loaded.toPrompt(samplePrompt()).ids;
  const n = bc.tokens;
  if (ids.length < n) throw new Error(`benchmark prompt has only ${ids.length} tokens`);
  const clean = ids.slice(0, n);
  const at = bc.kind === 'early' ? Math.floor(n / 4) + 1 : Math.floor(n * 0.7);
  const other = loaded.tokenizer.encode(' depth').ids[0];
  const corrupt = clean.map((t, i) => (i === at ? (t === other ? other + 1 : other) : t));
  const metric = logitDifference(clean[at], corrupt[at]);
  const c = loaded.model.config;
  const L = c.nLayers;
  const req: PatchingRequest = { clean, corrupt, metric, sweeps: SWEEP_KINDS };

  // One plain forward, one full-cache forward and the attribution preview (as the panel's
  // `attribution` handler runs it: every sweep, both directions), interleaved.
  const [plainForward, forward, attribution] = await interleavedWallAndCpu(
    [
      () => loaded.model.run(corrupt),
      () => loaded.model.runWithCache(corrupt, fullCacheHooks(L)),
      () => runAttributionPatching(loaded.model, { clean, corrupt, metric, sweeps: SWEEP_KINDS }),
    ],
    3,
  );
  log(
    `${bc.kind} ${n}: plain forward ${fmt(plainForward.cpuMs, 0)} ms CPU, full-cache ${fmt(forward.cpuMs, 0)} ms CPU, attribution preview ${fmt(attribution.cpuMs, 0)} ms CPU`,
  );

  // A run's fixed cost: batch 1 from the last layer, the last position only (the z of one head there).
  // (also every sweep's hook at layers 0 and L − 1, for the naive loop below)
  const hooks = [
    ...new Set([
      ...Array.from({ length: L }, (_, l) => [
        blockHook(l, 'hook_resid_pre'),
        blockHook(l, 'attn.hook_k'),
        blockHook(l, 'attn.hook_v'),
        sweepHook('z', l),
      ]).flat(),
      ...SWEEP_KINDS.flatMap((s) => [sweepHook(s, 0), sweepHook(s, L - 1)]),
    ]),
  ];
  const target = (await loaded.model.runWithCache(corrupt, hooks)).cache;
  const source = (await loaded.model.runWithCache(clean, hooks)).cache;
  const patchedRun = (layer: number, batch: number, position: number) => {
    const patches: HookPatch[] = Array.from({ length: batch }, (_, i) => ({
      hook: sweepHook('z', layer),
      values: source.get(sweepHook('z', layer)),
      positions: [position],
      heads: [i % c.nHeads],
      batch: [i],
    }));
    return loaded.model.run(corrupt, {
      startAt: { layer, residPre: target.get(blockHook(layer, 'hook_resid_pre')) },
      patches,
      logits: 'last',
      trimLastBlock: true,
      ...(position > 0 ? { reusePrefix: { length: position, from: target } } : {}),
    });
  };
  const fixedRun = await repeatedWallCpu(() => patchedRun(L - 1, 1, n - 1), 7);
  // A variant from layer 0 (all 12 blocks in its graph): its build, from its first run against its second.
  const timeOnce = async (fn: () => Promise<unknown>): Promise<WallCpu> => {
    const [t0, c0] = [performance.now(), cpuNow()];
    await fn();
    return { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0 };
  };
  const layer0Variant = { first: await timeOnce(() => patchedRun(0, 1, at)), second: await timeOnce(() => patchedRun(0, 1, at)) };
  log(`  fixed cost of a run: ${fmt(fixedRun.median.wallMs, 1)} ms wall, ${fmt(fixedRun.median.cpuMs, 1)} ms CPU (median of ${fixedRun.repeats})`);

  // Per-element cost of a batch from layer 0 (z patched at the first difference, so the suffix is
  // the comparison's longest): arithmetic-bound if it stops falling with the batch.
  let batchScaling: SuffixCaseResult['batchScaling'];
  if (n <= 64) {
    const timed = await interleavedWallAndCpu(
      BATCH_SIZES.map((b) => () => patchedRun(0, b, at)),
      Math.max(2, Math.min(samples, 3)),
    );
    const rowsPerElement = engineRows(L, n, 0, at, 1, 1);
    batchScaling = BATCH_SIZES.map((batch, i) => ({ batch, rowsPerElement, ...timed[i] }));
    log(`  per element from layer 0: ${batchScaling.map((b) => `batch ${b.batch} ${fmt(b.cpuMs / b.batch, 0)} ms CPU`).join(', ')}`);
  }

  // The plan (exact counts), then the comparison: every batch, or a sample of each large table's.
  const plan = await planComparison(loaded, req);
  const fwdRows = n * L;
  const runIndex: boolean[] = [];
  for (const runs of plan) {
    const rows = sum(runs, (r) => r.rows);
    const sampled = !!bc.sampleFwd && rows > bc.sampleFwd * fwdRows;
    const keep = new Set(sampled ? spreadIndices(runs.length, Math.ceil((runs.length * bc.sampleFwd! * fwdRows) / rows)) : runs.map((_, i) => i));
    runs.forEach((_, i) => runIndex.push(keep.has(i)));
  }
  const sampling = runIndex.some((r) => !r);
  log(
    `  planned: ${runIndex.length} runs, ${fmt(sum(plan.flat(), (r) => r.rows) / fwdRows, 0)} forward-equivalents of rows${sampling ? `; running ${runIndex.filter((r) => r).length} (sampled)` : ''}; comparison…`,
  );
  // Not warmed up: the comparison builds its graph variants (one per patched hook and start layer;
  // the model keeps 16) as the panel's does, and that is part of its time.
  const fast = await timedComparison(loaded, req, sampling ? (i) => runIndex[i] : undefined, fixedRun.median);
  if (sum(fast.tables, (t) => t.runs) !== runIndex.length) throw new Error('the comparison made other runs than its plan');
  log(
    `  comparison ${fmt(fast.wallMs / 1000, 1)} s wall, ${fmt(fast.cpuMs / 1000, 1)} s CPU${sampling ? ` (measured ${fmt(fast.measured.wallMs / 1000, 1)} s wall, ${fmt(fast.measured.cpuMs / 1000, 1)} s CPU)` : ''}`,
  );
  for (const t of fast.tables)
    log(
      `    ${t.sweep} ${t.direction}: ${fmt(t.ms / 1000, 2)} s, ${fmt(t.cpuMs / 1000, 2)} s CPU${t.sampled ? ` (est.; ${t.sampled.runsRun} of ${t.runs} runs ran)` : ''}, run ${t.ran}, inferred ${t.inferred}`,
    );

  let offs: { name: string; wallMs: number; cpuMs: number }[] | undefined;
  if (switches) {
    // Denoising only (half the time), in turn: all on, each switch off, all on again.
    const variants: [string, Partial<PatchingRequest>][] = [
      ['all speed-ups on', {}],
      ['each batch from the first difference', { suffix: 'first-difference' }],
      ['no inferred cells', { inferKnownCells: false }],
      ['full last block', { trimLastBlock: false }],
      ['no inferred cells, full last block (as before)', { inferKnownCells: false, trimLastBlock: false }],
      ['all speed-ups on (again)', {}],
    ];
    offs = [];
    for (const [name, v] of variants) {
      const r = await timedComparison(loaded, { ...req, ...v, directions: ['denoise'] });
      log(`  denoise only, ${name}: ${fmt(r.wallMs / 1000, 1)} s wall, ${fmt(r.cpuMs / 1000, 1)} s CPU`);
      offs.push({ name, wallMs: r.wallMs, cpuMs: r.cpuMs });
    }
  }

  const naive: SweepNaive[] = [];
  for (const sweep of SWEEP_KINDS) {
    const positional = SWEEPS[sweep].axes.includes('pos');
    const cell = (i: number) => {
      const layer = i % 2 === 0 ? 0 : L - 1;
      const hook = sweepHook(sweep, layer);
      const heads = SWEEPS[sweep].axes.includes('head_index') ? [(i * 5) % c.nHeads] : undefined;
      const positions = positional ? [at + ((i * 7) % (n - at))] : undefined;
      return [{ hook, values: source.get(hook), positions, heads }];
    };
    for (let i = 0; i < 2; i++) await loaded.model.runWithPatches(corrupt, cell(i)); // build both layers' variants
    const t0 = performance.now();
    for (let i = 0; i < samples; i++) await loaded.model.runWithPatches(corrupt, cell(i));
    const perCellMs = (performance.now() - t0) / samples;
    const mine = fast.tables.filter((t) => t.sweep === sweep);
    const cells = mine.reduce((k, t) => k + t.cells - t.noop, 0);
    naive.push({ sweep, cells, perCellMs, sampled: samples, ms: perCellMs * cells, fastMs: mine.reduce((k, t) => k + t.ms, 0) });
    log(`  naive ${sweep}: ${fmt(perCellMs, 0)} ms per cell × ${cells}`);
  }
  return {
    kind: bc.kind,
    tokens: n,
    firstDiff: at,
    nLayers: L,
    forward,
    plainForward,
    attribution,
    comparison: { wallMs: fast.wallMs, cpuMs: fast.cpuMs },
    comparisonMeasured: fast.measured,
    ...(sampling ? { sampleFwd: bc.sampleFwd } : {}),
    fixedRun,
    layer0Variant,
    variants: new Set(plan.flat().map((r) => r.variant)).size,
    batchScaling,
    tables: fast.tables,
    naive,
    switches: offs,
  };
}

export async function suffixBench(loaded: LoadedModel, options: SuffixBenchOptions = {}): Promise<SuffixCaseResult[]> {
  const out: SuffixCaseResult[] = [];
  for (const bc of options.cases ?? DEFAULT_CASES) {
    out.push(await suffixCase(loaded, bc, options.samples ?? 6, !!options.switches && bc.kind === 'early' && bc.tokens === 30, options.log));
  }
  return out;
}

export function suffixBenchRows(results: readonly SuffixCaseResult[]): string[] {
  const lines: string[] = [];
  const fe = (rows: number, r: SuffixCaseResult) => fmt(rows / (r.tokens * r.nLayers), 1);
  for (const r of results) {
    const ratio = r.comparison.wallMs / r.forward.wallMs;
    const cpuRatio = r.comparison.cpuMs / r.forward.cpuMs;
    const is30 = r.kind === 'early' && r.tokens === 30;
    const target = is30 ? ` (target ≤ 40×: ${cpuRatio <= 40 ? 'met' : 'missed'})` : '';
    const est = r.sampleFwd ? ' (est.)' : '';
    const ts = r.tables;
    const runs = sum(ts, (t) => t.runs);
    const minRows = sum(ts, (t) => t.minRows);
    const rows = sum(ts, (t) => t.rows);
    const unembedRows = sum(ts, (t) => t.unembedRows);
    const minFwd = minRows / (r.tokens * r.nLayers);
    lines.push(
      `\n## Exact patching, ${r.kind} difference: ${r.tokens} tokens, the differing token at ${r.firstDiff}, all 9 sweeps × both directions`,
      `Full comparison${est}: ${fmt(r.comparison.wallMs / 1000, 1)} s wall, ${fmt(r.comparison.cpuMs / 1000, 1)} s CPU; one full-cache forward ${fmt(r.forward.wallMs, 1)} ms wall, ${fmt(r.forward.cpuMs, 1)} ms CPU: **${fmt(ratio, 0)}×** wall, **${fmt(cpuRatio, 0)}×** CPU${target}.`,
    );
    if (r.sampleFwd) {
      const sampled = ts.filter((t) => t.sampled);
      lines.push(
        '',
        `**Sampled.** The comparison was planned first without running it (runs, rows and cells below are exact). ${sampled.length} of ${ts.length} tables, planned above ${r.sampleFwd} forward-equivalents of rows, ran only batches spread evenly over them (${sum(sampled, (t) => t.sampled!.runsRun)} of ${sum(sampled, (t) => t.runs)} runs, ${fe(
          sum(sampled, (t) => t.sampled!.rowsRun),
          r,
        )} of ${fe(
          sum(sampled, (t) => t.rows),
          r,
        )} forward-equivalents of rows); the rest of each is extrapolated from its own runs that ran: the fixed cost per run measured below plus a cost per row fitted on them (rows + the unembedding's row-equivalents). Measured: ${fmt(r.comparisonMeasured.wallMs / 1000, 1)} s wall, ${fmt(r.comparisonMeasured.cpuMs / 1000, 1)} s CPU; times marked est. include the extrapolation.`,
      );
    }
    lines.push(
      '',
      `**Minimum exact work.** An exact suffix recompute of these tables' live cells (not no-ops, not inferred) computes, per cell at (layer l, first patched position p), the positions ≥ p of the layers from l on, the last layer at the metric's position only: **${fmt(minFwd, 0)} forward-equivalents** of rows (rows / (n_tokens × n_layers)) at the least, so the comparison can't be under ${fmt(minFwd, 0)}× one forward's rows${is30 ? ` (target 40×: ${minFwd > 40 ? '**below the minimum**' : 'above the minimum'})` : ''}. The engine computes ${fe(rows, r)} (×${fmt(rows / minRows, 2)}: a batch computes from its earliest patch; a last block is trimmed only when its patch sits before its attention), plus ${fe(unembedRows, r)} forward-equivalents of rows' worth of unembedding (every logit of the last position per patched run element, counted as 12 d_model² multiply-adds a row; a logit difference needs two columns).`,
    );
    if (r.batchScaling) {
      const best = Math.min(...r.batchScaling.map((b) => b.cpuMs / (b.batch * b.rowsPerElement)));
      const forwardPerRow = r.forward.cpuMs / (r.tokens * r.nLayers);
      lines.push(
        `At the best CPU per row measured below (${fmt(best, 3)} ms, against ${fmt(forwardPerRow, 3)} ms per row of the full-cache forward), the minimum rows alone take **${fmt((minRows * best) / r.forward.cpuMs, 0)}×** one full-cache forward's CPU.`,
      );
    }
    lines.push(
      '',
      '| table | cells | run | inferred | no-op | runs | minimum rows (fwd-eq.) | engine rows (fwd-eq.) | engine / min | wall | CPU |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...ts.map(
        (t, i) =>
          `| ${t.sweep} ${t.direction} | ${t.cells} | ${t.ran} | ${t.inferred} | ${t.noop} | ${t.runs} | ${fe(t.minRows, r)} | ${fe(t.rows, r)} | ${t.minRows ? fmt(t.rows / t.minRows, 2) : '–'} | ${fmt(t.ms / 1000, 2)} s${t.sampled ? ` est. (${t.sampled.runsRun} of ${t.runs} runs: ${fmt(t.sampled.ms / 1000, 2)} s)` : ''}${i === 0 ? ' (with the 2 cached runs)' : ''} | ${fmt(t.cpuMs / 1000, 2)} s${t.sampled ? ` est. (${fmt(t.sampled.cpuMs / 1000, 2)} s)` : ''} |`,
      ),
      `| **all 18** | ${sum(ts, (t) => t.cells)} | ${sum(ts, (t) => t.ran)} | ${sum(ts, (t) => t.inferred)} | ${sum(ts, (t) => t.noop)} | ${runs} | **${fe(minRows, r)}** | ${fe(rows, r)} | ${fmt(rows / minRows, 2)} | ${fmt(r.comparison.wallMs / 1000, 1)} s${est} | ${fmt(r.comparison.cpuMs / 1000, 1)} s${est} |`,
    );
    const f = r.fixedRun;
    const buildLast = Math.max(0, f.first.cpuMs - f.median.cpuMs);
    const build0 = Math.max(0, r.layer0Variant.first.cpuMs - r.layer0Variant.second.cpuMs);
    lines.push(
      '',
      `**Runs and their fixed cost.** The comparison makes ${runs} batched runs. One run of batch 1 that computes only the last position of the last layer (z of one head patched there, every other position reused): ${fmt(f.median.wallMs, 2)} ms wall, ${fmt(f.median.cpuMs, 2)} ms CPU (median of ${f.repeats}; best ${fmt(f.best.wallMs, 2)} / ${fmt(f.best.cpuMs, 2)} ms). Runs × that: ${fmt((runs * f.median.wallMs) / 1000, 1)} s wall, ${fmt((runs * f.median.cpuMs) / 1000, 1)} s CPU, **${fmt((100 * runs * f.median.cpuMs) / r.comparison.cpuMs, 1)}%** of the comparison's CPU (${fmt((100 * runs * f.median.wallMs) / r.comparison.wallMs, 1)}% of its wall): the most that fewer runs (sharing runs across layers) could save. Graph variants: the runs use ${r.variants} (patched hook × start layer × prefix × trim), each built on its first run (the model keeps 16). A build, measured as a variant's first run less its next: ${fmt(buildLast, 0)} ms CPU for the last layer's (the fixed-cost run's), ${fmt(build0, 0)} ms for one from layer 0; ${r.variants} builds ≈ ${fmt((r.variants * buildLast) / 1000, 1)}–${fmt((r.variants * build0) / 1000, 1)} s CPU, ${fmt((100 * r.variants * buildLast) / r.comparison.cpuMs, 1)}–${fmt((100 * r.variants * build0) / r.comparison.cpuMs, 1)}% of the comparison's.`,
    );
    if (r.batchScaling) {
      const b1 = r.batchScaling[0].cpuMs;
      lines.push(
        '',
        `A patched batch from layer 0 (z at position ${r.firstDiff}: a ${r.tokens - r.firstDiff}-position suffix, ${r.batchScaling[0].rowsPerElement} rows per element), per element:`,
        '',
        '| batch | wall | CPU | CPU per element | vs batch 1 | CPU per row |',
        '|---|---|---|---|---|---|',
        ...r.batchScaling.map(
          (b) =>
            `| ${b.batch} | ${fmt(b.wallMs, 0)} ms | ${fmt(b.cpuMs, 0)} ms | ${fmt(b.cpuMs / b.batch, 1)} ms | ${fmt(b.cpuMs / b.batch / b1, 2)}× | ${fmt(b.cpuMs / (b.batch * b.rowsPerElement), 3)} ms |`,
        ),
      );
    }
    lines.push(
      '',
      '| the same pair | wall | CPU | × plain forward | × full-cache forward |',
      '|---|---|---|---|---|',
      ...(
        [
          ['one plain forward (last position’s logits)', r.plainForward],
          ['one full-cache forward', r.forward],
          ['attribution preview, 9 sweeps × both directions (target ≤ 4× one forward)', r.attribution],
        ] as const
      ).map(
        ([name, x]) =>
          `| ${name} | ${fmt(x.wallMs, 1)} ms | ${fmt(x.cpuMs, 1)} ms | ${fmt(x.wallMs / r.plainForward.wallMs, 2)}× wall, ${fmt(x.cpuMs / r.plainForward.cpuMs, 2)}× CPU | ${fmt(x.wallMs / r.forward.wallMs, 2)}× wall, ${fmt(x.cpuMs / r.forward.cpuMs, 2)}× CPU |`,
      ),
      '',
      `| sweep (both directions) | naive cells | naive loop (sampled) | comparison${est} | vs naive (target ≥ 10×) |`,
      '|---|---|---|---|---|',
      ...r.naive.map(
        (s) =>
          `| ${s.sweep} | ${s.cells} | ${fmt(s.ms / 1000, 1)} s (${s.sampled} forwards timed, ${fmt(s.perCellMs, 1)} ms each) | ${fmt(s.fastMs / 1000, 2)} s | ${fmt(s.ms / s.fastMs, 1)}× |`,
      ),
    );
    if (r.switches) {
      const on = r.switches.filter((s) => s.name.startsWith('all speed-ups on'));
      const base = { wallMs: on.reduce((n, s) => n + s.wallMs, 0) / on.length, cpuMs: on.reduce((n, s) => n + s.cpuMs, 0) / on.length };
      lines.push(
        '',
        'Denoising only, run in this order (the two all-on runs averaged as the base):',
        '',
        '| the comparison with | wall | CPU | vs all on |',
        '|---|---|---|---|',
        ...r.switches.map(
          (s) =>
            `| ${s.name} | ${fmt(s.wallMs / 1000, 1)} s | ${fmt(s.cpuMs / 1000, 1)} s | ${fmt(s.wallMs / base.wallMs, 2)}× wall, ${fmt(s.cpuMs / base.cpuMs, 2)}× CPU |`,
        ),
      );
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
  const loaded = await loadHookedGpt2(dir, { threads: Math.min(2, availableParallelism()) });
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const tokens = arg('--tokens')?.split(',').map(Number);
  const has = (flag: string) => process.argv.includes(flag);
  const chosen: readonly SuffixBenchCase[] = tokens
    ? tokens.flatMap((t) => [{ kind: 'early' as const, tokens: t }, ...(has('--late') ? [{ kind: 'late' as const, tokens: t }] : [])])
    : has('--large-only')
      ? LARGE_CASES
      : [...DEFAULT_CASES, ...(has('--large') ? LARGE_CASES : [])];
  const sampleFwd = arg('--sample-fwd');
  const cases = sampleFwd === undefined ? chosen : chosen.map((bc) => ({ ...bc, sampleFwd: Number(sampleFwd) }));
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(`load average before: ${load()}`);
  const results = await suffixBench(loaded, {
    cases,
    samples: Number(arg('--samples') ?? 6),
    switches: has('--switches'),
    log: (l) => console.error(l),
  });
  console.log(`load average after: ${load()}`);
  console.log(suffixBenchRows(results).join('\n'));
  await loaded.dispose();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
