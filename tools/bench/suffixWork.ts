/**
 * The work of exact patching, counted (issue 15): the batched runs `runPatchingSweeps` makes, the
 * position × layer rows each one computes, and the rows an exact suffix recompute of the same live
 * cells needs at least. Counted by wrapping the model's `run` while a sweep runs (the sweep is not
 * changed): runs that fetch hooks or have no patch (the two cached runs) pass through; every patched
 * run is recorded and, where `shouldRun` says no, answered with zero logits instead of being run (a
 * plan-only pass, or a sample of the batches).
 *
 * Rows, for a run starting at layer l with a reused prefix of `prefix` positions, batch B, n tokens
 * and L layers: B × ((L − 1 − l) × (n − prefix) + last), where the last block computes `last` = the
 * logit positions when the run is trimmed (`canTrimLastBlock`: its keys and values still at every
 * suffix position, not counted) and n − prefix otherwise. The minimum of one live cell whose first
 * patched position is p: (L − 1 − l) × (n − p) + 1 (every later position of every later layer, the
 * last layer only at the metric's position). The engine computes more when a batch's cells start
 * later than its suffix (cells sorted by position share the suffix of the earliest) or its last
 * block is not trimmed. Neither counts the unembedding: the engine computes every logit of the last
 * position (d_vocab / (12 d_model) rows' worth of multiply-adds per element), a logit difference
 * needs two.
 */
import type { HookedGpt2, RunOptions, RunResult, TokenInput } from '../../src/model/hookedGpt2';
import { ActivationCache } from '../../src/model/activationCache';
import { canTrimLastBlock } from '../../src/model/runPlan';

export interface PatchedRun {
  /** The graph variant it runs (patched hook, start layer, reused prefix or not, trimmed or not): a new one is built first. */
  readonly variant: string;
  /** The layer the run starts at (its `startAt`). */
  readonly layer: number;
  readonly batch: number;
  /** Positions reused from the target run (0: none). */
  readonly prefix: number;
  /** Whether the last block computes only the logit positions. */
  readonly trimmed: boolean;
  /** Logit positions per element (the unembedding's rows). */
  readonly logitRows: number;
  /** Each element's first patched position. */
  readonly starts: readonly number[];
  /** Position × layer rows the engine computes. */
  readonly rows: number;
  /** Rows an exact suffix recompute of these cells needs at least. */
  readonly minRows: number;
  /** False when answered with zero logits (not run). */
  readonly ran: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** With `warm`, on a variant's first run: the first of two runs (the graph build included); `wallMs`, `cpuMs` are the second's. */
  readonly cold?: { readonly wallMs: number; readonly cpuMs: number };
}

/** Rows a run computes (see the module comment). */
export function engineRows(nLayers: number, nPos: number, layer: number, prefix: number, batch: number, lastRows: number): number {
  return batch * ((nLayers - 1 - layer) * (nPos - prefix) + lastRows);
}

/** Rows one live cell at (layer, first patched position p) needs at least. */
export function minimumRows(nLayers: number, nPos: number, layer: number, p: number): number {
  return (nLayers - 1 - layer) * (nPos - p) + 1;
}

/** The unembedding's multiply-adds for one logit position, in rows (a row: 12 d_model² multiply-adds, attention over keys left out). */
export function unembedRowEquivalents(c: Pick<HookedGpt2['config'], 'dModel' | 'dVocab'>): number {
  return c.dVocab / (12 * c.dModel);
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export type Described = Omit<PatchedRun, 'ran' | 'wallMs' | 'cpuMs' | 'cold'>;

function describe(model: HookedGpt2, tokens: TokenInput, options: RunOptions): Described {
  const c = model.config;
  const multi = tokens.length > 0 && Array.isArray(tokens[0]);
  const nPos = multi ? (tokens[0] as readonly number[]).length : tokens.length;
  const patches = options.patches ?? [];
  const batch = Math.max(1, multi ? tokens.length : 1, options.startAt?.residPre.dims[0] ?? 1, ...patches.map((p) => Math.max(...(p.batch ?? [0])) + 1));
  const layer = options.startAt?.layer ?? 0;
  const prefix = options.reusePrefix?.length ?? 0;
  const logits = options.logits ?? 'last';
  const logitRows = logits === 'last' ? 1 : logits === 'none' ? 0 : logits === 'all' ? nPos - prefix : logits.length;
  const trimmed = !!options.trimLastBlock && canTrimLastBlock(c, logits, options.fetch ?? [], patches, !!options.gradient);
  const starts = Array.from({ length: batch }, (_, b) => {
    const mine = patches.filter((p) => !p.batch || p.batch.includes(b));
    return Math.min(...mine.map((p) => (p.positions?.length ? Math.min(...p.positions) : prefix)));
  });
  const rows = engineRows(c.nLayers, nPos, layer, prefix, batch, trimmed ? logitRows : nPos - prefix);
  const minRows = starts.reduce((n, p) => n + minimumRows(c.nLayers, nPos, layer, Number.isFinite(p) ? p : prefix), 0);
  const variant = `${[...new Set(patches.map((p) => p.hook))].sort().join(',')}|${layer}|${prefix > 0}|${trimmed}`;
  return { variant, layer, batch, prefix, trimmed, starts, rows, minRows, logitRows };
}

/**
 * Records every patched run of `model` until `restore()`; a run for which `shouldRun` (given the
 * run and its index among the recorded ones) is false is answered with zero logits, not run. With
 * `warm`, the first run of each graph variant runs twice and is timed the second time (`cold`: the
 * first, which builds the variant).
 */
export function recordPatchedRuns(
  model: HookedGpt2,
  shouldRun: (run: Described, index: number) => boolean = () => true,
  warm = false,
): { runs: PatchedRun[]; restore: () => void } {
  const runs: PatchedRun[] = [];
  const built = new Set<string>();
  const original = model.run.bind(model);
  model.run = async (tokens: TokenInput, options: RunOptions = {}): Promise<RunResult> => {
    if (options.fetch?.length || !options.patches?.length) return original(tokens, options);
    const d = describe(model, tokens, options);
    if (!shouldRun(d, runs.length)) {
      runs.push({ ...d, ran: false, wallMs: 0, cpuMs: 0 });
      const data = new Float32Array(d.batch * d.logitRows * model.config.dVocab);
      return { logits: { dims: [d.batch, d.logitRows, model.config.dVocab], data }, logitPositions: [], cache: new ActivationCache(new Map()) };
    }
    let cold: PatchedRun['cold'];
    if (warm && !built.has(d.variant)) {
      built.add(d.variant);
      const [t0, c0] = [performance.now(), cpuNow()];
      await original(tokens, options);
      cold = { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0 };
    }
    const [t0, c0] = [performance.now(), cpuNow()];
    const out = await original(tokens, options);
    runs.push({ ...d, ran: true, wallMs: performance.now() - t0, cpuMs: cpuNow() - c0, ...(cold ? { cold } : {}) });
    return out;
  };
  return { runs, restore: () => void Reflect.deleteProperty(model, 'run') };
}

/**
 * `k` indices spread evenly over `n` (at least `min`, at most n): the batches a sampled table runs.
 */
export function spreadIndices(n: number, k: number, min = 2): number[] {
  const m = Math.min(n, Math.max(min, k));
  return Array.from({ length: m }, (_, j) => Math.floor(((j + 0.5) * n) / m));
}

/**
 * A table's time from a sample of its runs: the runs not run cost `fixedMs` each plus `perWork` per
 * unit of work (rows + unembedding row-equivalents), `perWork` fitted on the runs that ran (their
 * time less `fixedMs` each, over their work; never negative).
 */
export function extrapolateRuns(
  runs: readonly { readonly ran: boolean; readonly work: number; readonly ms: number }[],
  fixedMs: number,
): { extraMs: number; perWorkMs: number } {
  const ran = runs.filter((r) => r.ran);
  const skipped = runs.filter((r) => !r.ran);
  const work = ran.reduce((n, r) => n + r.work, 0);
  const perWorkMs = work > 0 ? Math.max(0, ran.reduce((n, r) => n + r.ms - fixedMs, 0) / work) : 0;
  return { extraMs: skipped.reduce((n, r) => n + fixedMs + perWorkMs * r.work, 0), perWorkMs };
}
