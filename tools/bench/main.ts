/**
 * npm run bench — measures the engine on GPT-2-small-sized random weights made on the fly, and,
 * when torch is installed, the PyTorch eager baseline on the same weights in the same run. Prints
 * ratios (targets from the engine issue) and a markdown table for BENCHMARKS.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt, fullCacheHooks, interleavedMedians } from './timing';
import { torchAvailable, torchForward } from './torchBaseline';
import { sweepBench, sweepBenchRows } from './sweepBench';
import { suffixBench, suffixBenchRows } from './suffixBench';
import { boundaryBench, boundaryRows } from './boundaryBench';
import { residualBench, residualBenchRows } from './residualBench';
import { hookFreeForwardBench, hookFreeForwardRows, inspectMemoryBench, inspectMemoryRows } from './inspectMemoryBench';
import { saeBench } from './saeBench';
import { saeAttributionBench } from './saeAttributionBench';
import { int8Bench } from './int8Bench';
import { argValue, forwardScalingBench, parseSizes } from './forwardScaling';
import { datasetBench } from './datasetBench';

const TOKEN_COUNTS = [16, 64, 256];
const THREADS = Math.min(2, availableParallelism());
const quick = process.argv.includes('--quick');
const REPEAT = quick ? 3 : 7;

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  if (!existsSync(join(dir, 'model.safetensors'))) {
    console.log(`writing GPT-2-small-sized random weights to ${dir} ...`);
    await writeRandomGpt2Checkpoint(dir);
  }
  const rows: string[] = [];
  const t0 = performance.now();
  const loaded = await loadHookedGpt2(dir, { threads: THREADS });
  const loadS = (performance.now() - t0) / 1000;
  const tFirst = performance.now();
  await loaded.model.run([50256, 1, 2, 3]);
  const firstRunS = (performance.now() - tFirst) / 1000;
  console.log(`load: ${fmt(loadS, 2)} s (files → model); first run incl. graph build + session: ${fmt(firstRunS, 2)} s`);

  const c = loaded.model.config;
  const allHooks = fullCacheHooks(c.nLayers);
  const torch = torchAvailable();
  if (!torch) console.log('torch not installed (/usr/bin/python3 -c "import torch" failed): PyTorch ratios skipped');
  rows.push(
    '| tokens | logits-only forward (ms) | full cache, ' +
      allHooks.length +
      ' hooks (ms) | full cache / logits-only | PyTorch eager, last-pos logits (ms) | ours / PyTorch |',
  );
  rows.push('|---|---|---|---|---|---|');
  for (const n of TOKEN_COUNTS) {
    const tokens = Array.from({ length: n }, (_, i) => (i * 7919) % c.dVocab);
    // interleaved, so both see the same machine conditions
    const [logitsOnly, fullCache] = await interleavedMedians([() => loaded.model.run(tokens), () => loaded.model.runWithCache(tokens, allHooks)], REPEAT * 2);
    const tt = torch ? torchForward(dir, n, REPEAT, THREADS) : undefined;
    rows.push(
      `| ${n} | ${fmt(logitsOnly)} | ${fmt(fullCache)} | ${fmt(fullCache / logitsOnly, 2)}× | ${tt ? fmt(tt.forward_last_ms) : 'n/a'} | ${tt ? fmt(logitsOnly / tt.forward_last_ms, 2) + '×' : 'n/a'} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  const rssMb = process.memoryUsage().rss / 2 ** 20; // the model loaded, forward + cache graphs built
  const sweepRows = process.argv.includes('--no-sweep') ? [] : sweepBenchRows(await sweepBench(loaded));
  const suffixRows = process.argv.includes('--no-sweep') ? [] : suffixBenchRows(await suffixBench(loaded));
  for (const r of [...sweepRows, ...suffixRows]) console.log(r);
  const residualRows = process.argv.includes('--no-residual') ? [] : residualBenchRows(await residualBench(loaded, [64, 256], quick ? 2 : 3));
  for (const r of residualRows) console.log(r);
  const hookFreeRows = process.argv.includes('--no-memory') ? [] : hookFreeForwardRows(await hookFreeForwardBench(loaded, [64, 1024], REPEAT, THREADS));
  const rssAfterAllMb = process.memoryUsage().rss / 2 ** 20;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const saeRows = process.argv.includes('--no-sae') ? [] : await saeBench(loaded, { repeat: REPEAT });
  await loaded.dispose();
  console.log('\n## Engine, GPT-2-small-sized random weights (12 × 12 heads × 768, vocab 50257), ' + THREADS + ' threads');
  console.log(`- load (safetensors + tokenizer → model): ${fmt(loadS, 2)} s (target ≤ 3 s); first run incl. graph build: ${fmt(firstRunS, 2)} s`);
  console.log(
    `- RSS with the model loaded and run (forward + full cache): ${fmt(rssMb, 0)} MiB (target ≤ 2048 MiB); after every benchmark below (patch, prefix and backward graph variants too): ${fmt(rssAfterAllMb, 0)} MiB; peak: ${fmt(peakRssMb, 0)} MiB`,
  );
  console.log(rows.join('\n'));
  console.log('Targets: forward ≤ 0.6× PyTorch eager at 64 tokens; full cache ≤ 1.2× logits-only.\n');
  console.log(sweepRows.join('\n'));
  if (suffixRows.length) console.log(suffixRows.join('\n'));
  if (residualRows.length) {
    console.log('\n## Residual stream (logit lens + norms + DLA from one cached forward) vs one full-cache forward, ' + THREADS + ' threads');
    console.log(residualRows.join('\n'));
    console.log('Target: ≤ 2.5× one full-cache forward. The lens unembeds (n_layers + 1) × tokens rows: ~5.6× the forward’s multiply-adds on GPT-2 small.');
  }
  if (saeRows.length) {
    console.log(
      '\n## SAE features (issue 11): a 128-token selection vs one forward, and the workspace scan (--no-sae skips; tools/bench/saeBench.ts alone adds the shipped model)',
    );
    console.log(saeRows.join('\n'));
    console.log('Target: the features of a 128-token selection ≤ 1.5× one forward.');
  }
  if (!process.argv.includes('--no-sae-attribution')) {
    console.log('\n## SAE features that carry a substitution (issue 11): attribution of every feature and exact patches of the top 10 vs one forward');
    console.log((await saeAttributionBench({ repeat: REPEAT, small: true })).join('\n'));
  }
  if (hookFreeRows.length) {
    console.log('\n## Hooks cost nothing unless fetched: logits-only forward, ' + THREADS + ' threads (interleaved)');
    console.log(hookFreeRows.join('\n'));
    console.log('\n## Inspect Attention peak memory, one fresh engine process per row (--no-memory skips both)');
    console.log(inspectMemoryRows(await inspectMemoryBench(dir, 1024, THREADS)).join('\n'));
  }
  if (!process.argv.includes('--no-int8')) {
    console.log(`\n## int8 approximate mode vs fp32 (opt-in: circuitInspector.precision, --int8; --no-int8 skips), ${THREADS} threads, interleaved`);
    console.log((await int8Bench(dir, { threads: THREADS, repeat: REPEAT })).join('\n'));
  }
  if (!process.argv.includes('--no-sizes')) {
    const sizes = parseSizes(argValue('--sizes'));
    const tokens = (argValue('--tokens') ?? '16,64,256,1024').split(',').map(Number);
    console.log(
      `\n## The forward at every size asked (--sizes ${sizes.join(',')}; --no-sizes skips): fresh engine process per size, PyTorch interleaved, ${THREADS} threads`,
    );
    console.log((await forwardScalingBench(sizes, tokens, { threads: THREADS, repeat: quick ? 3 : 5 })).join('\n'));
    console.log('Targets: forward ≤ 0.6× PyTorch at 64 tokens (small, medium, large); RSS ≤ 1.3× the f32 weights.');
  }
  if (!process.argv.includes('--no-dataset')) {
    console.log(
      '\n## Dataset mode (issue 12): the all-heads z sweep over a prompt set, batched across pairs vs one sweep per pair (--no-dataset skips; --dataset-pairs N)',
    );
    console.log((await datasetBench({ pairs: Number(argValue('--dataset-pairs') ?? 50) })).join('\n'));
  }
  if (!process.argv.includes('--no-boundary')) {
    console.log('\n## The engine process boundary (same server, in this process vs forked), ' + THREADS + ' threads');
    console.log(boundaryRows(await boundaryBench(dir, 256, REPEAT)).join('\n'));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
