/**
 * Prepacked weights without a second copy (issue 16): what each way of giving onnxruntime-node the
 * blocks' weights costs in memory and buys in speed, for the plain (hook-free) forward. Each case is
 * a fresh process (so memory never mixes), which loads the checkpoint, builds one session and times
 * the forward at 16 and 64 tokens (wall and CPU, medians of 7), then reads its memory from /proc:
 * RSS, its anonymous and file-backed parts, PSS (file pages shared between mappings counted once)
 * and the peak (VmHWM). The cases:
 * - `fed`: weights as graph inputs from the JS buffers (no prepacking; medium and up today);
 * - `embedded`: block weights as initializers in the protobuf (prepacked; GPT-2 small today), also
 *   with glibc's `MALLOC_MMAP_THRESHOLD_=131072` so freed large buffers go back to the system;
 * - `external-memory`: initializers whose data is the JS buffers, handed over as in-memory external
 *   data files (`externalData`): prepacked, and with `session.disable_prepacking` to see the copy;
 * - `mapped-prepacked`: an optimized model saved once by ORT with its prepacked weights in an
 *   external file (`session.save_external_prepacked_constant_initializers`), loaded by path, so ORT
 *   maps the prepacked weights from disk; also with the JS block weights dropped after the session
 *   is built (`+drop`: what a model that keeps no JS copy of the blocks would hold);
 * - `mapped-file`: the block weights in a 64 KiB-aligned file beside the model, loaded by path with
 *   prepacking off: does ORT map them (what hooked variants would need to share one file copy)?
 *
 * Run: `node --import tsx tools/bench/prepackBench.ts [--sizes small,medium] [--cases fed,embedded,...]`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadGpt2Checkpoint } from '../../src/model/checkpoint';
import { CausalMasks } from '../../src/model/causalMasks';
import { buildGpt2Graph } from '../../src/model/graph/gpt2Graph';
import { embedWeights } from '../../src/model/graph/embedWeights';
import { OnnxDataType, encodeOnnxModel, type OnnxGraph } from '../../src/model/graph/onnxModel';
import { OrtSession, type FeedTensor, type OrtSessionOptions } from '../../src/model/ort';
import { planRun } from '../../src/model/runPlan';
import { distinctFeedBytes, makeWeightFeeds } from '../../src/model/weightFeeds';
import { argValue, ensureRandomCheckpoint, loadAverage, parseSizes } from './forwardScaling';
import { fmt } from './timing';

const CHILD_FLAG = '--prepack-child';
const THREADS = 2;
export const PREPACK_CASES = [
  'fed',
  'embedded',
  'embedded+mmap-threshold',
  'external-memory',
  'external-memory+no-prepack',
  'external-memory+mmap-threshold',
  'mapped-prepacked',
  'mapped-prepacked+drop',
  'mapped-file+no-prepack',
] as const;
type PrepackCase = (typeof PREPACK_CASES)[number];

const isBlockWeight = (name: string) => name.startsWith('weight:blocks.');

interface Memory {
  readonly rssMb: number;
  readonly anonMb: number;
  readonly fileMb: number;
  readonly pssMb: number;
  readonly peakMb: number;
}

function memory(): Memory {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  return { rssMb: kb(status, 'VmRSS'), anonMb: kb(status, 'RssAnon'), fileMb: kb(status, 'RssFile'), pssMb: kb(rollup, 'Pss'), peakMb: kb(status, 'VmHWM') };
}

/** The graph's block-weight inputs become initializers whose data is elsewhere: one in-memory file per tensor, or one aligned file. */
function externalize(
  graph: OnnxGraph,
  weights: Readonly<Record<string, FeedTensor>>,
  where: (name: string, bytes: Uint8Array) => { location: string; offset: number },
): OnnxGraph {
  return {
    ...graph,
    inputs: graph.inputs.filter((i) => !isBlockWeight(i.name)),
    initializers: [
      ...graph.initializers,
      ...graph.inputs
        .filter((i) => isBlockWeight(i.name))
        .map((i) => {
          const w = weights[i.name];
          const bytes = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
          const at = where(i.name, bytes);
          return { name: i.name, elemType: OnnxDataType.Float, dims: [...w.dims], raw: new Uint8Array(0), external: { ...at, length: bytes.byteLength } };
        }),
    ],
  };
}

export interface PrepackResult {
  readonly size: string;
  readonly kase: PrepackCase;
  readonly weightMb: number;
  readonly blockWeightMb: number;
  readonly createS: number;
  readonly ms16: { wall: number; cpu: number };
  readonly ms64: { wall: number; cpu: number };
  readonly loaded: Memory;
  readonly after: Memory;
  readonly maxAbsLogitDiff: number | null;
  readonly diskMb?: number;
}

async function child(dir: string, cacheDir: string, kase: PrepackCase, size: string): Promise<PrepackResult> {
  const { config, weights } = await loadGpt2Checkpoint(dir);
  const feeds = makeWeightFeeds(config, weights);
  // the checkpoint's float32 parameters: the per-head view of W_O and a tied unembedding (wte itself) count once
  const weightBytes = distinctFeedBytes(feeds);
  const blockBytes = Object.entries(feeds).reduce((n, [k, f]) => n + (isBlockWeight(k) && !k.includes('by_head') ? f.data.byteLength : 0), 0);
  const loaded = memory();
  const masks = new CausalMasks();
  const plan = (n: number) =>
    planRun(
      config,
      'as_configured',
      masks,
      Array.from({ length: n }, (_, i) => (i * 7919) % config.dVocab),
      {},
    );
  const graph = buildGpt2Graph(config, plan(4).spec);
  const base: OrtSessionOptions = { threads: THREADS, spinning: false };
  const t0 = performance.now();
  let session: OrtSession;
  let diskMb: number | undefined;
  switch (kase) {
    case 'fed':
      session = await OrtSession.create(encodeOnnxModel(graph), kase, base);
      break;
    case 'embedded':
    case 'embedded+mmap-threshold':
      session = await OrtSession.create(encodeOnnxModel(embedWeights(graph, feeds)), kase, base);
      break;
    case 'external-memory':
    case 'external-memory+no-prepack':
    case 'external-memory+mmap-threshold': {
      const files: { path: string; data: Uint8Array }[] = [];
      const g = externalize(graph, feeds, (name, bytes) => {
        files.push({ path: `${files.length}.bin`, data: bytes });
        return { location: `${files.length - 1}.bin`, offset: 0 };
      });
      session = await OrtSession.create(encodeOnnxModel(g), kase, {
        ...base,
        externalData: files,
        ...(kase.endsWith('no-prepack') ? { config: { 'session.disable_prepacking': '1' } } : {}),
      });
      break;
    }
    case 'mapped-prepacked':
    case 'mapped-prepacked+drop': {
      const model = join(cacheDir, 'forward.onnx');
      if (!existsSync(model)) throw new Error(`${model} is missing: the parent builds it first`);
      session = await OrtSession.create(model, kase, base);
      diskMb = statSync(join(cacheDir, 'forward.data')).size / 2 ** 20;
      break;
    }
    case 'mapped-file+no-prepack': {
      const model = join(cacheDir, 'blocks-by-path.onnx');
      if (!existsSync(model)) throw new Error(`${model} is missing: the parent builds it first`);
      session = await OrtSession.create(model, kase, { ...base, config: { 'session.disable_prepacking': '1' } });
      diskMb = statSync(join(cacheDir, 'blocks.bin')).size / 2 ** 20;
      break;
    }
  }
  const createS = (performance.now() - t0) / 1000;
  if (kase.endsWith('+drop')) {
    for (const k of Object.keys(feeds)) if (isBlockWeight(k)) delete feeds[k];
    (weights.blocks as unknown[]).length = 0;
    (globalThis as { gc?: () => void }).gc?.();
  }
  // the reference: the same logits from a fed graph (built after, so it never adds to `after`)
  const time = async (n: number) => {
    const p = plan(n);
    await session.run(p.feeds, p.fetchNames, feeds);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 7; i++) {
      const c0 = process.cpuUsage();
      const t = performance.now();
      await session.run(p.feeds, p.fetchNames, feeds);
      wall.push(performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[3];
    return { wall: med(wall), cpu: med(cpu) };
  };
  const ms16 = await time(16);
  const ms64 = await time(64);
  const p = plan(64);
  const logits = (await session.run(p.feeds, p.fetchNames, feeds))[p.fetchNames[0]].data;
  const after = memory();
  await session.release();
  let maxAbsLogitDiff: number | null = null;
  if (!kase.endsWith('+drop')) {
    const ref = await OrtSession.create(encodeOnnxModel(graph), 'reference', base);
    const want = (await ref.run(p.feeds, p.fetchNames, feeds))[p.fetchNames[0]].data;
    maxAbsLogitDiff = want.reduce((m, v, i) => Math.max(m, Math.abs(v - logits[i])), 0);
    await ref.release();
  }
  return {
    size,
    kase,
    weightMb: weightBytes / 2 ** 20,
    blockWeightMb: blockBytes / 2 ** 20,
    createS,
    ms16,
    ms64,
    loaded,
    after,
    maxAbsLogitDiff,
    ...(diskMb ? { diskMb } : {}),
  };
}

/** Builds the on-disk models the mapped cases load: ORT's optimized forward with prepacked external data, and a by-path model over one aligned blocks file. */
async function prepareMapped(dir: string, cacheDir: string): Promise<{ saveS: number }> {
  mkdirSync(cacheDir, { recursive: true });
  if (existsSync(join(cacheDir, 'forward.onnx')) && existsSync(join(cacheDir, 'blocks-by-path.onnx'))) return { saveS: NaN };
  const { config, weights } = await loadGpt2Checkpoint(dir);
  const feeds = makeWeightFeeds(config, weights);
  const graph = buildGpt2Graph(config, planRun(config, 'as_configured', new CausalMasks(), [0, 1], {}).spec);
  // one aligned file of the block weights, and a model beside it that names them by offset
  const ALIGN = 64 * 1024;
  const fd = openSync(join(cacheDir, 'blocks.bin'), 'w');
  let offset = 0;
  const byPath = externalize(graph, feeds, (_name, bytes) => {
    const at = offset;
    writeSync(fd, bytes, 0, bytes.byteLength, at);
    offset = Math.ceil((at + bytes.byteLength) / ALIGN) * ALIGN;
    return { location: 'blocks.bin', offset: at };
  });
  closeSync(fd);
  writeFileSync(join(cacheDir, 'blocks-by-path.onnx'), encodeOnnxModel(byPath));
  // ORT writes the optimized model with every initializer and its prepacked form to forward.data
  const t0 = performance.now();
  const s = await OrtSession.create(join(cacheDir, 'blocks-by-path.onnx'), 'save prepacked', {
    threads: THREADS,
    spinning: false,
    optimizedModelPath: join(cacheDir, 'forward.onnx'),
    config: {
      'session.optimized_model_external_initializers_file_name': 'forward.data',
      'session.optimized_model_external_initializers_min_size_in_bytes': '1024',
      'session.save_external_prepacked_constant_initializers': '1',
    },
  });
  await s.release();
  return { saveS: (performance.now() - t0) / 1000 };
}

export function prepackRows(rs: readonly PrepackResult[]): string[] {
  const m = (x: Memory) => `${fmt(x.rssMb, 0)} (${fmt(x.anonMb, 0)} + ${fmt(x.fileMb, 0)}) / ${fmt(x.pssMb, 0)}`;
  return [
    '| size | case | session build (s) | forward 16 / 64 tok, wall (ms) | CPU (ms) | RSS (anon + file) / PSS after, MiB | peak MiB | RSS / f32 weights | max abs logit diff vs fed | on disk (MiB) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rs.map(
      (r) =>
        `| ${r.size} | ${r.kase} | ${fmt(r.createS, 1)} | ${fmt(r.ms16.wall)} / ${fmt(r.ms64.wall)} | ${fmt(r.ms16.cpu)} / ${fmt(r.ms64.cpu)} | ${m(r.after)} | ${fmt(r.after.peakMb, 0)} | ${fmt(
          r.after.rssMb / r.weightMb,
          2,
        )}× | ${r.maxAbsLogitDiff == null || Number.isNaN(r.maxAbsLogitDiff) ? '—' : r.maxAbsLogitDiff.toExponential(1)} | ${r.diskMb ? fmt(r.diskMb, 0) : ''} |`,
    ),
  ];
}

async function main(): Promise<void> {
  const sizes = parseSizes(argValue('--sizes'));
  const cases = (argValue('--cases')?.split(',') ?? [...PREPACK_CASES]) as PrepackCase[];
  console.log(`load average ${loadAverage()}`);
  const results: PrepackResult[] = [];
  for (const size of sizes) {
    const dir = await ensureRandomCheckpoint(size);
    const cacheDir = join(__dirname, '..', '..', '.bench', `prepacked-${size}`);
    if (cases.some((c) => c.startsWith('mapped'))) {
      const { saveS } = await prepareMapped(dir, cacheDir);
      if (!Number.isNaN(saveS)) console.log(`${size}: ORT saved the optimized forward with prepacked external data in ${fmt(saveS, 1)} s`);
    }
    for (const kase of cases) {
      const env = { ...process.env, ...(kase.includes('mmap-threshold') ? { MALLOC_MMAP_THRESHOLD_: '131072' } : {}) };
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', __filename, CHILD_FLAG, dir, cacheDir, kase, size], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.log(`${size} ${kase}: failed (${r.status}): ${r.stderr.slice(-600)}`);
        continue;
      }
      results.push(JSON.parse(line) as PrepackResult);
      console.log(prepackRows(results.slice(-1))[2]);
    }
  }
  console.log(`\nload average ${loadAverage()}`);
  console.log(prepackRows(results).join('\n'));
}

if (process.argv[2] === CHILD_FLAG) {
  const [dir, cacheDir, kase, size] = process.argv.slice(3);
  child(dir, cacheDir, kase as PrepackCase, size)
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
} else if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
