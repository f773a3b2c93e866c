/**
 * The residual-stream analysis (issue 10): one forward fetching `residualStreamHooks` plus the
 * logit lens, norms and DLA, against one full-cache forward (every hook, as the forward row), at 64
 * and 256 tokens. Also its parts: the forward alone, and the lens's unembedding, whose floor is its
 * MatMul: (n_layers + 1) × tokens rows of d_model × d_vocab, about 5.6× a GPT-2-small forward's
 * multiply-adds.
 *
 * Run alone: `npx tsx tools/bench/residualBench.ts [--quick]`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { BLOCK_HOOK_SUFFIXES, GLOBAL_HOOK_NAMES, blockHook, type HookName } from '../../src/shared/hookNames';
import type { PromptToken } from '../../src/shared/tokens';
import { analyseResidualStream, releaseLensSessions, residualStreamHooks, residualStreamLogitPositions, runResidualStream } from '../../src/analysis/residual';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt } from './timing';

export interface ResidualBenchRow {
  readonly tokens: number;
  readonly fullCacheMs: number;
  readonly residualMs: number;
  readonly forwardMs: number;
  readonly analysisMs: number;
  /** Process CPU time (all threads), less disturbed than wall time on a shared machine. */
  readonly fullCacheCpuMs: number;
  readonly residualCpuMs: number;
}

/** Medians of wall and CPU time of functions run in turn (a, b, a, b, …) after one warm-up each. */
async function interleavedWallAndCpu(fns: readonly (() => Promise<unknown>)[], repeat: number): Promise<{ wall: number[]; cpu: number[] }> {
  for (const f of fns) await f();
  const wall = fns.map(() => [] as number[]);
  const cpu = fns.map(() => [] as number[]);
  for (let i = 0; i < repeat; i++) {
    for (let j = 0; j < fns.length; j++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fns[j]();
      wall[j].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[j].push((c.user + c.system) / 1000);
    }
  }
  const median = (ts: number[]) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
  return { wall: wall.map(median), cpu: cpu.map(median) };
}

export async function residualBench(loaded: LoadedModel, tokenCounts = [64, 256], repeat = 3): Promise<ResidualBenchRow[]> {
  const m = loaded.model;
  const c = m.config;
  const allHooks: HookName[] = [
    ...GLOBAL_HOOK_NAMES,
    ...Array.from({ length: c.nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.filter((s) => s !== 'attn.hook_result').map((s) => blockHook(l, s))).flat(),
  ];
  const rows: ResidualBenchRow[] = [];
  for (const n of tokenCounts) {
    const ids = Array.from({ length: n }, (_, i) => (i === 0 ? c.bosTokenId : (i * 7919) % c.dVocab));
    const tokens: PromptToken[] = ids.map((id, i) => ({ id, text: '', isBos: i === 0, start: i, end: i }));
    const hooks = residualStreamHooks(c.nLayers);
    const logits = residualStreamLogitPositions(n, n - 1);
    const run = await m.runWithCache(ids, hooks, { logits });
    const { wall, cpu } = await interleavedWallAndCpu(
      [
        () => m.runWithCache(ids, allHooks),
        () => runResidualStream(m, tokens, { answerId: 11, wrongId: 13 }),
        () => m.runWithCache(ids, hooks, { logits }),
        () => analyseResidualStream(m, run, tokens, { answerId: 11, wrongId: 13 }),
      ],
      repeat,
    );
    const [fullCacheMs, residualMs, forwardMs, analysisMs] = wall;
    rows.push({ tokens: n, fullCacheMs, residualMs, forwardMs, analysisMs, fullCacheCpuMs: cpu[0], residualCpuMs: cpu[1] });
  }
  await releaseLensSessions(m);
  return rows;
}

export function residualBenchRows(rows: readonly ResidualBenchRow[]): string[] {
  return [
    '| tokens | full-cache forward (ms) | residual stream: forward + lens + norms + DLA (ms) | ratio | of which: forward (ms) | analysis (ms) | ratio of CPU time |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.tokens} | ${fmt(r.fullCacheMs)} | ${fmt(r.residualMs)} | ${fmt(r.residualMs / r.fullCacheMs, 2)}× | ${fmt(r.forwardMs)} | ${fmt(r.analysisMs)} | ${fmt(r.residualCpuMs / r.fullCacheCpuMs, 2)}× |`,
    ),
  ];
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
  const threads = Math.min(2, availableParallelism());
  const loaded = await loadHookedGpt2(dir, { threads });
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const rows = residualBenchRows(await residualBench(loaded, [64, 256], process.argv.includes('--quick') ? 2 : 3));
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(rows.join('\n'));
  await loaded.dispose();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
