/**
 * A GPT-2 model with TransformerLens hook points, run by onnxruntime. Interventions are per-call
 * arguments (fetch these hooks, patch those, start at that layer), never state left on the model:
 * each distinct combination is a graph variant whose session is built on first use and cached.
 */
import { blockHook, parseHookName, type HookName } from '../shared/hookNames';
import { ActivationCache } from './activationCache';
import type { Gpt2Config } from './gpt2Config';
import type { Gpt2Weights } from './gpt2Weights';
import { buildGpt2Graph } from './graph/gpt2Graph';
import { INPUT, OUTPUT, specKey, type Gpt2GraphSpec, type LayerNormMode } from './graph/gpt2GraphSpec';
import { encodeOnnxModel } from './graph/onnxModel';
import { embedWeights } from './graph/embedWeights';
import { GRADIENT_HOOKS, gradName } from './graph/gpt2Backward';
import { patchFeeds, positionAxis, type HookPatch } from './hookPatch';
import { OrtSession, type FeedTensor } from './ort';
import { repeatBatch, sliceAxisFrom, type Float32Tensor } from './tensor';
import { makeWeightFeeds } from './weightFeeds';

/**
 * Embedding copies the weights into the forward session (and into one protobuf message, whose
 * limit is 2 GiB): worth it for GPT-2 small (~650 MB of weight inputs), not for medium and up.
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
   * Embed the weights (as initializers, prepacked by ORT) in the plain forward/cache graph: faster
   * small-batch forwards, one more copy of the weights in memory. Default: when the weights take at
   * most 800 MiB (GPT-2 small yes, medium and larger no). Patching, prefix and
   * backward variants always take the weights as inputs, shared without copies.
   */
  readonly embedWeightsInForward?: boolean;
}

/** Which logits to compute: none, the last position's, all, or the given positions. */
export type LogitsRequest = 'none' | 'last' | 'all' | readonly number[];

export interface RunOptions {
  /** Hooks to fetch (TL names). */
  readonly fetch?: readonly HookName[];
  readonly patches?: readonly HookPatch[];
  /** Default 'last'. */
  readonly logits?: LogitsRequest;
  /**
   * Start at `layer` from a given `blocks.{layer}.hook_resid_pre` [1 or batch, pos, d_model]
   * (TL's start_at_layer): blocks before it are not computed.
   */
  readonly startAt?: { readonly layer: number; readonly residPre: Float32Tensor };
  /**
   * Reuse the first `length` positions of a run whose cache (`from`) holds `attn.hook_k` and
   * `attn.hook_v` of every computed layer: only the later positions are computed, attending to the
   * cached keys and values. Exact when this run's activations at those positions equal the cached
   * run's (causal attention: e.g. prompts that first differ at `length`, and patches that change
   * nothing there). Tokens, `startAt.residPre`, patches and logit positions stay in full-prompt
   * coordinates; hooks can't be fetched (they would cover only the later positions).
   */
  readonly reusePrefix?: { readonly length: number; readonly from: ActivationCache };
  /**
   * Also run the backward pass of a metric of the logits at `position` (default: the last): given
   * ∂metric/∂logits (`metricGrad` [d_vocab] for every batch element, or [batch, d_vocab]), return
   * ∂metric/∂activation for `hooks` (see GRADIENT_HOOKS) in `RunResult.gradients`.
   */
  readonly gradient?: { readonly metricGrad: Float32Array; readonly position?: number; readonly hooks: readonly HookName[] };
  readonly signal?: AbortSignal;
}

export interface RunResult {
  /** [batch, n, d_vocab] at `logitPositions`; absent when logits were 'none'. */
  readonly logits?: Float32Tensor;
  readonly logitPositions: readonly number[];
  readonly cache: ActivationCache;
  /** ∂metric/∂activation per hook, when `gradient` was asked for. */
  readonly gradients?: ActivationCache;
}

/** Token ids for a run: one prompt, or a batch of equally long prompts. */
export type TokenInput = readonly number[] | readonly (readonly number[])[];

export class HookedGpt2 {
  private readonly weightFeeds: Record<string, FeedTensor>;
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  private readonly maskCache = new Map<string, FeedTensor>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly layerNorm: LayerNormMode;
  /** Bytes of all weight inputs (float32). */
  readonly weightBytes: number;

  constructor(
    readonly config: Gpt2Config,
    weights: Gpt2Weights,
    private readonly options: HookedGpt2Options = {},
  ) {
    this.layerNorm = options.layerNorm ?? 'as_configured';
    this.weightFeeds = makeWeightFeeds(config, weights);
    this.weightBytes = Object.values(this.weightFeeds).reduce((n, f) => n + f.data.byteLength, 0);
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
    const next = this.queue.then(() => this.runNow(tokens, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(tokensIn: TokenInput, options: RunOptions): Promise<RunResult> {
    if (this.disposed) throw new Error('the model was disposed');
    options.signal?.throwIfAborted();
    const c = this.config;
    const rows: readonly (readonly number[])[] = tokensIn.length > 0 && Array.isArray(tokensIn[0]) ? (tokensIn as number[][]) : [tokensIn as number[]];
    const batchFromTokens = rows.length;
    const pos = options.startAt ? options.startAt.residPre.dims[1] : rows[0].length;
    if (!options.startAt) this.checkTokens(rows);
    if (pos === 0) throw new Error('empty input: there are no tokens to run');
    if (pos > c.nCtx) throw new Error(`${pos} tokens is more than the model's context of ${c.nCtx} (n_positions)`);

    const fetch = [...new Set(options.fetch ?? [])];
    const patches = options.patches ?? [];
    const startLayer = options.startAt?.layer ?? 0;
    const hookLayer = (h: HookName): number => {
      const p = parseHookName(h, c.nLayers);
      if (p.kind === 'block') return p.layer;
      return p.name.startsWith('ln_final') ? c.nLayers - 1 : -1;
    };
    for (const h of [...fetch, ...patches.map((p) => p.hook)]) {
      const layer = hookLayer(h);
      if (options.startAt && (layer < startLayer || (layer === -1))) {
        throw new Error(`hook '${h}' comes before layer ${startLayer}, where this run starts`);
      }
    }
    const logitsReq = options.logits ?? 'last';
    const logitPositions = logitsReq === 'none' ? [] : logitsReq === 'all' ? Array.from({ length: pos }, (_, i) => i) : logitsReq === 'last' ? [pos - 1] : [...logitsReq];
    for (const p of logitPositions) if (!Number.isInteger(p) || p < 0 || p >= pos) throw new Error(`logit position ${p} outside 0..${pos - 1}`);
    if (logitsReq !== 'none' && logitPositions.length === 0) throw new Error('no logit positions requested');
    const fetchesLnFinal = fetch.some((h) => h.startsWith('ln_final'));
    const needsAllLayers = logitsReq !== 'none' || fetchesLnFinal;
    const deepest = Math.max(startLayer, ...fetch.map(hookLayer), ...patches.map((p) => hookLayer(p.hook)));
    const spec: Gpt2GraphSpec = {
      startLayer,
      stopAfterLayer: needsAllLayers ? c.nLayers - 1 : deepest,
      logits: logitsReq === 'none' ? (fetchesLnFinal ? 'selected' : 'none') : logitsReq === 'all' ? 'all' : 'selected',
      patchedHooks: [...new Set(patches.map((p) => p.hook))].sort(),
      perHeadResult: [...fetch, ...patches.map((p) => p.hook)].some((h) => h.endsWith('attn.hook_result')),
      layerNorm: this.layerNorm,
      residInputAtStart: !!options.startAt && startLayer === 0,
      pastPrefix: !!options.reusePrefix,
      backward: !!options.gradient,
    };
    // The batch is the largest of: the token rows, the fed residual's batch, and what the patches
    // address. A single token row or residual is broadcast to it.
    const patchBatch = Math.max(1, ...patches.map((p) => Math.max(p.values.dims[0], ...(p.batch ?? [0]).map((b) => b + 1))));
    const batch = Math.max(batchFromTokens, options.startAt?.residPre.dims[0] ?? 1, patchBatch);
    if (batchFromTokens !== 1 && batchFromTokens !== batch && !options.startAt) {
      throw new Error(`${batchFromTokens} token rows, but the patches address ${batch} batch elements`);
    }
    // Reusing a prefix: compute only positions [prefix, pos); everything fed is sliced to them.
    const prefix = options.reusePrefix?.length ?? 0;
    if (options.reusePrefix) {
      if (!Number.isInteger(prefix) || prefix < 1 || prefix >= pos) throw new Error(`reusePrefix.length ${prefix} must be in 1..${pos - 1}`);
      if (fetch.length) throw new Error('hooks cannot be fetched while reusing a prefix (they would cover only the later positions)');
      const early = logitPositions.find((p) => p < prefix);
      if (early !== undefined) throw new Error(`logit position ${early} lies in the reused prefix (< ${prefix})`);
    }
    const n = pos - prefix; // positions computed
    const feeds: Record<string, FeedTensor> = {
      [INPUT.causalMask]: this.causalMask(pos, prefix),
      ...patchFeeds(c, prefix ? patches.map((p) => suffixPatch(p, prefix, pos)) : patches, batch, n, pos),
    };
    if (options.startAt) {
      const resid = prefix ? sliceAxisFrom(options.startAt.residPre, 1, prefix) : options.startAt.residPre;
      feeds[INPUT.residIn] = this.residFeed(resid, batch, n);
    } else {
      const ids = new BigInt64Array(batch * n);
      for (let b = 0; b < batch; b++) rows[rows.length === 1 ? 0 : b].slice(prefix).forEach((t, i) => (ids[b * n + i] = BigInt(t)));
      feeds[INPUT.tokens] = { type: 'int64', dims: [batch, n], data: ids };
      feeds[INPUT.positions] = { type: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(prefix + i)) };
    }
    if (options.reusePrefix) {
      for (let l = spec.startLayer; l <= spec.stopAfterLayer; l++) {
        for (const [input, suffix] of [[INPUT.pastK(l), 'attn.hook_k'], [INPUT.pastV(l), 'attn.hook_v']] as const) {
          const past = repeatBatch(sliceAxisFrom(options.reusePrefix.from.get(blockHook(l, suffix)), 1, 0, prefix), batch);
          feeds[input] = { type: 'float32', dims: past.dims, data: past.data };
        }
      }
    }
    if (spec.logits === 'selected') {
      const lp = (logitPositions.length ? logitPositions : [pos - 1]).map((p) => p - prefix);
      feeds[INPUT.logitPositions] = { type: 'int64', dims: [lp.length], data: BigInt64Array.from(lp.map(BigInt)) };
    }
    const gradHooks = options.gradient ? [...new Set(options.gradient.hooks)] : [];
    if (options.gradient) {
      const { metricGrad, position = pos - 1 } = options.gradient;
      if (options.startAt || options.reusePrefix) throw new Error('gradients need the whole model from tokens: no startAt or reusePrefix');
      if (metricGrad.length !== c.dVocab && metricGrad.length !== batch * c.dVocab) {
        throw new Error(`gradient.metricGrad has ${metricGrad.length} entries, expected d_vocab = ${c.dVocab} (or batch × d_vocab)`);
      }
      if (!Number.isInteger(position) || position < 0 || position >= pos) throw new Error(`gradient.position ${position} outside 0..${pos - 1}`);
      for (const h of gradHooks) {
        const parsed = parseHookName(h, c.nLayers);
        if (parsed.kind !== 'block' || !GRADIENT_HOOKS.includes(parsed.suffix)) throw new Error(`no gradient for '${h}': gradients exist for blocks.{l}.{${GRADIENT_HOOKS.join('|')}}`);
      }
      const grads = new Float32Array(batch * c.dVocab);
      if (metricGrad.length === grads.length) grads.set(metricGrad);
      else for (let b = 0; b < batch; b++) grads.set(metricGrad, b * c.dVocab);
      feeds[INPUT.metricGrad] = { type: 'float32', dims: [batch, c.dVocab], data: grads };
      const onehot = new Float32Array(pos);
      onehot[position] = 1;
      feeds[INPUT.metricPosition] = { type: 'float32', dims: [pos, 1], data: onehot };
    }
    const session = await this.session(spec);
    options.signal?.throwIfAborted();
    const fetchNames = [...fetch, ...(logitsReq === 'none' ? [] : [OUTPUT.logits]), ...gradHooks.map(gradName)];
    if (fetchNames.length === 0) throw new Error('nothing to compute: no hooks to fetch and logits "none"');
    const out = await session.run(feeds, fetchNames, this.weightFeeds);
    const cache = new Map<HookName, Float32Tensor>();
    for (const h of fetch) cache.set(h, out[h]);
    const gradients = options.gradient ? new ActivationCache(new Map(gradHooks.map((h) => [h, out[gradName(h)]]))) : undefined;
    return { logits: logitsReq === 'none' ? undefined : out[OUTPUT.logits], logitPositions, cache: new ActivationCache(cache), gradients };
  }

  private checkTokens(rows: readonly (readonly number[])[]): void {
    const len = rows[0]?.length ?? 0;
    rows.forEach((r, b) => {
      if (r.length !== len) throw new Error(`batch element ${b} has ${r.length} tokens, element 0 has ${len}: a batch needs equal lengths`);
      r.forEach((t, i) => {
        if (!Number.isInteger(t) || t < 0 || t >= this.config.dVocab) throw new Error(`token id ${t} at position ${i} is outside the vocabulary (0..${this.config.dVocab - 1})`);
      });
    });
  }

  private residFeed(resid: Float32Tensor, batch: number, pos: number): FeedTensor {
    const d = this.config.dModel;
    const [rb, rp, rd] = resid.dims;
    if (resid.dims.length !== 3 || rp !== pos || rd !== d || (rb !== 1 && rb !== batch)) {
      throw new Error(`startAt.residPre has shape [${resid.dims.join(', ')}], expected [1 or ${batch}, ${pos}, ${d}]`);
    }
    if (rb === batch) return { type: 'float32', dims: [batch, pos, d], data: resid.data };
    const data = new Float32Array(batch * pos * d);
    for (let b = 0; b < batch; b++) data.set(resid.data, b * pos * d);
    return { type: 'float32', dims: [batch, pos, d], data };
  }

  /** [query_pos, key_pos] for queries at positions [prefix, pos) over keys [0, pos): true where key ≤ query. */
  private causalMask(pos: number, prefix = 0): FeedTensor {
    const key = `${pos}:${prefix}`;
    let m = this.maskCache.get(key);
    if (!m) {
      const n = pos - prefix;
      const data = new Uint8Array(n * pos);
      for (let q = 0; q < n; q++) data.fill(1, q * pos, q * pos + prefix + q + 1);
      m = { type: 'bool', dims: [n, pos], data };
      this.maskCache.set(key, m);
    }
    return m;
  }

  private session(spec: Gpt2GraphSpec): Promise<OrtSession> {
    const key = specKey(spec);
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key); // LRU: move to the end
      this.sessions.set(key, s);
      return s;
    }
    const label = `gpt2[${spec.startLayer}..${spec.stopAfterLayer}${spec.patchedHooks.length ? ` patch ${spec.patchedHooks.join(',')}` : ''}${spec.perHeadResult ? ' +result' : ''} logits:${spec.logits}]`;
    const plain = spec.startLayer === 0 && !spec.residInputAtStart && !spec.pastPrefix && !spec.backward && spec.patchedHooks.length === 0 && !spec.perHeadResult;
    const graph = buildGpt2Graph(this.config, spec);
    const embed = plain && (this.options.embedWeightsInForward ?? this.weightBytes <= EMBED_WEIGHTS_MAX_BYTES);
    s = OrtSession.create(encodeOnnxModel(embed ? embedWeights(graph, this.weightFeeds) : graph), embed ? `${label} (weights embedded)` : label, { threads: this.options.threads, spinning: false });
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

/** A patch in full-prompt coordinates, restricted to the positions from `prefix` on. */
function suffixPatch(p: HookPatch, prefix: number, pos: number): HookPatch {
  const axis = positionAxis(p.hook);
  const positions = (p.positions ?? Array.from({ length: pos }, (_, i) => i)).filter((q) => q >= prefix).map((q) => q - prefix);
  return { ...p, values: sliceAxisFrom(p.values, axis, prefix), positions };
}
