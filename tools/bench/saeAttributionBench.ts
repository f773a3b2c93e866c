/**
 * The substitution's SAE feature attribution (issue 11) against one forward of the clean prompt:
 * - the attribution of every feature (one batched forward+backward of both prompts, one encode of
 *   both runs' rows, the sparse W_dec · gradient products), the part the panel shows first;
 * - the exact patches of the top 10 features in both directions (batched runs from the hook's layer,
 *   the prefix before the first difference reused);
 * on the shipped model with its SAE (a real `param` → `arg` swap), and on GPT-2-small-sized random
 * weights with a 24,576-feature SAE at blocks.8.hook_resid_pre and a 128-token prompt (one token
 * swapped at position 100). Wall and CPU medians, interleaved.
 *
 * Run alone: `node --import tsx tools/bench/saeAttributionBench.ts [--quick] [--no-small]`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { rankFeatures, runFeatureAttribution } from '../../src/analysis/sae/featureAttribution';
import { runFeaturePatching } from '../../src/analysis/sae/featurePatching';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { topK } from '../../src/model/logitsMath';
import { loadSaeFolder, SaeEncoder, shippedSaeFolder, type LoadedSae } from '../../src/model/sae';
import { shippedModelDir } from '../../src/model/shippedModel';
import { blockHook } from '../../src/shared/hookNames';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { writeRandomSae } from './randomSae';
import { fmt, interleavedWallAndCpu } from './timing';

const TOP = 10;

async function benchOne(name: string, loaded: LoadedModel, sae: LoadedSae, clean: number[], corrupt: number[], repeat: number): Promise<string[]> {
  const encoder = await SaeEncoder.create(sae);
  try {
    const m = loaded.model;
    const [cl, co] = await Promise.all([m.run(clean), m.run(corrupt)]);
    const answer = topK(cl.logits!.data, 1)[0].id;
    const wrong = topK(co.logits!.data, 2).find((t) => t.id !== answer)!.id;
    const metric = logitDifference(answer, wrong);
    const a = await runFeatureAttribution(m, sae, encoder, { clean, corrupt, metric });
    const features = rankFeatures(a.totals, TOP).map((r) => r.feature);
    const [fwd, attr, exact] = await interleavedWallAndCpu(
      [
        () => m.run(clean, { logits: 'last' }),
        () => runFeatureAttribution(m, sae, encoder, { clean, corrupt, metric }),
        () => runFeaturePatching(m, sae.weights.W_dec, a, { features, metric }),
      ],
      repeat,
    );
    let attributed = 0;
    for (let i = 0; i < a.dSae; i++) if (a.totals.denoise[i] !== 0 || a.totals.noise[i] !== 0) attributed++;
    const x = (r: { wallMs: number }) => fmt(r.wallMs / fwd.wallMs, 2);
    return [
      `| ${name} | ${clean.length} | ${sae.config.dSae} @ ${sae.config.hookName} | ${attributed} | ${fmt(fwd.wallMs)} (${fmt(fwd.cpuMs)} CPU) | ${fmt(attr.wallMs)} (${fmt(attr.cpuMs)} CPU) · ${x(attr)}× | ${fmt(exact.wallMs)} (${fmt(exact.cpuMs)} CPU) · ${x(exact)}× |`,
    ];
  } finally {
    await encoder.release();
  }
}

export async function saeAttributionBench(opts: { repeat: number; small: boolean }): Promise<string[]> {
  const lines = [
    `| model | tokens | SAE | features attributed | one forward ms | attribution (all features) ms · × forward | exact top ${TOP}, both directions ms · × forward |`,
    '|---|---|---|---|---|---|---|',
  ];
  const shipped = await loadHookedGpt2(shippedModelDir());
  try {
    const sae = await loadSaeFolder(shippedSaeFolder());
    const text = 'def area(self, param):\n    return self.param * self.param';
    const clean = shipped.toPrompt(text).ids;
    const corrupt = shipped.toPrompt(text.replace('param)', 'arg)')).ids;
    if (clean.length !== corrupt.length) throw new Error('the shipped prompts do not align');
    lines.push(...(await benchOne('gpt2-python-mini (shipped SAE)', shipped, sae, [...clean], [...corrupt], opts.repeat)));
  } finally {
    await shipped.dispose();
  }
  if (opts.small) {
    const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
    if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
    const loaded = await loadHookedGpt2(dir);
    const folder = mkdtempSync(join(tmpdir(), 'ci-bench-sae-attr-'));
    try {
      const hook = blockHook(8, 'hook_resid_pre');
      const ids = Array.from({ length: 128 }, (_, i) => (i * 7919 + 13) % 50000);
      const x = (await loaded.model.runWithCache(ids, [hook], { logits: 'none' })).cache.get(hook).data;
      let ss = 0;
      for (const v of x) ss += v * v;
      await writeRandomSae(folder, { dIn: 768, dSae: 24576, hookName: hook, residNorm: Math.sqrt(ss / 128), z: 3 });
      const sae = await loadSaeFolder(folder);
      const corrupt = [...ids];
      corrupt[100] = (corrupt[100] + 1) % 50000;
      lines.push(...(await benchOne('GPT-2-small-sized random', loaded, sae, ids, corrupt, Math.max(3, Math.ceil(opts.repeat / 2)))));
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await loaded.dispose();
    }
  }
  return lines;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  saeAttributionBench({ repeat: quick ? 5 : 15, small: !process.argv.includes('--no-small') }).then(
    (lines) => console.log(lines.join('\n')),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
