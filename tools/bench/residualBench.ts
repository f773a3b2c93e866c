/**
 * The residual-stream analysis (issue 10): one forward fetching `residualStreamHooks` plus the
 * logit lens, norms and DLA, against one full-cache forward (every hook, as the forward row), at 64
 * and 256 tokens. Also its parts, all timed interleaved in the same run:
 * - the forward alone and the analysis alone;
 * - the first view-ready parts: the forward + norms + DLA, without the lens;
 * - the lens's unembedding (`lensUnembed`) against a bare MatMul of the same shapes, chunks and
 *   W_U feed (`bareUnembed.ts`): what ln_final, softmax, top-k, entropy and rank add to the matmul;
 * - the arithmetic floor: the lens's multiply-adds over the forward's (`forwardMultiplyAdds`,
 *   `lensMultiplyAdds`). The lens unembeds (n_layers + 1) × tokens rows through d_vocab, about
 *   5.6–5.8× a GPT-2-small forward, so no exact lens meets a 2.5× target.
 *
 * Run alone: `node --import tsx tools/bench/residualBench.ts [--quick]`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import type { Gpt2Config } from '../../src/model/gpt2Config';
import { lensNorm, lensUnembed } from '../../src/model/lensUnembed';
import type { PromptToken } from '../../src/shared/tokens';
import { analyseResidualStream, releaseLensSessions, residualStreamHooks, residualStreamLogitPositions, runResidualStream } from '../../src/analysis/residual';
import { computeDirectLogitAttribution } from '../../src/analysis/residual/directLogitAttribution';
import { stackBoundaries } from '../../src/analysis/residual/logitLens';
import { computeResidualNorms } from '../../src/analysis/residual/residualNorms';
import { createBareUnembed } from './bareUnembed';
import { writeRandomGpt2Checkpoint } from './randomCheckpoint';
import { fmt, fullCacheHooks, interleavedWallAndCpu } from './timing';

/**
 * Multiply-adds of one forward over `nTokens` tokens that unembeds `logitRows` rows (matmuls only):
 * n_layers · n · (4 · d_model · n_heads·d_head + 2 · d_model · d_mlp)   (QKV, O, MLP in and out)
 * + n_layers · 2 · n² · n_heads·d_head                                  (QKᵀ and pattern · V, all n × n before the mask)
 * + logitRows · d_model · d_vocab                                       (the unembedding).
 */
export function forwardMultiplyAdds(c: Gpt2Config, nTokens: number, logitRows: number): number {
  const hd = c.nHeads * c.dHead;
  return c.nLayers * nTokens * (4 * c.dModel * hd + 2 * c.dModel * c.dMlp) + c.nLayers * 2 * nTokens * nTokens * hd + logitRows * c.dModel * c.dVocab;
}

/** Multiply-adds of the logit lens's unembedding: (n_layers + 1) · n · d_model · d_vocab. */
export function lensMultiplyAdds(c: Gpt2Config, nTokens: number): number {
  return (c.nLayers + 1) * nTokens * c.dModel * c.dVocab;
}

export interface ResidualBenchRow {
  readonly tokens: number;
  readonly fullCacheMs: number;
  readonly residualMs: number;
  readonly forwardMs: number;
  readonly analysisMs: number;
  /** Process CPU time (all threads), less disturbed than wall time on a shared machine. */
  readonly fullCacheCpuMs: number;
  readonly residualCpuMs: number;
  /** The forward + norms + DLA: what the view could show before the lens. */
  readonly firstPartsMs: number;
  /** `lensUnembed` on the (n_layers + 1) × tokens boundary rows, and the bare MatMul of the same rows. */
  readonly lensMs: number;
  readonly bareMatMulMs: number;
  readonly lensCpuMs: number;
  readonly bareMatMulCpuMs: number;
  /** Multiply-adds of the full-cache forward (logits at the last position) and of the lens. */
  readonly forwardMacs: number;
  readonly lensMacs: number;
}

export async function residualBench(loaded: LoadedModel, tokenCounts = [64, 256], repeat = 3): Promise<ResidualBenchRow[]> {
  const m = loaded.model;
  const c = m.config;
  const allHooks = fullCacheHooks(c.nLayers);
  const answer = { id: 11, text: '' };
  const wrong = { id: 13, text: '' };
  const bare = await createBareUnembed(m);
  const rows: ResidualBenchRow[] = [];
  try {
    for (const n of tokenCounts) {
      const ids = Array.from({ length: n }, (_, i) => (i === 0 ? c.bosTokenId : (i * 7919) % c.dVocab));
      const tokens: PromptToken[] = ids.map((id, i) => ({ id, text: '', isBos: i === 0, start: i, end: i }));
      const hooks = residualStreamHooks(c.nLayers);
      const logits = residualStreamLogitPositions(n, n - 1); // [n − 1]: the DLA position is the last
      const run = await m.runWithCache(ids, hooks, { logits });
      const lensRows = stackBoundaries(run.cache, c.nLayers, n, c.dModel); // [(n_layers + 1) · n, d_model]
      const norm = lensNorm(m.layerNorm, 'recompute'); // the analysis's default variant
      const firstParts = async () => {
        const r = await m.runWithCache(ids, hooks, { logits });
        computeResidualNorms(c, r.cache, tokens);
        computeDirectLogitAttribution(m, r.cache, n, { position: n - 1, answer, wrong, logits: r.logits!.data.subarray(0, c.dVocab) });
      };
      const times = await interleavedWallAndCpu(
        [
          () => m.runWithCache(ids, allHooks),
          () => runResidualStream(m, tokens, { answerId: answer.id, wrongId: wrong.id }),
          () => m.runWithCache(ids, hooks, { logits }),
          () => analyseResidualStream(m, run, tokens, { answerId: answer.id, wrongId: wrong.id }),
          firstParts,
          () => lensUnembed(m, { rows: lensRows, norm, k: 10, answerId: answer.id }),
          () => bare.run(lensRows),
        ],
        repeat,
      );
      const [fullCacheMs, residualMs, forwardMs, analysisMs, firstPartsMs, lensMs, bareMatMulMs] = times.map((t) => t.wallMs);
      const cpu = times.map((t) => t.cpuMs);
      rows.push({
        tokens: n,
        fullCacheMs,
        residualMs,
        forwardMs,
        analysisMs,
        fullCacheCpuMs: cpu[0],
        residualCpuMs: cpu[1],
        firstPartsMs,
        lensMs,
        bareMatMulMs,
        lensCpuMs: cpu[5],
        bareMatMulCpuMs: cpu[6],
        forwardMacs: forwardMultiplyAdds(c, n, 1),
        lensMacs: lensMultiplyAdds(c, n),
      });
    }
  } finally {
    await bare.release();
    await releaseLensSessions(m);
  }
  return rows;
}

export function residualBenchRows(rows: readonly ResidualBenchRow[]): string[] {
  const g = (macs: number) => fmt(macs / 1e9, 1);
  const x = (a: number, b: number) => `${fmt(a / b, 2)}×`;
  return [
    '| tokens | full-cache forward (ms) | residual stream: forward + lens + norms + DLA (ms) | ratio | of which: forward (ms) | analysis (ms) | ratio of CPU time |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.tokens} | ${fmt(r.fullCacheMs)} | ${fmt(r.residualMs)} | ${x(r.residualMs, r.fullCacheMs)} | ${fmt(r.forwardMs)} | ${fmt(r.analysisMs)} | ${x(r.residualCpuMs, r.fullCacheCpuMs)} |`,
    ),
    '',
    '| tokens | forward / lens multiply-adds (G) | arithmetic floor: lens ÷ forward (whole analysis) | bare MatMul (ms) | ÷ full-cache forward | forward + bare MatMul ÷ full-cache forward | lens (ms) | lens ÷ bare MatMul (CPU) | forward + norms + DLA (ms) | ÷ full-cache forward |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.tokens} | ${g(r.forwardMacs)} / ${g(r.lensMacs)} | ${x(r.lensMacs, r.forwardMacs)} (${x(r.forwardMacs + r.lensMacs, r.forwardMacs)}) | ${fmt(r.bareMatMulMs)} | ${x(r.bareMatMulMs, r.fullCacheMs)} | ${x(r.forwardMs + r.bareMatMulMs, r.fullCacheMs)} | ${fmt(r.lensMs)} | ${x(r.lensMs, r.bareMatMulMs)} (${x(r.lensCpuMs, r.bareMatMulCpuMs)}) | ${fmt(r.firstPartsMs)} | ${x(r.firstPartsMs, r.fullCacheMs)} |`,
    ),
    'Multiply-adds (matmuls only): forward = n_layers · n · (4 · d_model · n_heads·d_head + 2 · d_model · d_mlp) + n_layers · 2 · n² · n_heads·d_head + d_model · d_vocab (logits at the last position); lens = (n_layers + 1) · n · d_model · d_vocab. The bare MatMul is [rows, d_model] × W_U in the lens’s chunks, W_U fed the same way, only a row max fetched.',
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
