/**
 * Thread-pool settings chosen by measurement (issue 16): onnxruntime's intra-op spinning and its CPU
 * memory arena, for a single forward in a tight loop, for two sessions that alternate (a plain
 * forward and a hooked variant, as Inspect Attention then a sweep would), and for a batched
 * patching sweep (`runPatchingSweeps`, every head's z). Each setting is its own process holding
 * the GPT-2-small-sized random model (2 threads); the parent runs the processes in turn, round by
 * round, so every setting sees the same machine; wall and process CPU time (all threads), medians.
 *
 * Run: `node --import tsx tools/bench/threadBench.ts [--rounds 3] [--repeat 5]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CausalMasks } from '../../src/model/causalMasks';
import { embedWeights } from '../../src/model/graph/embedWeights';
import { buildGpt2Graph } from '../../src/model/graph/gpt2Graph';
import { encodeOnnxModel } from '../../src/model/graph/onnxModel';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { OrtSession } from '../../src/model/ort';
import { planRun } from '../../src/model/runPlan';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { blockHook } from '../../src/shared/hookNames';
import { argValue, ensureRandomCheckpoint, loadAverage } from './forwardScaling';
import { fmt } from './timing';

const CHILD_FLAG = '--thread-child';
const THREADS = 2;

interface Setting {
  readonly name: string;
  readonly spinning: boolean;
  readonly memArena: boolean;
}
const SETTINGS: readonly Setting[] = [
  { name: 'no spinning, no arena (now)', spinning: false, memArena: false },
  { name: 'spinning, no arena', spinning: true, memArena: false },
  { name: 'no spinning, arena', spinning: false, memArena: true },
  { name: 'spinning, arena', spinning: true, memArena: true },
];

type Task = 'forward16' | 'forward64' | 'forward1024' | 'alternate64' | 'sweepZ32';
const TASKS: readonly Task[] = ['forward16', 'forward64', 'forward1024', 'alternate64', 'sweepZ32'];

interface Times {
  wall: number[];
  cpu: number[];
}

/** The child: the model's plain forward as its own session with this setting, and a HookedGpt2 with the same spinning for the hooked/sweep tasks. */
async function childMain(dir: string, setting: Setting): Promise<void> {
  const loaded: LoadedModel = await loadHookedGpt2(dir, { threads: THREADS, spinning: setting.spinning });
  const m = loaded.model;
  const c = m.config;
  const masks = new CausalMasks();
  const forward = await OrtSession.create(
    encodeOnnxModel(embedWeights(buildGpt2Graph(c, planRun(c, m.layerNorm, masks, [0], {}).spec), m.weightInputs)),
    'forward',
    {
      threads: THREADS,
      spinning: setting.spinning,
      memArena: setting.memArena,
    },
  );
  const ids = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? c.bosTokenId : (i * 7919) % c.dVocab));
  const runForward = (n: number) => {
    const p = planRun(c, m.layerNorm, masks, ids(n), {});
    return forward.run(p.feeds, p.fetchNames, m.weightInputs);
  };
  const clean = ids(32);
  const corrupt = clean.map((t, i) => (i === 12 ? (t + 1) % c.dVocab : t));
  const metric = logitDifference(11, 13);
  const fns: Record<Task, () => Promise<unknown>> = {
    forward16: () => runForward(16),
    forward64: () => runForward(64),
    forward1024: () => runForward(1024),
    // a plain forward, then a hooked variant (another session), as one step
    alternate64: async () => {
      await runForward(64);
      await m.runWithCache(ids(64), [blockHook(6, 'hook_resid_post')]);
    },
    sweepZ32: () => runPatchingSweeps(m, { clean, corrupt, metric, sweeps: ['z'], directions: ['denoise'] }),
  };
  for (const f of Object.values(fns)) await f(); // build every session once
  process.send!({ ready: true });
  process.on('message', (msg: { task: Task; repeat: number } | { memory: true }) => {
    void (async () => {
      if ('memory' in msg) {
        const status = readFileSync('/proc/self/status', 'utf8');
        const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
        process.send!({ rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 });
        return;
      }
      const t: Times = { wall: [], cpu: [] };
      for (let i = 0; i < msg.repeat; i++) {
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        await fns[msg.task]();
        t.wall.push(performance.now() - w0);
        const d = process.cpuUsage(c0);
        t.cpu.push((d.user + d.system) / 1000);
      }
      process.send!(t);
    })();
  });
  process.on('disconnect', () => process.exit(0));
}

function ask<T>(child: ChildProcess, msg?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`thread child exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    if (msg) child.send(msg);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const rounds = Number(argValue('--rounds') ?? 3);
  const repeat = Number(argValue('--repeat') ?? 5);
  const dir = await ensureRandomCheckpoint('small');
  const loadStart = loadAverage();
  const children: ChildProcess[] = [];
  const times = SETTINGS.map(() => Object.fromEntries(TASKS.map((t) => [t, { wall: [], cpu: [] } as Times])) as Record<Task, Times>);
  try {
    for (const s of SETTINGS) {
      const child = fork(__filename, [CHILD_FLAG, dir, JSON.stringify(s)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      await ask(child);
    }
    for (let r = 0; r < rounds; r++) {
      for (const task of TASKS) {
        const rep = task === 'forward1024' || task === 'sweepZ32' ? Math.max(1, Math.ceil(repeat / 3)) : repeat;
        for (let i = 0; i < SETTINGS.length; i++) {
          const t = await ask<Times>(children[i], { task, repeat: rep });
          times[i][task].wall.push(...t.wall);
          times[i][task].cpu.push(...t.cpu);
        }
      }
    }
    const mem = await Promise.all(children.map((ch) => ask<{ rssMb: number; peakMb: number }>(ch, { memory: true })));
    const header = `| setting | ${TASKS.map((t) => `${t} wall / CPU (ms)`).join(' | ')} | RSS / peak (MiB) |`;
    console.log(`\nload average ${loadStart} at the start, ${loadAverage()} at the end; ${rounds} rounds, ${THREADS} threads`);
    console.log(header);
    console.log(`|${'---|'.repeat(TASKS.length + 2)}`);
    SETTINGS.forEach((s, i) => {
      const base = times[0];
      const cells = TASKS.map((t) => {
        const w = median(times[i][t].wall);
        const cpu = median(times[i][t].cpu);
        const rel = i === 0 ? '' : ` (${fmt(w / median(base[t].wall), 2)}× / ${fmt(cpu / median(base[t].cpu), 2)}×)`;
        return `${fmt(w)} / ${fmt(cpu)}${rel}`;
      });
      console.log(`| ${s.name} | ${cells.join(' | ')} | ${fmt(mem[i].rssMb, 0)} / ${fmt(mem[i].peakMb, 0)} |`);
    });
  } finally {
    for (const ch of children) ch.kill();
  }
}

if (process.argv[2] === CHILD_FLAG) {
  childMain(process.argv[3], JSON.parse(process.argv[4]) as Setting).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
