/**
 * Peak memory of the all-heads `z` sweep (one direction) at long prompts (issue 15): each case in a
 * fresh process, so its peak RSS is its own. The model's weights are part of it; batches are sized
 * from the patching budget (`memoryBudgetBytes`, 2 GiB by default) or, for comparison, not at all
 * (32 per batch, as before). GPT-2-small-sized random weights; the differing token at 25%.
 * Each child gets the engine's malloc settings (`ENGINE_MALLOC_ENV`) unless `--default-malloc`.
 * Run: `node --import tsx tools/bench/patchMemoryBench.ts [--tokens 256,1024] [--unbounded] [--default-malloc]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { ENGINE_MALLOC_ENV } from '../../src/engine/processMain';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt } from './timing';

const CHILD = '--child';
const DIR = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');

interface Measured {
  readonly tokens: number;
  readonly budget: 'default' | 'unbounded';
  readonly seconds: number;
  readonly peakMiB: number;
  readonly weightsMiB: number;
}

async function child(tokens: number, budget: Measured['budget']): Promise<Measured> {
  const loaded = await loadHookedGpt2(DIR, { threads: Math.min(2, availableParallelism()) });
  const v = loaded.model.config.dVocab;
  // Deterministic pseudo-random ids (any ids: the weights are random too).
  const clean = Array.from({ length: tokens }, (_, i) => (i === 0 ? loaded.model.config.bosTokenId : (i * 7919 + 13) % (v - 1)));
  const at = Math.floor(tokens / 4);
  const corrupt = clean.map((t, i) => (i === at ? (t + 1) % (v - 1) : t));
  const t0 = performance.now();
  await runPatchingSweeps(loaded.model, {
    clean,
    corrupt,
    metric: logitDifference(clean[tokens - 1], corrupt[at]),
    sweeps: ['z'],
    directions: ['denoise'],
    ...(budget === 'unbounded' ? { memoryBudgetBytes: Number.MAX_SAFE_INTEGER } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  return { tokens, budget, seconds, peakMiB: process.resourceUsage().maxRSS / 1024, weightsMiB: loaded.model.weightBytes / 2 ** 20 };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf(CHILD);
  if (i >= 0) {
    const r = await child(Number(process.argv[i + 1]), process.argv[i + 2] as Measured['budget']);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (!existsSync(join(DIR, 'model.safetensors'))) await writeRandomGpt2Checkpoint(DIR);
  const arg = process.argv.indexOf('--tokens');
  const sizes = arg >= 0 ? process.argv[arg + 1].split(',').map(Number) : [64, 256, 1024];
  const budgets: Measured['budget'][] = process.argv.includes('--unbounded') ? ['default', 'unbounded'] : ['default'];
  console.log('| tokens | batches sized by | z sweep, one direction | peak RSS | of which weights | target |');
  console.log('|---|---|---|---|---|---|');
  for (const tokens of sizes) {
    for (const budget of budgets) {
      // The engine's malloc settings, as the extension starts it (--default-malloc: glibc's defaults).
      const env = process.argv.includes('--default-malloc') ? process.env : { ...ENGINE_MALLOC_ENV, ...process.env };
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, CHILD, String(tokens), budget], { encoding: 'utf8', maxBuffer: 1 << 20, env });
      const r = JSON.parse(out.trim().split('\n').pop()!) as Measured;
      const target = tokens === 1024 ? (r.peakMiB <= 2.5 * 1024 ? '≤ 2.5 GB: met' : '≤ 2.5 GB: missed') : '';
      console.log(
        `| ${tokens} | ${budget === 'default' ? 'the 2 GiB budget' : 'nothing (32 per batch)'} | ${fmt(r.seconds, 1)} s | ${fmt(r.peakMiB, 0)} MiB | ${fmt(r.weightsMiB, 0)} MiB | ${target} |`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
