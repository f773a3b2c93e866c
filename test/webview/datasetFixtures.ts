/**
 * A synthetic prompt set for the dataset panel harness: docstring pairs (` :param a:` … with the
 * names randomised in the corrupt prompt) whose per-pair tables look like a real run: a few heads
 * carry the effect (one in both directions, two only when denoising, one only when noising, one
 * whose pairs disagree so its standard error is wide), the residual stream moves from the slots to
 * the last position with depth. Means, standard errors, restored fractions and per-pair values are
 * computed from the per-pair tables as the engine does.
 */
import {
  POSITION_SWEEPS,
  positionSweepsNote,
  SWEEP_KINDS,
  type DatasetParams,
  type DatasetSummary,
  type DatasetTable,
  type PairInfo,
  type PatchDirection,
  type PositionLabel,
  type SweepKind,
  type SummaryParams,
} from '../../src/features/dataset/shared/protocol';
import { mulberry32 } from '../../tools/seededRandom';

export interface DatasetFixtureOptions {
  readonly nPairs?: number;
  readonly nLayers?: number;
  readonly nHeads?: number;
  /** Tokens per prompt (equal across pairs unless `mixedLengths`). */
  readonly nPos?: number;
  /** Pairs of 31–44 tokens: position sweeps are left out, with the note. */
  readonly mixedLengths?: boolean;
  /** Clean and corrupt metrics with the same mean: raw values only. */
  readonly zeroGap?: boolean;
  /** A cancelled run: the tables and summary cover this many finished pairs. */
  readonly partialDone?: number;
  /** The corrupt prompts score higher than the clean ones (the answer and wrong tokens swapped). */
  readonly reversed?: boolean;
  /** Widely spread per-pair metrics whose mean gap (0.9 nats) is within 2 standard errors of zero, though not small. */
  readonly noisyGap?: boolean;
  readonly seed?: number;
}

const NAMES = ['self', 'factor', 'shape', 'index', 'items', 'count', 'value', 'size', 'name', 'path', 'key', 'data', 'rect', 'mode', 'limit', 'width'];
const OTHER = ['x', 'y', 'node', 'token', 'batch', 'axis', 'scale', 'level', 'port', 'step', 'field', 'label', 'state', 'group'];

const TEMPLATE = [
  'BOS',
  'def',
  ' f',
  '(',
  'A',
  ',',
  'B',
  ',',
  'C',
  '):',
  '\n',
  '   ',
  ' """',
  'Compute',
  ' the',
  ' result',
  '.',
  '\n',
  '\n',
  '   ',
  ' :',
  'param',
  ' a',
  ':',
  ' first',
  '\n',
  '   ',
  ' :',
  'param',
  ' b',
  ':',
  ' second',
  '\n',
  '   ',
  ' :',
  'param',
  ' c',
  ':',
  ' third',
  '\n',
];
/** Positions filled per pair: the arguments and the docstring's names. */
const SLOT_OF: Readonly<Record<number, 'A' | 'B' | 'C' | 'a' | 'b'>> = { 4: 'A', 6: 'B', 8: 'C', 22: 'a', 29: 'b' };

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

function gauss(rand: () => number): number {
  const u = Math.max(1e-9, rand());
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Mean, standard error (sample sd / √n, 0 when n < 2) of each cell over the rows of `perPair` ([n, cells]). */
function stats(perPair: Float32Array, n: number, cells: number): { mean: Float32Array; se: Float32Array } {
  const mean = new Float32Array(cells);
  const se = new Float32Array(cells);
  for (let c = 0; c < cells; c++) {
    let s = 0;
    for (let p = 0; p < n; p++) s += perPair[p * cells + c];
    const m = s / n;
    let v = 0;
    for (let p = 0; p < n; p++) v += (perPair[p * cells + c] - m) ** 2;
    mean[c] = m;
    se[c] = n < 2 ? 0 : Math.sqrt(v / (n - 1) / n);
  }
  return { mean, se };
}

export interface DatasetFixture {
  readonly dataset: DatasetParams;
  readonly summary: SummaryParams;
  tables(source: DatasetTable['source']): DatasetTable[];
}

export function makeDatasetFixture(o: DatasetFixtureOptions = {}): DatasetFixture {
  const rand = mulberry32(o.seed ?? 12);
  const N = o.nPairs ?? 50;
  const L = o.nLayers ?? 12;
  const H = o.nHeads ?? 12;
  const P = o.nPos ?? TEMPLATE.length;
  const done = Math.min(N, o.partialDone ?? N);

  // Pairs: the clean prompt names its arguments, the corrupt one randomises the docstring's names.
  const pairs: PairInfo[] = [];
  for (let i = 0; i < N; i++) {
    const [A, B, C] = [0, 0, 0].map(() => pick(rand, NAMES));
    const [a2, b2] = [pick(rand, OTHER), pick(rand, OTHER)];
    const extra = o.mixedLengths ? Math.floor(rand() * 14) - 9 : 0;
    const desc = extra > 0 ? ' the result' + ' again'.repeat(extra) : ' the result';
    const body = (x: string, y: string) => `def f(${A}, ${B}, ${C}):\n    """Compute${desc}.\n\n    :param ${x}: first\n    :param ${y}: second\n    :param`;
    pairs.push({
      line: i + 1,
      clean: body(A, B),
      corrupt: body(a2, b2),
      answer: ` ${C}`,
      wrong: ` ${a2}`,
      n_tokens: o.mixedLengths ? Math.max(31, Math.min(44, 40 + extra)) : P,
    });
  }
  const lengths = pairs.map((p) => p.n_tokens);
  const equal = lengths.every((n) => n === lengths[0]);
  const positions: PositionLabel[] | null = equal
    ? Array.from({ length: P }, (_, i) => {
        const t = TEMPLATE[i] ?? '·';
        const slot = SLOT_OF[i];
        return { text: slot ? ` ${NAMES[i % NAMES.length]}` : t === 'BOS' ? '<|endoftext|>' : t, varies: slot !== undefined };
      })
    : null;
  const sweeps = equal ? SWEEP_KINDS : SWEEP_KINDS.filter((s) => !POSITION_SWEEPS.includes(s));
  const notes = equal ? [] : [positionSweepsNote(POSITION_SWEEPS, lengths)];

  // Per-pair metrics of the finished pairs.
  const metricClean = new Float32Array(done);
  const metricCorrupt = new Float32Array(done);
  for (let p = 0; p < done; p++) {
    metricClean[p] = (o.zeroGap ? 1.1 : o.reversed ? -0.6 : 3.4) + 0.9 * gauss(rand);
    metricCorrupt[p] = (o.zeroGap ? 1.1 : o.reversed ? 3.4 : -0.6) + 0.7 * gauss(rand);
  }
  const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
  if (o.noisyGap) {
    // Per-pair gaps spread by about 5.7 nats: the mean gap of 0.9 has a standard error near 0.8.
    for (let p = 0; p < done; p++) {
      metricClean[p] = 1.9 + 4 * gauss(rand);
      metricCorrupt[p] = 1 + 4 * gauss(rand);
    }
    const [mc, mk] = [mean(metricClean), mean(metricCorrupt)];
    for (let p = 0; p < done; p++) {
      metricClean[p] += 1.9 - mc;
      metricCorrupt[p] += 1 - mk;
    }
  }
  if (o.zeroGap) {
    // Both means exactly 1.1: the set has no gap even though single pairs do.
    const [mc, mk] = [mean(metricClean), mean(metricCorrupt)];
    for (let p = 0; p < done; p++) {
      metricClean[p] += 1.1 - mc;
      metricCorrupt[p] += 1.1 - mk;
    }
  }
  const meanClean = o.zeroGap ? 1.1 : mean(metricClean);
  const meanCorrupt = o.zeroGap ? 1.1 : mean(metricCorrupt);
  let beats = 0;
  for (let p = 0; p < done; p++) if (metricClean[p] > metricCorrupt[p]) beats++;
  const summary: DatasetSummary = { pairs: done, metricClean, metricCorrupt, meanClean, meanCorrupt, cleanBeatsCorrupt: beats / done, zeroGap: !!o.zeroGap };

  const h = (l: number, k: number) => ({ l: l % L, k: k % H });
  const at = (l: number, k: number) => h(l, k).l * H + h(l, k).k;
  /** Share of its gap a head's patch moves, per direction, and how much the pairs disagree. */
  const headEffect = new Map<number, { denoise: number; noise: number; spread: number }>([
    [at(9, 6), { denoise: 0.62, noise: 0.55, spread: 0.12 }],
    [at(9, 9), { denoise: 0.58, noise: 0.08, spread: 0.1 }],
    [at(10, 7), { denoise: -0.32, noise: -0.3, spread: 0.1 }],
    [at(5, 1), { denoise: 0.06, noise: 0.6, spread: 0.1 }],
    [at(4, 11), { denoise: 0.52, noise: 0.07, spread: 0.1 }],
    [at(3, 0), { denoise: 0.5, noise: 0.12, spread: 1.6 }],
    [at(11, 2), { denoise: 0.2, noise: 0.15, spread: 0.15 }],
  ]);
  const last = P - 1;
  const slots = Object.keys(SLOT_OF).map(Number);
  /** Share moved by a cell of a sweep in a direction (before per-pair noise). */
  function share(sweep: SweepKind, d: PatchDirection, l: number, a: number, pos = -1): { s: number; spread: number } {
    if (sweep === 'resid_pre') {
      const f = l / Math.max(1, L - 1);
      if (pos === last) return { s: f * f, spread: 0.08 };
      if (pos === 22 || pos === 29) return { s: (1 - f * f) * 0.5, spread: 0.1 };
      return { s: 0, spread: 0.02 };
    }
    if (sweep === 'attn_out' || sweep === 'mlp_out') {
      if (pos !== last && !slots.includes(pos)) return { s: 0, spread: 0.02 };
      const big = sweep === 'attn_out' ? (l === 9 ? 0.55 : l === 10 ? -0.25 : 0.04) : l === 0 && slots.includes(pos) ? 0.3 : 0.03;
      return { s: pos === last || sweep === 'mlp_out' ? big : 0.02, spread: 0.1 };
    }
    const e = headEffect.get(l * H + a);
    const scaled = sweep === 'z' || sweep === 'z_by_pos' ? 1 : sweep === 'v' ? 0.85 : sweep === 'q' ? 0.3 : sweep === 'k' ? 0.45 : 0.7;
    if (sweep === 'z_by_pos' && pos !== last) return { s: e && (pos === 22 || pos === 29) ? 0.05 : 0, spread: 0.02 };
    return e ? { s: (d === 'denoise' ? e.denoise : e.noise) * scaled, spread: e.spread } : { s: 0, spread: 0.03 };
  }

  function makeTable(sweep: SweepKind, d: PatchDirection, source: DatasetTable['source']): DatasetTable {
    const byPos = POSITION_SWEEPS.includes(sweep);
    const dims = sweep === 'z_by_pos' ? [L, H, P] : byPos ? [L, P] : [L, H];
    const axes = sweep === 'z_by_pos' ? ['layer', 'head_index', 'pos'] : byPos ? ['layer', 'pos'] : ['layer', 'head_index'];
    const cells = dims.reduce((a, b) => a * b, 1);
    const r = mulberry32((o.seed ?? 12) * 97 + SWEEP_KINDS.indexOf(sweep) * 7 + (d === 'noise' ? 3 : 0) + (source === 'exact' ? 0 : 1));
    const perPair = new Float32Array(done * cells);
    const restored = new Float32Array(cells);
    for (let c = 0; c < cells; c++) {
      const l = Math.floor(c / (cells / L));
      const rest = c % (cells / L);
      const a = sweep === 'z_by_pos' ? Math.floor(rest / P) : rest;
      const pos = sweep === 'z_by_pos' ? rest % P : byPos ? rest : -1;
      const { s, spread } = share(sweep, d, l, a, pos);
      let hits = 0;
      for (let p = 0; p < done; p++) {
        const gap = metricClean[p] - metricCorrupt[p];
        // The estimate is the exact share, biased and noisier (attribution patching is linear).
        const sp = source === 'exact' ? s + spread * gauss(r) : s * 0.85 + (spread + 0.05) * gauss(r);
        const v = d === 'denoise' ? metricCorrupt[p] + sp * gap : metricClean[p] - sp * gap;
        perPair[p * cells + c] = o.zeroGap ? v + 0.3 * s * gauss(r) : v;
        if (sp >= 0.5) hits++;
      }
      restored[c] = hits / done;
    }
    const { mean, se } = stats(perPair, done, cells);
    const normalised = o.zeroGap ? null : mean.map((m) => (m - meanCorrupt) / (meanClean - meanCorrupt));
    return { sweep, direction: d, source, dims, axes, mean, normalised, standardError: se, restoredFraction: o.zeroGap ? null : restored, perPair };
  }

  const runId = 'fixture-set';
  const dataset: DatasetParams = {
    runId,
    modelName: L === 12 ? 'gpt2-small (fixture)' : 'gpt2-python-mini',
    fileName: o.mixedLengths ? 'docstring-mixed.prompts.jsonl' : 'docstring.prompts.jsonl',
    n_layers: L,
    n_heads: H,
    pairs,
    pairsInFile: N,
    sweeps,
    directions: ['denoise', 'noise'],
    positions,
    notes,
  };
  return {
    dataset,
    summary: { runId, summary, notes: [], ...(done < N ? { partial: { done, total: N } } : {}) },
    tables: (source) => sweeps.flatMap((s) => (['denoise', 'noise'] as const).map((d) => makeTable(s, d, source))),
  };
}
