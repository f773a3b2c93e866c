/**
 * SAE feature analyses (issue 11, section 5): the features of a 128-token selection against one
 * forward of the same tokens (target ≤ 1.5×), and the workspace scan's throughput in tokens/s.
 *
 * Two setups:
 * - the shipped model (gpt2-python-mini) with its SAE when present, else a random 8×d_model SAE at
 *   blocks.1.hook_resid_pre;
 * - a GPT-2-small-sized random checkpoint (`.bench/gpt2-small-random`) with a random 24,576-feature
 *   standard SAE at blocks.8.hook_resid_pre (skipped with --quick).
 * Rows, timed interleaved (wall and process CPU, medians): one forward (logits at the last position,
 * the plain graph); the features (`runFeatureActivations`: the run to the hook + the encoder); the
 * run to the hook alone; the encoder alone; the ablated text at the last position (one batched run);
 * the reconstruction quality (two full runs); and a scan of 128-token windows in batches of 8.
 *
 * The ablated text on GPT-2 small (129 × 128 tokens through 8 blocks, about a minute of CPU here)
 * only with --ablate.
 *
 * Run alone: `node --import tsx tools/bench/saeBench.ts [--quick] [--ablate]`; `npm run bench` runs
 * the GPT-2-small rows (`saeBench`) unless --no-sae.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { shippedModelDir } from '../../src/model/shippedModel';
import { loadSaeFolder, SaeEncoder, shippedSaeFolder, type LoadedSae } from '../../src/model/sae';
import { float32Tensor } from '../../src/model/tensor';
import { runAblatedText, runFeatureActivations, runReconstructionQuality, runToHook, scanWindows, tokensPerSecond } from '../../src/analysis/sae';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { writeRandomSae } from './randomSae';
import { fmt, interleavedWallAndCpu } from './timing';

/** A random standard SAE: unit decoder rows, encoder = decoder transposed scaled to the residual's norm, no bias yet (see `sparsify`). */
export function randomSae(dIn: number, dSae: number, hookName: string, residNorm: number, seed = 7): LoadedSae {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const W_dec = new Float32Array(dSae * dIn);
  for (let f = 0; f < dSae; f++) {
    let n = 0;
    for (let i = 0; i < dIn; i++) n += (W_dec[f * dIn + i] = next()) ** 2;
    for (let i = 0; i < dIn; i++) W_dec[f * dIn + i] /= Math.sqrt(n);
  }
  const W_enc = new Float32Array(dIn * dSae);
  for (let i = 0; i < dIn; i++) for (let f = 0; f < dSae; f++) W_enc[i * dSae + f] = W_dec[f * dIn + i] / residNorm;
  const b_enc = new Float32Array(dSae);
  return {
    id: `bench-${dSae}`,
    label: `random ${dSae}-feature SAE`,
    folder: '(in memory)',
    config: {
      architecture: 'standard',
      dIn,
      dSae,
      dtype: 'float32',
      hookName,
      hookLayer: Number(/^blocks\.(\d+)\./.exec(hookName)![1]),
      applyBDecToInput: true,
      inputTransform: 'none',
      inputTransformReason: 'bench',
      configForm: 'v6',
    },
    weights: { W_enc, W_dec, b_enc, b_dec: new Float32Array(dIn) },
  };
}

/** Sets one encoder bias for every feature so that about `l0` features fire per token on `tokens`. */
async function sparsify(loaded: LoadedModel, sae: LoadedSae, tokens: readonly number[], l0: number): Promise<void> {
  const encoder = await SaeEncoder.create(sae);
  const r = await runFeatureActivations(loaded.model, encoder, sae, tokens, { topK: 0 });
  await encoder.release();
  const positive = Array.from(r.acts.data.filter((a) => a > 0)).sort((a, b) => b - a);
  sae.weights.b_enc.fill(-(positive[Math.min(positive.length - 1, l0 * tokens.length)] ?? 0));
}

async function bench(title: string, loaded: LoadedModel, sae: LoadedSae, opts: { repeat: number; scanWindows: number; ablate: boolean }): Promise<string[]> {
  const model = loaded.model;
  const n = Math.min(128, model.config.nCtx);
  const tokens = Array.from({ length: n }, (_, i) => (i * 7919 + 13) % model.config.dVocab);
  if (sae.folder === '(in memory)') await sparsify(loaded, sae, tokens, 32);
  const encoder = await SaeEncoder.create(sae);
  const fedEncoder = await SaeEncoder.create(sae, { weights: 'fed' }); // the weights as graph inputs, for comparison
  const x = await runToHook(model, sae, tokens);
  const rows = float32Tensor<'rows d_in'>([n, sae.config.dIn], x.data);
  const feats = await runFeatureActivations(model, encoder, sae, tokens, { topK: 10 });
  let l0 = 0;
  for (const a of feats.acts.data) if (a > 0) l0++;
  const fns = [
    () => model.run(tokens, { logits: 'last' }),
    () => runFeatureActivations(model, encoder, sae, tokens, { topK: 10 }),
    () => runToHook(model, sae, tokens),
    () => encoder.encode(rows),
    () => fedEncoder.encode(rows),
  ];
  const [fwd, features, toHook, encode, encodeFed] = await interleavedWallAndCpu(fns, opts.repeat);
  await fedEncoder.release();
  const out = [
    `${title}: ${sae.label} at ${sae.config.hookName}, ${n} tokens, L0 ${fmt(l0 / n)} (load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    `  one forward (logits last)        ${fmt(fwd.wallMs)} ms wall  ${fmt(fwd.cpuMs)} ms CPU`,
    `  features (run to hook + encode)  ${fmt(features.wallMs)} ms wall  ${fmt(features.cpuMs)} ms CPU  = ${fmt(features.wallMs / fwd.wallMs, 2)}× wall, ${fmt(features.cpuMs / fwd.cpuMs, 2)}× CPU of one forward`,
    `    run to the hook alone          ${fmt(toHook.wallMs)} ms wall  ${fmt(toHook.cpuMs)} ms CPU`,
    `    encoder alone                  ${fmt(encode.wallMs)} ms wall  ${fmt(encode.cpuMs)} ms CPU`,
    `    encoder, weights fed per run   ${fmt(encodeFed.wallMs)} ms wall  ${fmt(encodeFed.cpuMs)} ms CPU  (the default embeds them: ORT pre-packs W_enc/W_dec)`,
  ];
  if (opts.ablate) {
    const p = n - 1;
    const f = feats.top[p][0]?.feature ?? 0;
    const [abl, q] = await interleavedWallAndCpu(
      [() => runAblatedText(model, encoder, sae, tokens, f, p), () => runReconstructionQuality(model, encoder, sae, tokens)],
      Math.max(1, Math.floor(opts.repeat / 3)),
    );
    out.push(`  ablated text at position ${p} (${p + 2} batch elements)  ${fmt(abl.wallMs)} ms wall  ${fmt(abl.cpuMs)} ms CPU`);
    out.push(`  reconstruction quality (2 full runs, all logits)   ${fmt(q.wallMs)} ms wall  ${fmt(q.cpuMs)} ms CPU`);
  }
  const windows = Array.from({ length: opts.scanWindows }, (_, w) => ({
    tokens: Array.from({ length: n }, (_, i) => (i * 104729 + w * 7919 + 3) % model.config.dVocab),
    source: w,
  }));
  const c0 = process.cpuUsage();
  const scan = await scanWindows(model, encoder, sae, windows, { batchSize: 8 });
  const cpu = process.cpuUsage(c0);
  out.push(
    `  scan: ${scan.windowCount} windows of ${n} tokens, batch 8: ${scan.tokens} tokens in ${fmt(scan.seconds, 2)} s = ${fmt(tokensPerSecond(scan), 0)} tokens/s (CPU ${fmt((cpu.user + cpu.system) / 1e6, 2)} s)`,
  );
  await encoder.release();
  out.push(`  peak RSS of this process so far: ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MiB`);
  return out;
}

/** The norm scale of the hook's rows, to scale a random encoder. */
async function hookRms(loaded: LoadedModel, hookName: string): Promise<number> {
  const x = await runToHook(loaded.model, randomSae(loaded.model.config.dModel, 8, hookName, 1), [1, 2, 3]);
  let s = 0;
  for (const v of x.data) s += v * v;
  return Math.sqrt(s / 3);
}

/**
 * The GPT-2-small-sized rows (for `npm run bench`): a 24,576-feature SAE at blocks.8.hook_resid_pre of
 * `loaded`, written to a temp folder in SAELens format (`randomSae.ts`, ~150 MB F32, b_enc at 3σ: L0
 * ≈ 30) and loaded through `loadSaeFolder` like a user's SAE.
 */
export async function saeBench(loaded: LoadedModel, opts: { repeat: number; scanWindows?: number; ablate?: boolean }): Promise<string[]> {
  const hook = `blocks.${Math.min(8, loaded.model.config.nLayers - 1)}.hook_resid_pre`;
  const folder = mkdtempSync(join(tmpdir(), 'ci-bench-sae-'));
  try {
    await writeRandomSae(folder, { dIn: loaded.model.config.dModel, dSae: 24576, hookName: hook, residNorm: await hookRms(loaded, hook), z: 3 });
    const t0 = performance.now();
    const sae = await loadSaeFolder(folder);
    const loadMs = performance.now() - t0;
    const rows = await bench('GPT-2-small-sized random', loaded, sae, {
      repeat: opts.repeat,
      scanWindows: opts.scanWindows ?? 16,
      ablate: opts.ablate ?? false,
    });
    return [
      ...rows,
      `  SAE load (SAELens folder, cfg.json + ${fmt((4 * 2 * 24576 * loaded.model.config.dModel) / 2 ** 20, 0)} MiB F32 weights): ${fmt(loadMs)} ms`,
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const shipped = await loadHookedGpt2(shippedModelDir());
  let sae: LoadedSae;
  try {
    sae = await loadSaeFolder(shippedSaeFolder());
  } catch {
    const d = shipped.model.config.dModel;
    sae = randomSae(d, 8 * d, 'blocks.1.hook_resid_pre', await hookRms(shipped, 'blocks.1.hook_resid_pre'));
  }
  lines.push(...(await bench('shipped model', shipped, sae, { repeat: 15, scanWindows: 64, ablate: true })));
  await shipped.dispose();
  if (!process.argv.includes('--quick')) {
    const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
    if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
    const small = await loadHookedGpt2(dir);
    lines.push(...(await saeBench(small, { repeat: 7, ablate: process.argv.includes('--ablate') })));
    await small.dispose();
  }
  console.log(lines.join('\n'));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
