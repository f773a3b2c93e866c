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
 * With `switches`, the 30-token early comparison also runs with each speed-up off, in turn (each
 * batch from the first difference, no inferred cells, the full last block).
 * Run alone: `node --import tsx tools/bench/suffixBench.ts [--large] [--switches] [--tokens 30,64] [--samples 6]`.
 * Default: 30 tokens early and 64 late; `--large` adds 64 and 256 early and 256 late (many minutes).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps, type PatchingRequest } from '../../src/analysis/patching/runPatchingSweeps';
import { SWEEPS, sweepHook } from '../../src/analysis/patching/sweeps';
import { SWEEP_KINDS, type PatchDirection, type SweepKind } from '../../src/shared/patchingVocabulary';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt, fullCacheHooks, interleavedWallAndCpu } from './timing';

const SAMPLES_DIR = join(__dirname, '..', '..', 'samples');

export interface SuffixBenchCase {
  readonly kind: 'early' | 'late';
  readonly tokens: number;
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
  readonly forward: { readonly wallMs: number; readonly cpuMs: number };
  readonly comparison: { readonly wallMs: number; readonly cpuMs: number };
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
export const LARGE_CASES: readonly SuffixBenchCase[] = [
  { kind: 'early', tokens: 64 },
  { kind: 'early', tokens: 256 },
  { kind: 'late', tokens: 256 },
];

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

async function timedComparison(loaded: LoadedModel, req: PatchingRequest): Promise<{ wallMs: number; cpuMs: number; tables: TableTiming[] }> {
  const tables: TableTiming[] = [];
  const t0 = performance.now();
  const c0 = cpuNow();
  let [tPrev, cPrev] = [t0, c0];
  await runPatchingSweeps(loaded.model, {
    ...req,
    onTable: (t) => {
      const [tNow, cNow] = [performance.now(), cpuNow()];
      const inferred = t.inferredCells ?? 0;
      const noop = t.skippedCells - inferred;
      tables.push({
        sweep: t.sweep,
        direction: t.direction,
        ms: tNow - tPrev,
        cpuMs: cNow - cPrev,
        cells: t.values.length,
        ran: t.values.length - t.skippedCells,
        inferred,
        noop,
      });
      [tPrev, cPrev] = [tNow, cNow];
    },
  });
  return { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0, tables };
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
  const req: PatchingRequest = { clean, corrupt, metric, sweeps: SWEEP_KINDS };

  const [forward] = await interleavedWallAndCpu([() => loaded.model.runWithCache(corrupt, fullCacheHooks(c.nLayers))], 3);
  log(`${bc.kind} ${n}: full-cache forward ${fmt(forward.wallMs, 0)} ms; comparison…`);
  // Not warmed up: the comparison builds its graph variants (one per patched hook and start layer;
  // the model keeps 16) as the panel's does, and that is part of its time.
  const fast = await timedComparison(loaded, req);
  log(`  comparison ${fmt(fast.wallMs / 1000, 1)} s wall, ${fmt(fast.cpuMs / 1000, 1)} s CPU (forward ${fmt(forward.cpuMs, 0)} ms CPU)`);
  for (const t of fast.tables)
    log(`    ${t.sweep} ${t.direction}: ${fmt(t.ms / 1000, 2)} s, ${fmt(t.cpuMs / 1000, 2)} s CPU, run ${t.ran}, inferred ${t.inferred}`);

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
  const source = (
    await loaded.model.runWithCache(
      clean,
      SWEEP_KINDS.flatMap((s) => [sweepHook(s, 0), sweepHook(s, c.nLayers - 1)]),
    )
  ).cache;
  for (const sweep of SWEEP_KINDS) {
    const positional = SWEEPS[sweep].axes.includes('pos');
    const cell = (i: number) => {
      const layer = i % 2 === 0 ? 0 : c.nLayers - 1;
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
    forward,
    comparison: { wallMs: fast.wallMs, cpuMs: fast.cpuMs },
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
  for (const r of results) {
    const ratio = r.comparison.wallMs / r.forward.wallMs;
    const target = r.kind === 'early' && r.tokens === 30 ? ` (target ≤ 40×: ${ratio <= 40 ? 'met' : 'missed'})` : '';
    lines.push(
      `\n## Exact patching, ${r.kind} difference: ${r.tokens} tokens, the differing token at ${r.firstDiff}, all 9 sweeps × both directions`,
      `Full comparison: ${fmt(r.comparison.wallMs / 1000, 1)} s wall, ${fmt(r.comparison.cpuMs / 1000, 1)} s CPU; one full-cache forward ${fmt(r.forward.wallMs, 1)} ms wall, ${fmt(r.forward.cpuMs, 1)} ms CPU: **${fmt(ratio, 0)}×** wall, ${fmt(r.comparison.cpuMs / r.forward.cpuMs, 0)}× CPU${target}.`,
      '',
      '| table | cells | run | inferred | no-op | wall | CPU |',
      '|---|---|---|---|---|---|---|',
      ...r.tables.map(
        (t, i) =>
          `| ${t.sweep} ${t.direction} | ${t.cells} | ${t.ran} | ${t.inferred} | ${t.noop} | ${fmt(t.ms / 1000, 2)} s${i === 0 ? ' (with the 2 cached runs)' : ''} | ${fmt(t.cpuMs / 1000, 2)} s |`,
      ),
      '',
      '| sweep (both directions) | naive cells | naive loop (sampled) | comparison | vs naive (target ≥ 10×) |',
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
  const cases = tokens
    ? tokens.flatMap((t) => [{ kind: 'early' as const, tokens: t }, ...(process.argv.includes('--late') ? [{ kind: 'late' as const, tokens: t }] : [])])
    : [...DEFAULT_CASES, ...(process.argv.includes('--large') ? LARGE_CASES : [])];
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(`load average before: ${load()}`);
  const results = await suffixBench(loaded, {
    cases,
    samples: Number(arg('--samples') ?? 6),
    switches: process.argv.includes('--switches'),
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
