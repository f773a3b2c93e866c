/**
 * Exact patching where substitutions usually are, early in the prompt (issue 15): a 30-token prompt
 * whose one differing token is at position 8 (about 25%), the position-resolved sweeps `resid_pre`
 * and `z_by_pos` (denoising), on the loaded benchmark model. Measured in the same run: each batch
 * computing only the suffix from its earliest patch (the default), the same sweep with every batch
 * computing from the first differing token (before), and the naive loop (one full forward per cell),
 * timed on a sample of cells and extrapolated to all live cells.
 * Run alone: `node --import tsx tools/bench/suffixBench.ts` (writes its own random checkpoint).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { sweepHook } from '../../src/analysis/patching/sweeps';
import type { SweepKind } from '../../src/shared/patchingVocabulary';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt } from './timing';

const PROMPT = `def resize(self, image, width, height, keep_ratio):
    """Resize an image to width × height pixels, keeping the ratio when asked.`;

export interface SuffixBenchRow {
  readonly sweep: SweepKind;
  readonly tokens: number;
  readonly firstDiff: number;
  readonly liveCells: number;
  readonly suffixMs: number;
  readonly firstDiffMs: number;
  /** Naive loop, extrapolated from `sampled` cells. */
  readonly naiveMs: number;
  readonly sampled: number;
}

export async function suffixBench(loaded: LoadedModel, nTokens = 30, sampled = 12): Promise<SuffixBenchRow[]> {
  const ids = loaded.toPrompt(PROMPT).ids;
  if (ids.length < nTokens) throw new Error(`benchmark prompt has only ${ids.length} tokens`);
  const clean = ids.slice(0, nTokens);
  const at = Math.floor(nTokens / 4) + 1; // position 8 of 30 (BOS is position 0)
  const other = loaded.tokenizer.encode(' depth').ids[0];
  const corrupt = clean.map((t, i) => (i === at ? (t === other ? other + 1 : other) : t));
  const metric = logitDifference(clean[at], corrupt[at]);
  const c = loaded.model.config;
  const base = { clean, corrupt, metric, directions: ['denoise'] as const };
  // Build every graph variant these sweeps use (patched hook, start layer, reused prefix) untimed.
  await runPatchingSweeps(loaded.model, { ...base, sweeps: ['resid_pre', 'z'] });
  const rows: SuffixBenchRow[] = [];
  for (const sweep of ['resid_pre', 'z_by_pos'] as const) {
    let t = performance.now();
    const fast = await runPatchingSweeps(loaded.model, { ...base, sweeps: [sweep] });
    const suffixMs = performance.now() - t;
    t = performance.now();
    await runPatchingSweeps(loaded.model, { ...base, sweeps: [sweep], suffix: 'first-difference' });
    const firstDiffMs = performance.now() - t;
    const live = fast.tables[0].values.length - fast.tables[0].skippedCells;
    // Naive: one full forward of the corrupt prompt per cell, with the clean activation patched in.
    const cache = (await loaded.model.runWithCache(clean, [sweepHook(sweep, 0), sweepHook(sweep, c.nLayers - 1)])).cache;
    t = performance.now();
    for (let i = 0; i < sampled; i++) {
      const layer = i % 2 === 0 ? 0 : c.nLayers - 1;
      const hook = sweepHook(sweep, layer);
      const pos = at + (i % (nTokens - at));
      await loaded.model.runWithPatches(corrupt, [
        { hook, values: cache.get(hook), positions: [pos], ...(sweep === 'z_by_pos' ? { heads: [i % c.nHeads] } : {}) },
      ]);
    }
    const naiveMs = ((performance.now() - t) / sampled) * live;
    rows.push({ sweep, tokens: nTokens, firstDiff: at, liveCells: live, suffixMs, firstDiffMs, naiveMs, sampled });
  }
  return rows;
}

export function suffixBenchRows(rows: readonly SuffixBenchRow[]): string[] {
  if (rows.length === 0) return [];
  const r0 = rows[0];
  return [
    `\n## Exact patching, early difference (issue 15): ${r0.tokens} tokens, the differing token at ${r0.firstDiff}, denoising`,
    '| sweep | live cells | suffix per batch (now) | from the first difference (before) | naive loop (sampled) | now vs before | now vs naive |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.sweep} | ${r.liveCells} | ${fmt(r.suffixMs, 0)} ms | ${fmt(r.firstDiffMs, 0)} ms | ${fmt(r.naiveMs, 0)} ms (${r.sampled} cells timed, × ${r.liveCells}) | ${fmt(r.firstDiffMs / r.suffixMs, 2)}× faster | ${fmt(r.naiveMs / r.suffixMs, 2)}× faster (target ≥ 10×) |`,
    ),
  ];
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
  const loaded = await loadHookedGpt2(dir, { threads: Math.min(2, availableParallelism()) });
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(`load average before: ${load()}`);
  const rows = suffixBenchRows(await suffixBench(loaded));
  console.log(`load average after: ${load()}`);
  console.log(rows.join('\n'));
  await loaded.dispose();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
