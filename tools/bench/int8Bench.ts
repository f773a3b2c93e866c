/**
 * The int8 approximate mode against fp32, in the same run: the GPT-2-small-sized forward at 64
 * tokens (interleaved medians, ratio, GFLOP/s of its multiply-adds), each weight matmul shape alone
 * (fp32 weights as inputs, as every hooked variant feeds them; fp32 embedded and prepacked, as the
 * plain forward of GPT-2 small has them; int8 weights as inputs, as the int8 mode feeds them), and
 * the int8 logits' error on the same tokens.
 *
 *   npx tsx tools/bench/int8Bench.ts [--quick]      (npm run bench runs it too; --no-int8 skips it)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { compareLogits } from '../../src/analysis/precisionCheck';
import type { Gpt2Config } from '../../src/model/gpt2Config';
import { GraphBuilder } from '../../src/model/graph/graphBuilder';
import { MS_DOMAIN, OnnxDataType, encodeOnnxModel } from '../../src/model/graph/onnxModel';
import { quantizeColumns } from '../../src/model/graph/quantizeWeights';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { OrtSession, type FeedTensor } from '../../src/model/ort';
import { formatLogitsError } from '../../src/shared/precision';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt, interleavedMedians, interleavedWallAndCpu } from './timing';

/** Multiply-adds × 2 of a logits-only forward of `n` tokens (last-position logits): the block matmuls, QKᵀ and pattern·V, the unembedding row. */
export function forwardFlops(c: Gpt2Config, n: number): number {
  const d = c.dModel;
  const matmuls = 2 * n * (d * 3 * d + d * d + 2 * d * c.dMlp);
  const attention = 2 * 2 * n * n * d;
  return c.nLayers * (matmuls + attention) + 2 * d * c.dVocab;
}

type MatMulMode = 'fp32 input' | 'fp32 embedded' | 'int8 input';

async function matmulMs(mode: MatMulMode, m: number, k: number, n: number, threads: number, repeat: number): Promise<number> {
  const rand = (len: number, s: number) => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898 + len) * s);
  const w = rand(k * n, 0.02);
  const x = rand(m * k, 1);
  const g = new GraphBuilder('matmul');
  g.input('x', OnnxDataType.Float, ['m', k]);
  const feeds: Record<string, FeedTensor> = { x: { type: 'float32', dims: [m, k], data: x } };
  let y: string;
  if (mode === 'int8 input') {
    const q = quantizeColumns(w, k, n);
    g.input('w', OnnxDataType.Int8, [k, n]);
    g.input('s', OnnxDataType.Float, [n]);
    feeds.w = { type: 'int8', dims: [k, n], data: q.values };
    feeds.s = { type: 'float32', dims: [n], data: q.scales };
    const graph = g.build();
    y = 'y';
    (graph.nodes as unknown as object[]).push({
      opType: 'DynamicQuantizeMatMul',
      domain: MS_DOMAIN,
      inputs: ['x', 'w', 's'],
      outputs: [y],
      name: 'q',
      attributes: {},
    });
  } else {
    if (mode === 'fp32 embedded') g.initializer({ name: 'w', elemType: OnnxDataType.Float, dims: [k, n], raw: new Uint8Array(w.buffer) });
    else {
      g.input('w', OnnxDataType.Float, [k, n]);
      feeds.w = { type: 'float32', dims: [k, n], data: w };
    }
    y = g.op('MatMul', ['x', 'w']);
  }
  g.output(y, 'out', OnnxDataType.Float, ['m', n]);
  const session = await OrtSession.create(encodeOnnxModel(g.build()), `${mode} ${m}×${k}×${n}`, { threads, spinning: false });
  try {
    const [ms] = await interleavedMedians([() => session.run(feeds, ['out'])], repeat);
    return ms;
  } finally {
    await session.release();
  }
}

export async function int8Bench(dir: string, opts: { readonly threads: number; readonly repeat: number; readonly tokens?: number }): Promise<string[]> {
  const n = opts.tokens ?? 64;
  const exact = await loadHookedGpt2(dir, { threads: opts.threads });
  const int8 = await loadHookedGpt2(dir, { threads: opts.threads, precision: 'int8' });
  const rows: string[] = [];
  try {
    const c = exact.model.config;
    const tokens = Array.from({ length: n }, (_, i) => (i * 7919) % c.dVocab);
    // Wall and process CPU time (all threads): CPU time moves less when other processes share the cores.
    const [fp32, int8Run, fp32Hooked] = await interleavedWallAndCpu(
      [() => exact.model.run(tokens), () => int8.model.run(tokens), () => exact.model.runWithCache(tokens, ['blocks.0.hook_resid_pre'])],
      opts.repeat * 2,
    );
    const gflop = forwardFlops(c, n) / 1e9;
    const row = (name: string, t: { wallMs: number; cpuMs: number }) =>
      `| ${name} | ${fmt(t.wallMs)} | ${fmt(t.cpuMs)} | ${fmt(gflop / (t.wallMs / 1000), 0)} | ${fmt(int8Run.wallMs / t.wallMs, 2)}× / ${fmt(int8Run.cpuMs / t.cpuMs, 2)}× |`;
    rows.push(`| forward, ${n} tokens (${fmt(gflop, 1)} GFLOP) | wall ms | CPU ms | GFLOP/s (wall) | int8 / this (wall / CPU) |`, '|---|---|---|---|---|');
    rows.push(row('fp32, weights embedded (the plain forward)', fp32));
    rows.push(row('fp32, weights as inputs (a hooked variant: one hook fetched)', fp32Hooked));
    rows.push(row('int8 approximate (int8 weights as inputs)', int8Run));
    const a = (await exact.model.run(tokens, { logits: 'all' })).logits!;
    const b = (await int8.model.run(tokens, { logits: 'all' })).logits!;
    rows.push('', `Random weights, same tokens: ${formatLogitsError(compareLogits(a, b))}.`);
  } finally {
    await exact.dispose();
    await int8.dispose();
  }
  const d = 768;
  rows.push(
    '',
    `| matmul [${n}, K] × [K, N] | fp32 input GFLOP/s | fp32 embedded GFLOP/s | int8 input GFLOP/s | int8 / fp32 embedded |`,
    '|---|---|---|---|---|',
  );
  for (const [name, k, nOut] of [
    ['attn QKV', d, 3 * d],
    ['attn W_O', d, d],
    ['MLP in', d, 4 * d],
    ['MLP out', 4 * d, d],
  ] as const) {
    const flops = 2 * n * k * nOut;
    const ms: number[] = [];
    for (const mode of ['fp32 input', 'fp32 embedded', 'int8 input'] as const) ms.push(await matmulMs(mode, n, k, nOut, opts.threads, opts.repeat * 4));
    const g = ms.map((t) => fmt(flops / 1e6 / t, 0));
    rows.push(`| ${name} (K ${k}, N ${nOut}) | ${g[0]} | ${g[1]} | ${g[2]} | ${fmt(ms[2] / ms[1], 2)}× time |`);
  }
  return rows;
}

if (require.main === module) {
  const dir = join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  void (async () => {
    if (!existsSync(join(dir, 'model.safetensors'))) await writeRandomGpt2Checkpoint(dir);
    const threads = Math.min(2, availableParallelism());
    console.log(`## int8 approximate mode vs fp32, GPT-2-small-sized random weights, ${threads} threads`);
    console.log((await int8Bench(dir, { threads, repeat: process.argv.includes('--quick') ? 3 : 7 })).join('\n'));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
