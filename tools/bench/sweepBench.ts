/**
 * The all-heads patching sweep (z over layer × head, all positions) at 64 tokens against the naive
 * loop (one full forward per patch), in the same run, on the loaded benchmark model.
 */
import type { LoadedModel } from '../../src/model/loadHookedGpt2';
import { blockHook } from '../../src/shared/hookNames';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { runAttributionPatching } from '../../src/analysis/patching/attributionPatching';
import { SWEEP_KINDS } from '../../src/shared/patchingVocabulary';
import { fmt } from './timing';

const PROMPT = `def resize(self, image, width, height, keep_ratio):
    """Resize an image.

    :param image: the image to resize
    :param width: the new width in pixels
    :param height: the new height in pixels
    :param`;

export interface SweepBenchResult {
  readonly tokens: number;
  readonly firstDiff: number;
  readonly naiveMs: number;
  readonly oneDirectionMs: number;
  readonly oneDirectionNoPrefixMs: number;
  readonly bothDirectionsMs: number;
  readonly forwardMs: number;
  readonly attributionMs: number;
}

export async function sweepBench(loaded: LoadedModel, nTokens = 64): Promise<SweepBenchResult> {
  const clean = loaded.toPrompt(PROMPT).ids.slice(0, nTokens);
  if (clean.length < nTokens) throw new Error(`benchmark prompt has only ${clean.length} tokens`);
  // Corrupt one argument name in the docstring (":param width" → ":param depth"), as a user would.
  const width = loaded.tokenizer.encode(' width').ids[0];
  const depth = loaded.tokenizer.encode(' depth').ids[0];
  const at = clean.indexOf(width, 12);
  const corrupt = clean.map((t, i) => (i === at ? depth : t));
  const metric = logitDifference(width, depth);
  const c = loaded.model.config;

  // best of `repeat` runs: the machine may be shared, and the minimum is the least disturbed
  const time = async (f: () => Promise<unknown>, repeat = 2) => {
    let best = Infinity;
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      await f();
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  // warm every graph variant once so session building is not timed
  await runPatchingSweeps(loaded.model, { clean, corrupt, metric, sweeps: ['z'], directions: ['denoise'] });
  await runPatchingSweeps(loaded.model, { clean, corrupt, metric, sweeps: ['z'], directions: ['denoise'], reusePrefix: false });
  const oneDirectionMs = await time(() => runPatchingSweeps(loaded.model, { clean, corrupt, metric, sweeps: ['z'], directions: ['denoise'] }));
  const oneDirectionNoPrefixMs = await time(() =>
    runPatchingSweeps(loaded.model, { clean, corrupt, metric, sweeps: ['z'], directions: ['denoise'], reusePrefix: false }),
  );
  const bothDirectionsMs = await time(() => runPatchingSweeps(loaded.model, { clean, corrupt, metric, sweeps: ['z'] }));

  // naive: one full forward per (layer, head), patching the clean z into the corrupt run
  const hooks = Array.from({ length: c.nLayers }, (_, l) => blockHook(l, 'attn.hook_z'));
  const source = await loaded.model.runWithCache(clean, hooks);
  await loaded.model.runWithPatches(corrupt, [{ hook: hooks[0], values: source.cache.get(hooks[0]), heads: [0] }]);
  const naiveMs = await time(async () => {
    for (let l = 0; l < c.nLayers; l++) {
      for (let h = 0; h < c.nHeads; h++) {
        await loaded.model.runWithPatches(corrupt, [{ hook: hooks[l], values: source.cache.get(hooks[l]), heads: [h] }]);
      }
    }
  }, 1);
  // attribution preview: every sweep, both directions, from one forward+backward per prompt
  await runAttributionPatching(loaded.model, { clean, corrupt, metric, sweeps: SWEEP_KINDS });
  const attributionMs = await time(() => runAttributionPatching(loaded.model, { clean, corrupt, metric, sweeps: SWEEP_KINDS }), 3);
  await loaded.model.run(corrupt);
  const forwardMs = await time(() => loaded.model.run(corrupt), 5);
  return { tokens: nTokens, firstDiff: at, naiveMs, oneDirectionMs, oneDirectionNoPrefixMs, bothDirectionsMs, forwardMs, attributionMs };
}

export function sweepBenchRows(r: SweepBenchResult): string[] {
  return [
    `| all-heads z sweep, ${r.tokens} tokens, first differing token at ${r.firstDiff} | ms | vs naive loop |`,
    '|---|---|---|',
    `| naive loop: one full forward per (layer, head), one direction | ${fmt(r.naiveMs, 0)} | 1.00× |`,
    `| sweep, one direction, start at layer + batch per layer (no prefix reuse) | ${fmt(r.oneDirectionNoPrefixMs, 0)} | ${fmt(r.naiveMs / r.oneDirectionNoPrefixMs, 2)}× faster |`,
    `| sweep, one direction, + prefix reuse | ${fmt(r.oneDirectionMs, 0)} | ${fmt(r.naiveMs / r.oneDirectionMs, 2)}× faster (target ≥ 6×) |`,
    `| sweep, both directions | ${fmt(r.bothDirectionsMs, 0)} | both / one = ${fmt(r.bothDirectionsMs / r.oneDirectionMs, 2)}× (target ≤ 2×) |`,
    `| attribution preview: all 9 sweeps × both directions (one batch-2 forward+backward run) | ${fmt(r.attributionMs, 0)} | ${fmt(r.attributionMs / r.forwardMs, 2)}× one forward of ${fmt(r.forwardMs, 0)} ms (target ≤ 4×) |`,
  ];
}
