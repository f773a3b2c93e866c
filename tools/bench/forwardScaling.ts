/**
 * The forward at every GPT-2 size (issue 16's benchmarks): for each size asked (`--sizes
 * small,medium,large,xl`; random weights of that shape written once under `.bench/`), a fresh engine
 * process loads the model and times the logits-only forward at each token count (`--tokens
 * 16,64,256,1024`), interleaved round by round with PyTorch eager on the same weights (a
 * `bench_torch.py --serve` process), wall and CPU time. Also, in the same run:
 * - a peak to compare with: a 2048³ float32 MatMul through onnxruntime with the same threads (its
 *   B operand an initializer, so prepacked), before and after the sizes;
 * - GFLOP/s of each forward (2 × `forwardMultiplyAdds`) and its share of that peak;
 * - the engine process's RSS (current and peak) against the checkpoint's float32 weights;
 * - the CPU's model, flags (avx2, fma, avx512f, …) and the load average, printed with the results.
 *
 * Run alone: `node --import tsx tools/bench/forwardScaling.ts [--sizes small,medium] [--tokens 16,64] [--quick]`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { OnnxDataType, encodeOnnxModel } from '../../src/model/graph/onnxModel';
import { OrtSession } from '../../src/model/ort';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { GPT2_SIZES, gpt2ParameterCount, writeRandomGpt2Checkpoint, type Gpt2SizeName } from './randomCheckpoint';
import { forwardMultiplyAdds } from './residualBench';
import { fmt } from './timing';
import { torchAvailable } from './torchBaseline';

const CHILD_FLAG = '--forward-child';
/** f32 weight copies (ours ~1.4 at its peak, PyTorch's loader up to ~3 while it reads: xl filled 23 GB) that must fit in memory to run the two side by side. */
const SIDE_BY_SIDE_WEIGHT_COPIES = 4.5;
const PYTHON = '/usr/bin/python3';

/** The SIMD flags that decide fp32 and int8 matmul speed, as /proc/cpuinfo spells them. */
const INTERESTING_FLAGS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx_vnni',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx512_bf16',
  'amx_tile',
  'amx_bf16',
  'amx_int8',
];

export interface CpuDescription {
  readonly model: string;
  readonly logicalCpus: number;
  /** The interesting flags this CPU has, in INTERESTING_FLAGS order. */
  readonly flags: readonly string[];
}

/** Parses /proc/cpuinfo text (the first processor's flags); exported for tests. */
export function parseCpuInfo(text: string): { model: string; flags: string[] } {
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  const have = new Set((/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/));
  return { model, flags: INTERESTING_FLAGS.filter((f) => have.has(f)) };
}

export function describeCpu(): CpuDescription {
  let parsed = { model: cpus()[0]?.model ?? 'unknown', flags: [] as string[] };
  try {
    parsed = parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux: the model from os.cpus(), no flags
  }
  return { model: parsed.model, logicalCpus: availableParallelism(), flags: parsed.flags };
}

export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
}

/** GFLOP/s of a 2048³ float32 MatMul through onnxruntime (B an initializer, prepacked), median of `repeat` after one warm-up. */
export async function peakMatMulGflops(threads: number, repeat = 5, n = 2048): Promise<{ gflops: number; wallMs: number; cpuMs: number }> {
  const b = new Float32Array(n * n).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const a = new Float32Array(n * n).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
  const bytes = encodeOnnxModel({
    name: 'peak',
    nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'], name: 'mm', attributes: {} }],
    inputs: [{ name: 'a', elemType: OnnxDataType.Float, dims: [n, n] }],
    outputs: [{ name: 'c', elemType: OnnxDataType.Float, dims: [n, n] }],
    initializers: [{ name: 'b', elemType: OnnxDataType.Float, dims: [n, n], raw: new Uint8Array(b.buffer) }],
  });
  const s = await OrtSession.create(bytes, `peak ${n}³ MatMul`, { threads, spinning: false });
  try {
    const feeds = { a: { type: 'float32' as const, dims: [n, n], data: a } };
    await s.run(feeds, ['c']);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await s.run(feeds, ['c']);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const wallMs = median(wall);
    return { gflops: (2 * n ** 3) / (wallMs / 1000) / 1e9, wallMs, cpuMs: median(cpu) };
  } finally {
    await s.release();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface SizeResult {
  readonly size: Gpt2SizeName;
  readonly parameters: number;
  /** Bytes of the checkpoint's parameters as float32. */
  readonly weightBytes: number;
  readonly loadS: number;
  /** PyTorch ran after ours instead of interleaved (the two did not fit in memory together). */
  readonly sequential?: boolean;
  readonly rows: readonly {
    readonly tokens: number;
    readonly oursWallMs: number;
    readonly oursCpuMs: number;
    readonly torchWallMs?: number;
    readonly torchCpuMs?: number;
    /** 2 × multiply-adds of the forward (logits at the last position). */
    readonly flop: number;
  }[];
  /** Engine process RSS after every forward, and its peak, MiB. */
  readonly rssMb: number;
  readonly peakRssMb: number;
}

interface ChildRequest {
  readonly tokens: number;
  readonly repeat: number;
}
type ChildReply = { ready: true; loadS: number } | { tokens: number; wall: number[]; cpu: number[] } | { rssMb: number; peakRssMb: number } | { error: string };

/** One request to the forward child, one reply. */
function ask(child: ChildProcess, msg: ChildRequest | { memory: true } | undefined): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildReply) => {
      child.off('exit', onExit);
      if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    };
    const onExit = (code: number) => reject(new Error(`the forward child exited (${code})`));
    child.once('message', onMessage);
    child.once('exit', onExit);
    if (msg) child.send(msg);
  });
}

/** A `bench_torch.py --serve` process on the same weights: one JSON line per "TOKENS REPEAT" line. */
function startTorch(
  dir: string,
  threads: number,
): { ask(tokens: number, repeat: number): Promise<{ wall: number[]; cpu: number[] }>; stop(): void; ready: Promise<void> } {
  const script = join(__dirname, '..', 'reference', 'bench_torch.py');
  const p = spawn(PYTHON, [script, '--checkpoint', dir, '--serve', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: p.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const ready = next().then(() => undefined);
  return {
    ready,
    async ask(tokens, repeat) {
      const line = next();
      p.stdin.write(`${tokens} ${repeat}\n`);
      const r = JSON.parse(await line) as { wall_ms: number[]; cpu_ms: number[]; error?: string };
      if (r.error) throw new Error(`bench_torch.py: ${r.error}`);
      return { wall: r.wall_ms, cpu: r.cpu_ms };
    },
    stop() {
      p.stdin.end('\n');
    },
  };
}

export function randomCheckpointDir(size: Gpt2SizeName): string {
  return join(__dirname, '..', '..', '.bench', `gpt2-${size}-random`);
}

/** Writes the size's random weights once (never committed: `.bench/` is ignored). */
export async function ensureRandomCheckpoint(size: Gpt2SizeName): Promise<string> {
  const dir = randomCheckpointDir(size);
  if (!existsSync(join(dir, 'model.safetensors'))) {
    console.log(`writing GPT-2-${size}-sized random weights to ${dir} ...`);
    await writeRandomGpt2Checkpoint(dir, GPT2_SIZES[size]);
  }
  return dir;
}

/**
 * One size: a fresh engine process, and PyTorch when installed; `rounds` rounds of (ours × repeat,
 * PyTorch × repeat) per token count, medians over every round's runs.
 */
export async function forwardScalingForSize(
  size: Gpt2SizeName,
  tokenCounts: readonly number[],
  options: { threads: number; repeat: number; rounds?: number; torch?: boolean },
): Promise<SizeResult> {
  const dir = await ensureRandomCheckpoint(size);
  const shape = GPT2_SIZES[size];
  const parameters = gpt2ParameterCount(shape);
  // Both processes hold the weights (ours about 1.4×, PyTorch's at least 1×): when the two would not
  // fit in the machine's memory together (xl: 6.2 GB of f32 weights on a 23 GB machine), PyTorch
  // runs after ours has exited instead of interleaved, round by round.
  const sequential = parameters * 4 * SIDE_BY_SIDE_WEIGHT_COPIES > totalmem();
  const torchOn = !!options.torch && torchAvailable();
  const child = fork(__filename, [CHILD_FLAG, dir, String(options.threads)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let torch = torchOn && !sequential ? startTorch(dir, options.threads) : undefined;
  const repeatFor = (n: number) => (n >= 1024 ? Math.max(2, Math.ceil(options.repeat / 2)) : options.repeat);
  const rounds = options.rounds ?? 2;
  const ours = new Map(tokenCounts.map((n) => [n, { wall: [] as number[], cpu: [] as number[] }]));
  const theirs = new Map(tokenCounts.map((n) => [n, { wall: [] as number[], cpu: [] as number[] }]));
  const add = (into: { wall: number[]; cpu: number[] }, r: { wall: number[]; cpu: number[] }) => {
    into.wall.push(...r.wall);
    into.cpu.push(...r.cpu);
  };
  let ready: { loadS: number };
  let mem: { rssMb: number; peakRssMb: number };
  try {
    ready = (await ask(child, undefined)) as { loadS: number };
    console.error(`${size}: loaded in ${fmt(ready.loadS, 1)} s${torch ? '; waiting for PyTorch…' : ''}`);
    await torch?.ready;
    for (const n of tokenCounts) {
      for (let r = 0; r < rounds; r++) {
        add(ours.get(n)!, (await ask(child, { tokens: n, repeat: repeatFor(n) })) as { wall: number[]; cpu: number[] });
        if (torch) add(theirs.get(n)!, await torch.ask(n, repeatFor(n)));
      }
      console.error(
        `${size}, ${n} tokens: ours ${fmt(median(ours.get(n)!.wall), 0)} ms${torch ? `, PyTorch ${fmt(median(theirs.get(n)!.wall), 0)} ms` : ''} (wall, median)`,
      );
    }
    mem = (await ask(child, { memory: true })) as { rssMb: number; peakRssMb: number };
  } finally {
    torch?.stop();
    child.kill();
  }
  if (torchOn && sequential) {
    console.error(`${size}: PyTorch after ours (the two would not fit in memory together)…`);
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    torch = startTorch(dir, options.threads);
    try {
      await torch.ready;
      for (const n of tokenCounts) {
        for (let r = 0; r < rounds; r++) add(theirs.get(n)!, await torch.ask(n, repeatFor(n)));
        console.error(`${size}, ${n} tokens: PyTorch ${fmt(median(theirs.get(n)!.wall), 0)} ms (wall, median)`);
      }
    } finally {
      torch.stop();
    }
  }
  const c = {
    nLayers: shape.nLayer,
    nHeads: shape.nHead,
    dHead: shape.nEmbd / shape.nHead,
    dModel: shape.nEmbd,
    dMlp: 4 * shape.nEmbd,
    dVocab: shape.vocabSize,
  };
  const rows: SizeResult['rows'][number][] = tokenCounts.map((n) => ({
    tokens: n,
    oursWallMs: median(ours.get(n)!.wall),
    oursCpuMs: median(ours.get(n)!.cpu),
    ...(torchOn ? { torchWallMs: median(theirs.get(n)!.wall), torchCpuMs: median(theirs.get(n)!.cpu) } : {}),
    flop: 2 * forwardMultiplyAdds(c as never, n, 1),
  }));
  return { size, parameters, weightBytes: parameters * 4, loadS: ready.loadS, rows, sequential: torchOn && sequential, ...mem };
}

export interface Peak {
  /** GFLOP/s of the 2048³ MatMul on wall time. */
  readonly gflops: number;
  /** GFLOP per CPU-second (all threads): the peak's work rate, less moved by other processes than wall time. */
  readonly gflopPerCpuS: number;
}

export function peakOf(p: { gflops: number; wallMs: number; cpuMs: number }): Peak {
  return { gflops: p.gflops, gflopPerCpuS: (p.gflops * p.wallMs) / p.cpuMs };
}

/**
 * Shares of the peak two ways: GFLOP/s on wall time over the peak's, and GFLOP per CPU-second over
 * the peak's (on a loaded machine the second is the steadier; a spinning pool inflates CPU time).
 */
export function forwardScalingRows(results: readonly SizeResult[], peak: Peak): string[] {
  const out = [
    '| size | tokens | ours wall / CPU (ms) | PyTorch eager wall / CPU (ms) | ours / PyTorch, wall / CPU | ours GFLOP/s, share of peak wall / CPU | PyTorch GFLOP/s, share wall / CPU |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const row of r.rows) {
      const gflop = row.flop / 1e9;
      const share = (wallMs: number, cpuMs: number) =>
        `${fmt(gflop / (wallMs / 1000), 1)}, ${fmt((100 * gflop) / (wallMs / 1000) / peak.gflops, 0)}% / ${fmt((100 * gflop) / (cpuMs / 1000) / peak.gflopPerCpuS, 0)}%`;
      const t = row.torchWallMs !== undefined && row.torchCpuMs !== undefined;
      out.push(
        `| ${r.size} | ${row.tokens} | ${fmt(row.oursWallMs)} / ${fmt(row.oursCpuMs)} | ${t ? `${fmt(row.torchWallMs!)} / ${fmt(row.torchCpuMs!)}` : 'n/a'} | ${
          t ? `${fmt(row.oursWallMs / row.torchWallMs!, 2)}× / ${fmt(row.oursCpuMs / row.torchCpuMs!, 2)}×` : 'n/a'
        } | ${share(row.oursWallMs, row.oursCpuMs)} | ${t ? share(row.torchWallMs!, row.torchCpuMs!) : 'n/a'} |`,
      );
    }
  }
  out.push('');
  out.push('| size | parameters | f32 weights (MiB) | load (s) | engine RSS after the forwards / peak (MiB) | RSS / f32 weights (target ≤ 1.3×) |');
  out.push('|---|---|---|---|---|---|');
  for (const r of results) {
    const w = r.weightBytes / 2 ** 20;
    out.push(
      `| ${r.size} | ${(r.parameters / 1e6).toFixed(0)} M | ${fmt(w, 0)} | ${fmt(r.loadS, 2)} | ${fmt(r.rssMb, 0)} / ${fmt(r.peakRssMb, 0)} | ${fmt(r.rssMb / w, 2)}× / ${fmt(r.peakRssMb / w, 2)}× |`,
    );
  }
  const sequential = results.filter((r) => r.sequential).map((r) => r.size);
  if (sequential.length)
    out.push('', `PyTorch ran after ours, not interleaved, for ${sequential.join(', ')}: the two processes would not fit in memory together.`);
  return out;
}

export function machineLines(cpu: CpuDescription, threads: number, peak: Peak, peakAfter?: Peak): string[] {
  const p = (x: Peak) => `${fmt(x.gflops, 1)} GFLOP/s (${fmt(x.gflopPerCpuS, 1)} GFLOP per CPU-second)`;
  return [
    `- CPU: ${cpu.model}, ${cpu.logicalCpus} logical CPUs; flags: ${cpu.flags.join(', ') || 'unknown'}; ${threads} threads`,
    `- peak: 2048³ float32 MatMul through onnxruntime: ${p(peak)}${peakAfter ? ` before the sizes, ${p(peakAfter)} after` : ''}`,
    `- load average: ${loadAverage()} (1 / 5 / 15 min)`,
  ];
}

/** Every size asked, one after another (each in its own process, so their memory never mixes). */
export async function forwardScalingBench(
  sizes: readonly Gpt2SizeName[],
  tokenCounts: readonly number[],
  options: { threads: number; repeat: number; rounds?: number },
): Promise<string[]> {
  const cpu = describeCpu();
  const loadBefore = loadAverage();
  const before = peakOf(await peakMatMulGflops(options.threads));
  const results: SizeResult[] = [];
  for (const size of sizes) {
    results.push(await forwardScalingForSize(size, tokenCounts, { ...options, torch: true }));
    console.log(
      forwardScalingRows(results.slice(-1), before)
        .slice(0, 2 + tokenCounts.length)
        .join('\n'),
    );
  }
  const after = peakOf(await peakMatMulGflops(options.threads));
  const peak = { gflops: Math.max(before.gflops, after.gflops), gflopPerCpuS: Math.max(before.gflopPerCpuS, after.gflopPerCpuS) };
  return [
    ...machineLines(cpu, options.threads, before, after),
    `- load average when the sizes started: ${loadBefore}`,
    `- shares below are of the higher peak (${fmt(peak.gflops, 1)} GFLOP/s, ${fmt(peak.gflopPerCpuS, 1)} GFLOP per CPU-second)`,
    '',
    ...forwardScalingRows(results, peak),
  ];
}

/** `--sizes small,medium` → the sizes; unknown names are an error that lists the known ones. */
export function parseSizes(arg: string | undefined): Gpt2SizeName[] {
  if (!arg) return ['small'];
  const names = arg.split(',').map((s) => s.trim()) as Gpt2SizeName[];
  const bad = names.filter((s) => !(s in GPT2_SIZES));
  if (bad.length) throw new Error(`unknown size(s) ${bad.join(', ')}: use ${Object.keys(GPT2_SIZES).join(', ')}`);
  return names;
}

export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function childMain(dir: string, threads: number): Promise<void> {
  const t0 = performance.now();
  const loaded = await loadHookedGpt2(dir, { threads });
  await loaded.model.run([0, 1, 2, 3]); // builds the forward session
  const loadS = (performance.now() - t0) / 1000;
  const send = (m: ChildReply) => process.send!(m);
  send({ ready: true, loadS });
  process.on('message', (m: ChildRequest | { memory: true }) => {
    void (async () => {
      try {
        if ('memory' in m) {
          const status = readFileSync('/proc/self/status', 'utf8');
          const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
          send({ rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 });
          return;
        }
        const tokens = Array.from({ length: m.tokens }, (_, i) => (i * 7919) % loaded.model.config.dVocab);
        await loaded.model.run(tokens);
        const wall: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i < m.repeat; i++) {
          const c0 = process.cpuUsage();
          const t = performance.now();
          await loaded.model.run(tokens);
          wall.push(performance.now() - t);
          const c = process.cpuUsage(c0);
          cpu.push((c.user + c.system) / 1000);
        }
        send({ tokens: m.tokens, wall, cpu });
      } catch (e) {
        send({ error: (e as Error).message });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === CHILD_FLAG) {
  childMain(process.argv[3], Number(process.argv[4])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const tokens = (argValue('--tokens') ?? '16,64,256,1024').split(',').map(Number);
  forwardScalingBench(parseSizes(argValue('--sizes')), tokens, { threads: Math.min(2, availableParallelism()), repeat: quick ? 3 : 5 })
    .then((lines) => console.log('\n' + lines.join('\n')))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
