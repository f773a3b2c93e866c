/**
 * Dataset mode (issue 12): the all-heads `z` sweep in both directions over a set of prompt pairs,
 * batched across pairs (runDatasetSweeps) against one single-pair sweep per pair (runPatchingSweeps),
 * on GPT-2-small-sized random weights. The pairs come from a docstring template with four slots
 * filled with random single-token words (seeded); the corruption replaces the third argument's name
 * in the signature, so the first difference is early (about a quarter in), as in a real set.
 *
 * Each side runs in a fresh process (so its peak RSS is its own), one after the other, each after an
 * untimed warm-up on two pairs (graph variants built); wall time and process CPU time (all threads)
 * are reported, CPU time being less sensitive to other load on the machine.
 * Run alone: `node --import tsx tools/bench/datasetBench.ts [--pairs 50] [--max-batch 32]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { runDatasetSweeps, type DatasetPair } from '../../src/analysis/dataset/datasetSweeps';
import { mulberry32 } from '../../src/shared/seededRandom';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt } from './timing';

const CHILD = '--dataset-child';
const DIR = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
const THREADS = Math.min(2, availableParallelism());

const TEMPLATE = `def {fn}(self, {a}, {b}, {c}):
    """:param {a}: the {a}
    :param {b}: the {b}
    :param`;
const WORDS =
  ' image width height name size value path data mode text color scale count index key label level limit offset order port rate score seed shape state step target title token type unit user weight depth length source format number line'
    .split(' ')
    .slice(1);
const FUNCTIONS = ' resize load save draw parse build run send read write update fit move open close check'.split(' ').slice(1);

/** `n` pairs from the template: random distinct single-token fills; the corrupt prompt renames `c` in the signature. */
export function templatePairs(loaded: LoadedModel, n: number, seed = 12): DatasetPair[] {
  const single = (w: string) => loaded.tokenizer.encode(` ${w}`).ids.length === 1;
  const words = WORDS.filter(single);
  const fns = FUNCTIONS.filter(single);
  const rand = mulberry32(seed);
  const pick = (xs: readonly string[], not: readonly string[]) => {
    for (;;) {
      const w = xs[Math.floor(rand() * xs.length)];
      if (!not.includes(w)) return w;
    }
  };
  const fill = (s: Record<string, string>) => TEMPLATE.replace(/\{(\w+)\}/g, (_, k: string) => s[k]);
  const pairs: DatasetPair[] = [];
  while (pairs.length < n) {
    const fn = pick(fns, []);
    const a = pick(words, []);
    const b = pick(words, [a]);
    const c = pick(words, [a, b]);
    const c2 = pick(words, [a, b, c]);
    const clean = loaded.toPrompt(fill({ fn, a, b, c })).ids;
    const corrupt = loaded.toPrompt(fill({ fn, a, b, c: c2 })).ids;
    if (clean.length !== corrupt.length) continue;
    pairs.push({ clean, corrupt, answer: loaded.tokenizer.encode(` ${c}`).ids[0], wrong: loaded.tokenizer.encode(` ${c2}`).ids[0] });
  }
  return pairs;
}

interface Measured {
  readonly side: 'batched' | 'separate';
  readonly pairs: number;
  readonly tokens: readonly number[];
  readonly firstDiff: readonly number[];
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakMiB: number;
  readonly weightsMiB: number;
  /** Sum over every table cell of every pair: compared between the sides. */
  readonly checksum: number;
}

async function child(side: Measured['side'], nPairs: number, maxBatch: number | undefined): Promise<Measured> {
  const loaded = await loadHookedGpt2(DIR, { threads: THREADS });
  const pairs = templatePairs(loaded, nPairs);
  const run = async (ps: readonly DatasetPair[]): Promise<number> => {
    let sum = 0;
    if (side === 'batched') {
      const r = await runDatasetSweeps(loaded.model, { pairs: ps, sweeps: ['z'], maxBatch });
      for (const t of r.tables) for (const v of t.perPair) sum += v;
    } else {
      for (const p of ps) {
        const r = await runPatchingSweeps(loaded.model, {
          clean: p.clean,
          corrupt: p.corrupt,
          metric: logitDifference(p.answer, p.wrong),
          sweeps: ['z'],
          maxBatch,
        });
        for (const t of r.tables) for (const v of t.values) sum += v;
      }
    }
    return sum;
  };
  await run(pairs.slice(0, 2)); // warm-up: graph variants built, not timed
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const checksum = await run(pairs);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const firstDiff = pairs.map((p) => p.clean.findIndex((t, i) => t !== p.corrupt[i]));
  return {
    side,
    pairs: pairs.length,
    tokens: [...new Set(pairs.map((p) => p.clean.length))],
    firstDiff: [Math.min(...firstDiff), Math.max(...firstDiff)],
    wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    weightsMiB: loaded.model.weightBytes / 2 ** 20,
    checksum,
  };
}

function measure(side: Measured['side'], pairs: number, maxBatch?: number): Measured {
  const args = ['--import', 'tsx', __filename, CHILD, side, String(pairs), ...(maxBatch ? [String(maxBatch)] : [])];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

/** Markdown rows: both sides, the ratio, peak RSS, how it was measured. */
export async function datasetBench(opts: { pairs?: number; maxBatch?: number } = {}): Promise<string[]> {
  if (!existsSync(join(DIR, 'model.safetensors'))) await writeRandomGpt2Checkpoint(DIR);
  const n = opts.pairs ?? 50;
  const load0 = loadavg()[0];
  const separate = measure('separate', n, opts.maxBatch);
  const batched = measure('batched', n, opts.maxBatch);
  const load1 = loadavg()[0];
  const agree = Math.abs(batched.checksum - separate.checksum) <= 1e-4 * Math.abs(separate.checksum) + 1e-3;
  const wallRatio = separate.wallS / batched.wallS;
  const cpuRatio = separate.cpuS / batched.cpuS;
  const tokens = batched.tokens.join(', ');
  return [
    `| dataset mode: all-heads z sweep, both directions, ${n} pairs of ${tokens} tokens (first difference at ${batched.firstDiff.join('–')}) | wall | CPU (all threads) | peak RSS (of which weights) |`,
    '|---|---|---|---|',
    `| ${n} separate single-pair sweeps (runPatchingSweeps) | ${fmt(separate.wallS, 1)} s | ${fmt(separate.cpuS, 1)} s | ${fmt(separate.peakMiB, 0)} MiB (${fmt(separate.weightsMiB, 0)}) |`,
    `| batched across pairs (runDatasetSweeps) | ${fmt(batched.wallS, 1)} s | ${fmt(batched.cpuS, 1)} s | ${fmt(batched.peakMiB, 0)} MiB (${fmt(batched.weightsMiB, 0)}) |`,
    `| ratio separate / batched | ${fmt(wallRatio, 2)}× | ${fmt(cpuRatio, 2)}× | target ≥ 2×: ${wallRatio >= 2 ? 'met' : 'missed'}; RSS target < 2 GB: ${batched.peakMiB < 2048 ? 'met' : 'missed'} |`,
    '',
    `Each side in a fresh process (${THREADS} threads), separate first, each after an untimed two-pair warm-up; peak RSS is the process's maxRSS. Load average ${fmt(load0, 1)} before, ${fmt(load1, 1)} after (other processes share the machine: CPU time is the steadier figure). The two sides' tables ${agree ? 'agree' : 'DIFFER'} (sum of every cell: ${batched.checksum.toFixed(3)} vs ${separate.checksum.toFixed(3)}).`,
  ];
}

async function main(): Promise<void> {
  const i = process.argv.indexOf(CHILD);
  if (i >= 0) {
    const [side, pairs, maxBatch] = process.argv.slice(i + 1);
    process.stdout.write(`${JSON.stringify(await child(side as Measured['side'], Number(pairs), maxBatch ? Number(maxBatch) : undefined))}\n`);
    return;
  }
  const arg = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  console.log((await datasetBench({ pairs: arg('--pairs'), maxBatch: arg('--max-batch') })).join('\n'));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
