/**
 * Peak memory of Inspect Attention at long prompts, and what the logits-only forward gains from a
 * graph without hook outputs.
 *
 * Memory: each measurement is a fresh engine process (this file, started with `--engine-child`,
 * serving only the attention module over the real IPC channel with advanced serialization), so
 * peaks never mix. The parent reads the child's VmHWM (peak resident set) from /proc after the
 * reply has crossed the boundary. A baseline child loads the model and inspects 4 tokens.
 *
 * Run alone: `node --import tsx tools/bench/inspectMemoryBench.ts [modelDir]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { EngineClient } from '../../src/engine/client';
import { serveOverProcessChannel, ENGINE_ENV } from '../../src/engine/processMain';
import { attentionEngine } from '../../src/features/attention/engine/handlers';
import type { AttentionEngineMethods } from '../../src/features/attention/shared/engineMethods';
import { CausalMasks } from '../../src/model/causalMasks';
import { embedWeights } from '../../src/model/graph/embedWeights';
import { buildGpt2Graph } from '../../src/model/graph/gpt2Graph';
import { INPUT, OUTPUT } from '../../src/model/graph/gpt2GraphSpec';
import { encodeOnnxModel } from '../../src/model/graph/onnxModel';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { OrtSession } from '../../src/model/ort';
import { planRun } from '../../src/model/runPlan';
import { blockHook, type BlockHookSuffix } from '../../src/shared/hookNames';
import type { ModelSpec } from '../../src/shared/modelSpec';
import { fmt, fullCacheHooks, interleavedWallAndCpu } from './timing';

const CHILD_FLAG = '--engine-child';

/** Peak and current resident set of a process, in MiB (Linux /proc). */
function procMemoryMb(pid: number): { peakMb: number; rssMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

export interface InspectMemoryResult {
  readonly tokens: number;
  /** Peak RSS of an engine that loaded the model and ran a 4-token inspection. */
  readonly baselinePeakMb: number;
  /** Peak RSS of an engine that loaded the model and ran one `tokens`-token inspection (reply sent). */
  readonly inspectPeakMb: number;
  /** Its RSS after the reply, with the inspection's patterns kept for `headPattern`. */
  readonly keptRssMb: number;
  /** Peak RSS of an engine that ran two such inspections of different prompts, one after the other. */
  readonly secondPeakMb: number;
}

/** One fresh engine process: load, inspect `tokens` tokens, read its memory, stop it. */
async function measureInOwnProcess(modelDir: string, tokens: number, threads: number, inspections = 1): Promise<{ peakMb: number; rssMb: number }> {
  const child: ChildProcess = fork(__filename, [CHILD_FLAG], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [ENGINE_ENV.threads]: String(threads) },
  });
  const client = new EngineClient(() => child as never);
  const engine = client.methods<AttentionEngineMethods>();
  const spec: ModelSpec = { dir: modelDir, displayName: 'bench', layerNorm: 'as_configured', prependBos: true };
  // BOS and tokens − 1 one-token words: exactly `tokens` tokens.
  // Later inspections use other one-token words, so no forward is served from a cache.
  const words = [' the', ' a', ' of', ' and'];
  try {
    for (let i = 0; i < inspections; i++) {
      const text = words[i % words.length].repeat(tokens - 1);
      const r = await engine.call('inspect', { model: spec, inspectionId: `mem${i}`, text, watchTokens: [] }).result;
      if (r.inspection.tokens.length !== tokens) throw new Error(`the bench prompt is ${r.inspection.tokens.length} tokens, not ${tokens}`);
      await engine.call('headPattern', { inspectionId: `mem${i}`, layer: 5, head: 3 }).result;
    }
    const m = procMemoryMb(child.pid ?? -1);
    if (!m) throw new Error('cannot read /proc/<pid>/status: the memory bench needs Linux');
    return m;
  } finally {
    await client.dispose(5000);
  }
}

export async function inspectMemoryBench(modelDir: string, tokens = 1024, threads = 2): Promise<InspectMemoryResult> {
  const base = await measureInOwnProcess(modelDir, 4, threads);
  const big = await measureInOwnProcess(modelDir, tokens, threads);
  const twice = await measureInOwnProcess(modelDir, tokens, threads, 2);
  return { tokens, baselinePeakMb: base.peakMb, inspectPeakMb: big.peakMb, keptRssMb: big.rssMb, secondPeakMb: twice.peakMb };
}

export function inspectMemoryRows(r: InspectMemoryResult): string[] {
  return [
    `| engine process, Inspect Attention | peak RSS (MiB) |`,
    '|---|---|',
    `| model loaded, 4-token inspection | ${fmt(r.baselinePeakMb, 0)} |`,
    `| ${r.tokens}-token inspection (reply sent) | ${fmt(r.inspectPeakMb, 0)} (target ≤ 2560) |`,
    `| after it, patterns kept for \`headPattern\` | ${fmt(r.keptRssMb, 0)} (current RSS) |`,
    `| a second ${r.tokens}-token inspection of another prompt, after the first | ${fmt(r.secondPeakMb, 0)} |`,
  ];
}

export interface HookFreeForwardResult {
  readonly tokens: number;
  /** The logits-only forward as it runs now (no hook outputs, additive mask, weights embedded): median wall and CPU ms. */
  readonly hookFree: { readonly wallMs: number; readonly cpuMs: number };
  /** The same logits through the previous plain graph (every hook an output, `Where` mask, weights embedded). */
  readonly allHooks: { readonly wallMs: number; readonly cpuMs: number };
}

/**
 * The logits-only forward against the graph that served it before variants followed the fetched
 * hooks: the same spec with every hook (but the per-head results) exposed and the `Where` mask,
 * its block weights embedded as in the model's own forward session. Interleaved, same threads.
 */
export async function hookFreeForwardBench(
  loaded: LoadedModel,
  tokenCounts: readonly number[],
  repeat: number,
  threads: number,
): Promise<HookFreeForwardResult[]> {
  const model = loaded.model;
  const c = model.config;
  const allHooks = fullCacheHooks(c.nLayers);
  const masks = new CausalMasks();
  const probe = planRun(c, model.layerNorm, masks, [0], {});
  if (probe.spec.exposedHooks.length !== 0 || probe.spec.attentionMask !== 'additive') throw new Error('a logits-only run no longer plans the hook-free graph');
  const previous = await OrtSession.create(
    encodeOnnxModel(embedWeights(buildGpt2Graph(c, { ...probe.spec, exposedHooks: allHooks, attentionMask: 'where' }), model.weightInputs)),
    'all hooks exposed, Where mask (weights embedded)',
    { threads, spinning: false },
  );
  const out: HookFreeForwardResult[] = [];
  try {
    for (const n of tokenCounts) {
      const tokens = Array.from({ length: n }, (_, i) => (i * 7919) % c.dVocab);
      const { feeds } = planRun(c, model.layerNorm, masks, tokens, {});
      const { [INPUT.causalBias]: _bias, ...rest } = feeds;
      const whereFeeds = { ...rest, [INPUT.causalMask]: masks.get(n) };
      const [hookFree, allHooks] = await interleavedWallAndCpu(
        [() => model.run(tokens), () => previous.run(whereFeeds, [OUTPUT.logits], model.weightInputs)],
        n >= 512 ? Math.max(3, Math.ceil(repeat / 2)) : repeat,
      );
      out.push({ tokens: n, hookFree, allHooks });
    }
  } finally {
    await previous.release();
  }
  return out;
}

export function hookFreeForwardRows(rs: readonly HookFreeForwardResult[]): string[] {
  return [
    '| tokens | logits-only: hook-free graph, additive mask, wall / CPU (ms) | same logits: all-hooks graph, `Where` mask, wall / CPU (ms) | hook-free / all-hooks, wall / CPU |',
    '|---|---|---|---|',
    ...rs.map(
      (r) =>
        `| ${r.tokens} | ${fmt(r.hookFree.wallMs)} / ${fmt(r.hookFree.cpuMs)} | ${fmt(r.allHooks.wallMs)} / ${fmt(r.allHooks.cpuMs)} | ${fmt(r.hookFree.wallMs / r.allHooks.wallMs, 2)}× / ${fmt(r.hookFree.cpuMs / r.allHooks.cpuMs, 2)}× |`,
    ),
  ];
}

/**
 * What building a graph variant costs: the first run of a new fetched-hook class (graph build,
 * encoding, session creation, one 4-token run) minus a second run of it. Hooked variants take the
 * weights as inputs; the hook-free one embeds them (its build includes the copy and ORT's prepacking).
 */
export async function variantBuildBench(loaded: LoadedModel): Promise<{ readonly what: string; readonly buildMs: number }[]> {
  const model = loaded.model;
  const c = model.config;
  const tokens = [50256, 1, 2, 3].map((t) => t % c.dVocab);
  const every = (suffix: BlockHookSuffix) => Array.from({ length: c.nLayers }, (_, l) => blockHook(l, suffix));
  const cases: [string, () => Promise<unknown>][] = [
    ['hook-free forward (weights embedded)', () => model.run(tokens, { logits: [0] })],
    ['attn.hook_pattern at every layer', () => model.runWithCache(tokens, every('attn.hook_pattern'))],
    ['hook_resid_post at every layer', () => model.runWithCache(tokens, every('hook_resid_post'))],
    ['mlp.hook_post at every layer', () => model.runWithCache(tokens, every('mlp.hook_post'))],
  ];
  const out: { what: string; buildMs: number }[] = [];
  for (const [what, f] of cases) {
    const t0 = performance.now();
    await f();
    const first = performance.now() - t0;
    const t1 = performance.now();
    await f();
    out.push({ what, buildMs: first - (performance.now() - t1) });
  }
  return out;
}

export function variantBuildRows(rs: readonly { readonly what: string; readonly buildMs: number }[]): string[] {
  return ['| new graph variant | build + session (ms) |', '|---|---|', ...rs.map((r) => `| ${r.what} | ${fmt(r.buildMs, 0)} |`)];
}

if (process.argv.includes(CHILD_FLAG)) {
  serveOverProcessChannel([attentionEngine]);
} else if (require.main === module) {
  const dir = process.argv[2] ?? join(__dirname, '..', '..', '.bench', 'gpt2-small-random');
  if (!existsSync(join(dir, 'model.safetensors'))) throw new Error(`no model at ${dir}: run npm run bench once to write the random weights`);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  (async () => {
    console.log(inspectMemoryRows(await inspectMemoryBench(dir)).join('\n'));
    const loaded = await loadHookedGpt2(dir, { threads: 2 });
    try {
      console.log(variantBuildRows(await variantBuildBench(loaded)).join('\n'));
      console.log(hookFreeForwardRows(await hookFreeForwardBench(loaded, [64, 1024], 5, 2)).join('\n'));
    } finally {
      await loaded.dispose();
    }
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
