/**
 * Examples of every feature from many windows of text (a workspace scan), in bounded memory.
 *
 * `FeatureScan` is the pure accumulator: give it rows of activations [rows, d_sae] with the
 * (window, position) of each row, and it keeps, per feature:
 *   - how many scored tokens it was active on (act > 0), their activation sum, and its maximum;
 *   - the top-N examples (a fixed slot array, the smallest replaced);
 *   - a uniform reservoir sample (algorithm R, seeded, so a scan is reproducible) of R of its active
 *     tokens, from which `uniformExamples` takes one example per activation-quantile bucket (the
 *     forum's "uniform examples": contexts across the whole range, not only the strongest).
 * Memory is d_sae · (N + R) · 12 bytes plus the windows: 24,576 features with N = 10, R = 64 is 22 MB.
 *
 * `scanWindows` is the driver: it batches windows, runs the model up to the SAE's hook only, encodes
 * in row chunks and feeds the accumulator. Cancelling keeps what was found and marks it partial.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { LoadedSae } from '../../model/sae';
import { float32Tensor } from '../../model/tensor';
import { mulberry32 } from '../../shared/seededRandom';
import { runToHook, type SaeEncode } from './saeRun';

export interface ScanWindow<S = unknown> {
  /** Token ids, at most the model's context. */
  readonly tokens: readonly number[];
  /** Where the window comes from (e.g. a file URI and token offsets), carried as is. */
  readonly source: S;
  /** Positions before this one are context only (BOS, overlap with the previous window): not scored. Default 0. */
  readonly firstScored?: number;
}

export interface ScanExample {
  /** Index into the scan's windows (`FeatureScan.window(i)`). */
  readonly window: number;
  readonly position: number;
  readonly act: number;
}

export interface UniformExample extends ScanExample {
  /** The activation-quantile bucket [lo, hi) of the feature's sampled active tokens it was taken from. */
  readonly quantile: readonly [number, number];
}

export interface FeatureScanOptions {
  /** Top examples kept per feature (default 10). */
  readonly topN?: number;
  /** Reservoir of active tokens per feature for the uniform examples (default 64). */
  readonly reservoir?: number;
  /** Seed of the reservoir's random choices (default 1). */
  readonly seed?: number;
}

export class FeatureScan<S = unknown> {
  readonly dSae: number;
  readonly topN: number;
  readonly reservoirSize: number;
  private readonly windows: ScanWindow<S>[] = [];
  private readonly active: Float64Array; // [d_sae] count of active scored tokens
  private readonly sum: Float64Array; // [d_sae]
  private readonly max: Float32Array; // [d_sae]
  private readonly topAct: Float32Array; // [d_sae, N]
  private readonly topWin: Int32Array;
  private readonly topPos: Int32Array;
  private readonly topCount: Uint16Array; // [d_sae] slots filled
  private readonly topMin: Float32Array; // [d_sae] smallest kept act (valid when full)
  private readonly resAct: Float32Array; // [d_sae, R]
  private readonly resWin: Int32Array;
  private readonly resPos: Int32Array;
  private readonly rand: () => number;
  /** Scored tokens seen. */
  tokens = 0;
  /** True when the scan stopped before every window was read (cancelled). */
  partial = false;
  /** Wall-clock seconds spent in `scanWindows`. */
  seconds = 0;

  constructor(dSae: number, options: FeatureScanOptions = {}) {
    this.dSae = dSae;
    this.topN = options.topN ?? 10;
    this.reservoirSize = options.reservoir ?? 64;
    if (this.topN < 1 || this.topN > 65535) throw new RangeError(`topN ${this.topN} must be in 1..65535`);
    this.active = new Float64Array(dSae);
    this.sum = new Float64Array(dSae);
    this.max = new Float32Array(dSae);
    this.topAct = new Float32Array(dSae * this.topN);
    this.topWin = new Int32Array(dSae * this.topN);
    this.topPos = new Int32Array(dSae * this.topN);
    this.topCount = new Uint16Array(dSae);
    this.topMin = new Float32Array(dSae);
    this.resAct = new Float32Array(dSae * this.reservoirSize);
    this.resWin = new Int32Array(dSae * this.reservoirSize);
    this.resPos = new Int32Array(dSae * this.reservoirSize);
    this.rand = mulberry32(options.seed ?? 1);
  }

  /** Registers a window; its index is what `addRows` refers to. */
  addWindow(w: ScanWindow<S>): number {
    this.windows.push(w);
    return this.windows.length - 1;
  }

  window(i: number): ScanWindow<S> {
    const w = this.windows[i];
    if (!w) throw new RangeError(`window ${i} is not in this scan (${this.windows.length} windows)`);
    return w;
  }

  get windowCount(): number {
    return this.windows.length;
  }

  /** acts [rows, d_sae]; row r is token `positions[r]` of window `windowOf[r]`. Each row counts as one scored token. */
  addRows(acts: Float32Array, windowOf: ArrayLike<number>, positions: ArrayLike<number>): void {
    const D = this.dSae;
    const rows = acts.length / D;
    if (!Number.isInteger(rows) || windowOf.length !== rows || positions.length !== rows) {
      throw new Error(`addRows: ${acts.length} activations are not ${windowOf.length} rows of d_sae ${D}`);
    }
    const N = this.topN;
    const R = this.reservoirSize;
    for (let r = 0; r < rows; r++) {
      const w = windowOf[r];
      const p = positions[r];
      const off = r * D;
      for (let f = 0; f < D; f++) {
        const a = acts[off + f];
        if (!(a > 0)) continue;
        const seen = ++this.active[f];
        this.sum[f] += a;
        if (a > this.max[f]) this.max[f] = a;
        // top-N: fill, then replace the smallest when beaten
        const filled = this.topCount[f];
        if (filled < N || a > this.topMin[f]) {
          const base = f * N;
          let slot = 0; // the next free slot, or when full the one holding the smallest
          if (filled < N) {
            slot = filled;
            this.topCount[f] = filled + 1;
          } else {
            while (slot < N - 1 && this.topAct[base + slot] !== this.topMin[f]) slot++;
          }
          this.topAct[base + slot] = a;
          this.topWin[base + slot] = w;
          this.topPos[base + slot] = p;
          if (this.topCount[f] === N) {
            let m = Infinity;
            for (let i = 0; i < N; i++) m = Math.min(m, this.topAct[base + i]);
            this.topMin[f] = m;
          }
        }
        // reservoir (algorithm R)
        if (R > 0) {
          let slot = -1;
          if (seen <= R) slot = seen - 1;
          else {
            const j = Math.floor(this.rand() * seen);
            if (j < R) slot = j;
          }
          if (slot >= 0) {
            const i = f * R + slot;
            this.resAct[i] = a;
            this.resWin[i] = w;
            this.resPos[i] = p;
          }
        }
      }
    }
    this.tokens += rows;
  }

  /** Fraction of scored tokens on which the feature is active. */
  density(f: number): number {
    return this.tokens ? this.active[f] / this.tokens : 0;
  }

  activeCount(f: number): number {
    return this.active[f];
  }

  maxAct(f: number): number {
    return this.max[f];
  }

  /** Mean activation over the tokens where the feature is active (0 when never). */
  meanActiveAct(f: number): number {
    return this.active[f] ? this.sum[f] / this.active[f] : 0;
  }

  /** [d_sae] densities, for every feature at once. */
  densities(): Float32Array {
    return Float32Array.from(this.active, (c) => (this.tokens ? c / this.tokens : 0));
  }

  maxActs(): Float32Array {
    return this.max.slice();
  }

  /** The top examples of feature f, strongest first (ties: earlier window, then position). */
  topExamples(f: number): ScanExample[] {
    const base = f * this.topN;
    const out: ScanExample[] = [];
    for (let i = 0; i < this.topCount[f]; i++) out.push({ window: this.topWin[base + i], position: this.topPos[base + i], act: this.topAct[base + i] });
    return out.sort((a, b) => b.act - a.act || a.window - b.window || a.position - b.position);
  }

  /**
   * One example per activation-quantile bucket of the feature's reservoir sample, from the lowest
   * bucket to the highest: the sample sorted by activation and cut into `buckets` equal parts, and
   * the middle element of each. Fewer examples when fewer tokens were sampled.
   */
  uniformExamples(f: number, buckets = 10): UniformExample[] {
    const R = this.reservoirSize;
    const m = Math.min(this.active[f], R);
    const idx = Array.from({ length: m }, (_, i) => f * R + i).sort(
      (a, b) => this.resAct[a] - this.resAct[b] || this.resWin[a] - this.resWin[b] || this.resPos[a] - this.resPos[b],
    );
    const out: UniformExample[] = [];
    let last = -1;
    for (let q = 0; q < buckets; q++) {
      const k = Math.floor(((q + 0.5) * m) / buckets);
      if (k >= m || k === last) continue;
      last = k;
      const i = idx[k];
      out.push({ window: this.resWin[i], position: this.resPos[i], act: this.resAct[i], quantile: [q / buckets, (q + 1) / buckets] });
    }
    return out;
  }
}

export interface ScanProgress {
  readonly windows: number;
  readonly tokens: number;
  readonly tokensPerSecond: number;
}

export interface ScanWindowsOptions extends FeatureScanOptions {
  /** Windows per model run (default 8). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ScanProgress) => void;
  /** Largest activation block one encode returns (bytes; default 64 MiB): rows per encode = this / (d_sae · 4). */
  readonly maxEncodeBytes?: number;
  /** Continue an earlier scan (e.g. more files) instead of starting a new one. */
  readonly into?: FeatureScan<unknown>;
}

/** Tokens per second of a finished scan. */
export function tokensPerSecond(scan: FeatureScan<unknown>): number {
  return scan.seconds > 0 ? scan.tokens / scan.seconds : 0;
}

export async function scanWindows<S>(
  model: HookedGpt2,
  encoder: SaeEncode,
  sae: LoadedSae,
  windows: Iterable<ScanWindow<S>> | AsyncIterable<ScanWindow<S>>,
  options: ScanWindowsOptions = {},
): Promise<FeatureScan<S>> {
  const { dIn, dSae } = sae.config;
  const scan = (options.into as FeatureScan<S> | undefined) ?? new FeatureScan<S>(dSae, options);
  if (scan.dSae !== dSae) throw new Error(`the scan has ${scan.dSae} features, the SAE ${dSae}`);
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const encodeRows = Math.max(1, Math.floor((options.maxEncodeBytes ?? 64 * 2 ** 20) / (dSae * 4)));
  const started = performance.now();
  const secondsBefore = scan.seconds;
  const signal = options.signal;
  let batch: ScanWindow<S>[] = [];
  let windowsDone = 0;

  const runBatch = async (ws: ScanWindow<S>[]): Promise<void> => {
    // Right-padding to the longest window is harmless: attention is causal, so a position never
    // sees the padding after it, and padded positions are not scored.
    const L = Math.max(...ws.map((w) => w.tokens.length));
    const rows = ws.map((w) =>
      w.tokens.length === L ? w.tokens : [...w.tokens, ...new Array<number>(L - w.tokens.length).fill(w.tokens[w.tokens.length - 1])],
    );
    const x = (await runToHook(model, sae, rows, signal)).data; // [batch, L, d_in]
    const ids = ws.map((w) => scan.addWindow(w));
    const winOf: number[] = [];
    const posOf: number[] = [];
    const offsets: number[] = [];
    ws.forEach((w, b) => {
      for (let p = Math.max(0, w.firstScored ?? 0); p < w.tokens.length; p++) {
        winOf.push(ids[b]);
        posOf.push(p);
        offsets.push((b * L + p) * dIn);
      }
    });
    for (let s = 0; s < offsets.length; s += encodeRows) {
      const n = Math.min(encodeRows, offsets.length - s);
      const chunk = new Float32Array(n * dIn);
      for (let r = 0; r < n; r++) chunk.set(x.subarray(offsets[s + r], offsets[s + r] + dIn), r * dIn);
      const enc = await encoder.encode(float32Tensor<'rows d_in'>([n, dIn], chunk), signal);
      scan.addRows(enc.acts.data, winOf.slice(s, s + n), posOf.slice(s, s + n));
    }
    windowsDone += ws.length;
    scan.seconds = secondsBefore + (performance.now() - started) / 1000;
    options.onProgress?.({ windows: windowsDone, tokens: scan.tokens, tokensPerSecond: tokensPerSecond(scan) });
  };

  try {
    for await (const w of windows) {
      if (signal?.aborted) break;
      if (w.tokens.length === 0) continue;
      batch.push(w);
      if (batch.length === batchSize) {
        const ws = batch;
        batch = [];
        await runBatch(ws);
      }
    }
    if (batch.length && !signal?.aborted) await runBatch(batch);
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  if (signal?.aborted) scan.partial = true;
  scan.seconds = secondsBefore + (performance.now() - started) / 1000;
  return scan;
}
