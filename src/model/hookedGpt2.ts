/**
 * A GPT-2 model with TransformerLens hook points, run by onnxruntime. Interventions are per-call
 * arguments (fetch these hooks, patch those, start at that layer), never state left on the model:
 * each distinct combination is a graph variant whose session is built on first use and cached.
 */
import type { HookName } from '../shared/hookNames';
import { ActivationCache } from './activationCache';
import type { Gpt2Config } from './gpt2Config';
import type { Gpt2Weights } from './gpt2Weights';
import { buildGpt2Graph } from './graph/gpt2Graph';
import { OUTPUT, specKey, type Gpt2GraphSpec, type LayerNormMode } from './graph/gpt2GraphSpec';
import { encodeOnnxModel } from './graph/onnxModel';
import { externalWeights } from './graph/embedWeights';
import { int8WeightNames, quantizeMatMuls, quantizeWeightFeeds, type Precision } from './graph/quantizeWeights';
import { gradName } from './graph/gpt2Backward';
import { CausalMasks } from './causalMasks';
import { planRun } from './runPlan';
import type { RunOptions, RunResult, TokenInput } from './runOptions';
import type { HookPatch } from './hookPatch';
import { OrtSession, type FeedTensor } from './ort';
import { distinctFeedBytes, makeWeightFeeds } from './weightFeeds';

/**
 * Embedding copies the weights into the forward session (and into one protobuf message, whose
 * limit is 2 GiB): worth it for GPT-2 small (475 MiB of weights), not for medium (1354 MiB) and up.
 */
const EMBED_WEIGHTS_MAX_BYTES = 800 * 2 ** 20;

export interface HookedGpt2Options {
  /** "as_configured" (default) honours the checkpoint's LayerNorm and its eps exactly; "identity" replaces every LN by x ↦ x. */
  readonly layerNorm?: LayerNormMode;
  /** Intra-op threads for onnxruntime (default: ORT's choice). */
  readonly threads?: number;
  /** How many graph variants stay warm (default 16). */
  readonly maxSessions?: number;
  /**
   * Let onnxruntime's intra-op threads spin between kernels (default false). Every graph variant is
   * a session with its own pool, and a spinning pool keeps its cores busy after its run, against the
   * next session's threads and any other process (tools/bench/threadBench.ts measures both).
   */
  readonly spinning?: boolean;
  /**
   * Embed the weights (as initializers, prepacked by ORT) in the plain forward graph, the one that
   * exposes no hooks: faster small-batch forwards, one more (prepacked) copy of the blocks' weights in
   * memory (GPT-2 small: +0.32 GB since they are handed over as in-memory external data, +0.85 GB
   * when they were copied into the protobuf). Default: when the weights take at most 800 MiB
   * (GPT-2 small yes, medium and larger no). Every variant that exposes or patches hooks (one per
   * fetched hook class), and the prefix and backward variants, take the weights as inputs, shared
   * without copies, so the copies stay bounded by the logits modes, not the fetch sets.
   */
  readonly embedWeightsInForward?: boolean;
  /**
   * "exact" (default): fp32, as the checkpoint has it. "int8": the weight matmuls run on int8 weights
   * (quantizeWeights.ts), faster and approximate: logits and hook values no longer match Hugging Face.
   * `runExact` still runs the fp32 forward, to report the error.
   */
  readonly precision?: Precision;
  /** In the int8 mode, quantize the unembedding too (default false: it feeds the logits directly). */
  readonly int8Unembed?: boolean;
}

export type { LogitsRequest, RunOptions, RunResult, TokenInput } from './runOptions';

/** What an analysis that only runs forwards needs of a model (`runPatchingSweeps`): a `HookedGpt2`, or its `exactForwards()`. */
export type ModelForwards = Pick<HookedGpt2, 'config' | 'run' | 'runWithCache'>;

export class HookedGpt2 {
  private readonly weightFeeds: Record<string, FeedTensor>;
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  private readonly masks = new CausalMasks();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly layerNorm: LayerNormMode;
  readonly precision: Precision;
  /** The int8 mode's weight feeds (fp32 ones plus the quantized matmul weights) and the quantized names. */
  private readonly int8?: { readonly feeds: Record<string, FeedTensor>; readonly names: ReadonlySet<string> };
  /** Bytes of memory behind the weight inputs (float32): the checkpoint's arrays, each counted once (views and a tied unembedding share them). */
  readonly weightBytes: number;

  constructor(
    readonly config: Gpt2Config,
    weights: Gpt2Weights,
    private readonly options: HookedGpt2Options = {},
  ) {
    this.layerNorm = options.layerNorm ?? 'as_configured';
    this.weightFeeds = makeWeightFeeds(config, weights);
    this.weightBytes = distinctFeedBytes(this.weightFeeds);
    this.precision = options.precision ?? 'exact';
    if (this.precision === 'int8') {
      const names = int8WeightNames(config, options.int8Unembed ?? false);
      this.int8 = { feeds: { ...this.weightFeeds, ...quantizeWeightFeeds(this.weightFeeds, names) }, names: new Set(names) };
    }
  }

  /** Runs with the given hooks fetched (TL's run_with_cache). */
  runWithCache(tokens: TokenInput, hookNames: readonly HookName[], options: Omit<RunOptions, 'fetch'> = {}): Promise<RunResult> {
    return this.run(tokens, { ...options, fetch: hookNames });
  }

  /** Runs with the given hooks replaced (TL's run_with_hooks with patching hooks). */
  runWithPatches(tokens: TokenInput, patches: readonly HookPatch[], options: Omit<RunOptions, 'patches'> = {}): Promise<RunResult> {
    return this.run(tokens, { ...options, patches });
  }

  /** Runs are serialised: one at a time, in call order, never interleaved. */
  run(tokens: TokenInput, options: RunOptions = {}): Promise<RunResult> {
    return this.enqueue(tokens, options, this.precision);
  }

  /** The fp32 forward, whatever this model's precision: the reference the int8 mode's error is measured against. */
  runExact(tokens: TokenInput, options: RunOptions = {}): Promise<RunResult> {
    return this.enqueue(tokens, options, 'exact');
  }

  /**
   * This model's fp32 forwards as a model of their own (same weights, same run queue, no second
   * load): an analysis given it runs exactly, e.g. one patching table of an int8 model checked
   * against fp32.
   */
  exactForwards(): ModelForwards {
    return {
      config: this.config,
      run: (tokens, options) => this.runExact(tokens, options),
      runWithCache: (tokens, hookNames, options = {}) => this.runExact(tokens, { ...options, fetch: hookNames }),
    };
  }

  private enqueue(tokens: TokenInput, options: RunOptions, precision: Precision): Promise<RunResult> {
    const next = this.queue.then(() => this.runNow(tokens, options, precision));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(tokens: TokenInput, options: RunOptions, precision: Precision): Promise<RunResult> {
    if (this.disposed) throw new Error('the model was disposed');
    options.signal?.throwIfAborted();
    const plan = planRun(this.config, this.layerNorm, this.masks, tokens, options);
    const int8 = precision === 'int8' ? this.int8 : undefined;
    const session = await this.session(plan.spec, int8?.names);
    options.signal?.throwIfAborted();
    const out = await session.run(plan.feeds, plan.fetchNames, int8?.feeds ?? this.weightFeeds);
    const cache = new ActivationCache(new Map(plan.fetch.map((h) => [h, out[h]])));
    const gradients = options.gradient ? new ActivationCache(new Map(plan.gradHooks.map((h) => [h, out[gradName(h)]]))) : undefined;
    return { logits: plan.withLogits ? out[OUTPUT.logits] : undefined, logitPositions: plan.logitPositions, cache, gradients };
  }

  private session(spec: Gpt2GraphSpec, int8?: ReadonlySet<string>): Promise<OrtSession> {
    const key = `${int8 ? 'int8:' : ''}${specKey(spec)}`;
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key); // LRU: move to the end
      this.sessions.set(key, s);
      return s;
    }
    const label = `gpt2[${spec.startLayer}..${spec.stopAfterLayer}${spec.patchedHooks.length ? ` patch ${spec.patchedHooks.join(',')}` : ''}${spec.perHeadResult ? ' +result' : ''} logits:${spec.logits} hooks:${spec.exposedHooks.length} mask:${spec.attentionMask}]`;
    const plain =
      spec.startLayer === 0 &&
      !spec.residInputAtStart &&
      !spec.pastPrefix &&
      !spec.backward &&
      spec.patchedHooks.length === 0 &&
      !spec.perHeadResult &&
      spec.exposedHooks.length === 0;
    const graph = int8 ? quantizeMatMuls(buildGpt2Graph(this.config, spec), int8) : buildGpt2Graph(this.config, spec);
    const embed = !int8 && plain && (this.options.embedWeightsInForward ?? this.weightBytes <= EMBED_WEIGHTS_MAX_BYTES);
    // Embedded as initializers whose data stays in the JS buffers (in-memory external data): ORT
    // prepacks them without a protobuf copy of the weights.
    const embedded = embed ? externalWeights(graph, this.weightFeeds) : undefined;
    s = OrtSession.create(encodeOnnxModel(embedded?.graph ?? graph), `${label}${int8 ? ' int8' : ''}${embed ? ' (weights embedded)' : ''}`, {
      threads: this.options.threads,
      spinning: this.options.spinning ?? false,
      ...(embedded ? { externalData: embedded.externalData } : {}),
    });
    this.sessions.set(key, s);
    s.catch(() => this.sessions.delete(key));
    const max = this.options.maxSessions ?? 16;
    while (this.sessions.size > max) {
      const [oldKey, old] = this.sessions.entries().next().value as [string, Promise<OrtSession>];
      this.sessions.delete(oldKey);
      void old.then((o) => o.release()).catch(() => undefined);
    }
    return s;
  }

  /** The weight inputs by graph name, read-only: auxiliary graphs (the logit lens) feed these same buffers, without a copy. */
  get weightInputs(): Readonly<Record<string, FeedTensor>> {
    return this.weightFeeds;
  }

  /** Number of graph variants currently built (for tests and diagnostics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Releases every session. Waits for a run in flight to finish first. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((o) => o.release()).catch(() => undefined)));
  }
}
