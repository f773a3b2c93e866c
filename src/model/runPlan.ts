/**
 * Turns a run's arguments into a graph variant (spec) and its feeds, checking everything first so
 * bad input gets an error that names the problem: token ids, lengths, hooks before the start
 * layer, patch shapes, prefix reuse and gradient requests.
 */
import { blockHook, parseHookName, type BlockHookSuffix, type HookName } from '../shared/hookNames';
import type { CausalMasks } from './causalMasks';
import type { Gpt2Config } from './gpt2Config';
import { GRADIENT_HOOKS, gradName } from './graph/gpt2Backward';
import { INPUT, OUTPUT, type Gpt2GraphSpec, type LayerNormMode } from './graph/gpt2GraphSpec';
import { patchFeeds, positionAxis, type HookPatch } from './hookPatch';
import type { FeedTensor } from './ort';
import type { RunOptions, TokenInput } from './runOptions';
import { numel, sliceAxisFrom, type Float32Tensor } from './tensor';
import type { ActivationCache } from './activationCache';

export interface RunPlan {
  readonly spec: Gpt2GraphSpec;
  readonly feeds: Record<string, FeedTensor>;
  /** Graph outputs to fetch: hooks, then logits, then `grad:` outputs. */
  readonly fetchNames: readonly string[];
  readonly fetch: readonly HookName[];
  readonly gradHooks: readonly HookName[];
  readonly logitPositions: readonly number[];
  readonly withLogits: boolean;
}

export function planRun(c: Gpt2Config, layerNorm: LayerNormMode, masks: CausalMasks, tokensIn: TokenInput, options: RunOptions): RunPlan {
  const rows: readonly (readonly number[])[] = tokensIn.length > 0 && Array.isArray(tokensIn[0]) ? (tokensIn as number[][]) : [tokensIn as number[]];
  const batchFromTokens = rows.length;
  const pos = options.startAt ? options.startAt.residPre.dims[1] : rows[0].length;
  if (!options.startAt) checkTokens(c, rows);
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
    if (options.startAt && (layer < startLayer || layer === -1)) {
      throw new Error(`hook '${h}' comes before layer ${startLayer}, where this run starts`);
    }
  }
  const logitsReq = options.logits ?? 'last';
  const logitPositions =
    logitsReq === 'none' ? [] : logitsReq === 'all' ? Array.from({ length: pos }, (_, i) => i) : logitsReq === 'last' ? [pos - 1] : [...logitsReq];
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
    layerNorm,
    residInputAtStart: !!options.startAt && startLayer === 0,
    pastPrefix: !!options.reusePrefix,
    backward: !!options.gradient,
    ...(options.trimLastBlock && canTrimLastBlock(c, logitsReq, fetch, patches, !!options.gradient) ? { trimLastBlock: true } : {}),
    ...hookExposure(c, fetch, patches, startLayer, needsAllLayers ? c.nLayers - 1 : deepest),
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
    ...(spec.attentionMask === 'where' ? { [INPUT.causalMask]: masks.get(pos, prefix) } : { [INPUT.causalBias]: masks.bias(pos, prefix) }),
    ...patchFeeds(c, prefix ? patches.map((p) => suffixPatch(p, prefix, pos)) : patches, batch, n, pos),
  };
  if (options.startAt) {
    const resid = prefix ? sliceAxisFrom(options.startAt.residPre, 1, prefix) : options.startAt.residPre;
    feeds[INPUT.residIn] = residFeed(c, resid, batch, n);
  } else {
    const ids = new BigInt64Array(batch * n);
    for (let b = 0; b < batch; b++) rows[rows.length === 1 ? 0 : b].slice(prefix).forEach((t, i) => (ids[b * n + i] = BigInt(t)));
    feeds[INPUT.tokens] = { type: 'int64', dims: [batch, n], data: ids };
    feeds[INPUT.positions] = { type: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(prefix + i)) };
  }
  if (options.reusePrefix) {
    const from = options.reusePrefix.from;
    if (Array.isArray(from) && from.length !== batch) throw new Error(`reusePrefix.from has ${from.length} caches for a batch of ${batch}`);
    for (let l = spec.startLayer; l <= spec.stopAfterLayer; l++) {
      for (const [input, suffix] of [
        [INPUT.pastK(l), 'attn.hook_k'],
        [INPUT.pastV(l), 'attn.hook_v'],
      ] as const) {
        const hook = blockHook(l, suffix);
        const past = Array.isArray(from)
          ? stackPrefixes(from as readonly ActivationCache[], hook, prefix)
          : sliceAxisFrom((from as ActivationCache).get(hook), 1, 0, prefix); // [1, prefix, …]: the graph broadcasts it over the batch
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
      if (parsed.kind !== 'block' || !GRADIENT_HOOKS.includes(parsed.suffix))
        throw new Error(`no gradient for '${h}': gradients exist for blocks.{l}.{${GRADIENT_HOOKS.join('|')}}`);
    }
    const grads = new Float32Array(batch * c.dVocab);
    if (metricGrad.length === grads.length) grads.set(metricGrad);
    else for (let b = 0; b < batch; b++) grads.set(metricGrad, b * c.dVocab);
    feeds[INPUT.metricGrad] = { type: 'float32', dims: [batch, c.dVocab], data: grads };
    const onehot = new Float32Array(pos);
    onehot[position] = 1;
    feeds[INPUT.metricPosition] = { type: 'float32', dims: [pos, 1], data: onehot };
  }
  const fetchNames = [...fetch, ...(logitsReq === 'none' ? [] : [OUTPUT.logits]), ...gradHooks.map(gradName)];
  if (fetchNames.length === 0) throw new Error('nothing to compute: no hooks to fetch and logits "none"');
  return { spec, feeds, fetchNames, fetch, gradHooks, logitPositions, withLogits: logitsReq !== 'none' };
}

/**
 * The hooks a graph variant exposes: the fetched hooks' class, so the number of variants stays
 * small. A fetched block hook exposes its suffix at every computed layer (fetching layer 3's pattern
 * and then layer 4's is one variant); global hooks are exposed by name. No fetch, no outputs.
 * The masked scores need `Where` only when `attn.hook_attn_scores` is exposed or patched.
 */
export function hookExposure(
  c: Gpt2Config,
  fetch: readonly HookName[],
  patches: readonly HookPatch[],
  startLayer: number,
  stopAfterLayer: number,
): Pick<Gpt2GraphSpec, 'exposedHooks' | 'attentionMask'> {
  const globals = new Set<HookName>();
  const suffixes = new Set<BlockHookSuffix>();
  for (const h of fetch) {
    const p = parseHookName(h, c.nLayers);
    if (p.kind === 'block') suffixes.add(p.suffix);
    else globals.add(p.name);
  }
  const exposedHooks: HookName[] = [...globals].sort();
  for (const s of [...suffixes].sort()) for (let l = startLayer; l <= stopAfterLayer; l++) exposedHooks.push(blockHook(l, s));
  const needsWhere = suffixes.has('attn.hook_attn_scores') || patches.some((p) => p.hook.endsWith('.attn.hook_attn_scores'));
  return { exposedHooks, attentionMask: needsWhere ? 'where' : 'additive' };
}

function checkTokens(c: Gpt2Config, rows: readonly (readonly number[])[]): void {
  const len = rows[0]?.length ?? 0;
  rows.forEach((r, b) => {
    if (r.length !== len) throw new Error(`batch element ${b} has ${r.length} tokens, element 0 has ${len}: a batch needs equal lengths`);
    r.forEach((t, i) => {
      if (!Number.isInteger(t) || t < 0 || t >= c.dVocab) throw new Error(`token id ${t} at position ${i} is outside the vocabulary (0..${c.dVocab - 1})`);
    });
  });
}

function residFeed(c: Gpt2Config, resid: Float32Tensor, batch: number, pos: number): FeedTensor {
  const d = c.dModel;
  const [rb, rp, rd] = resid.dims;
  if (resid.dims.length !== 3 || rp !== pos || rd !== d || (rb !== 1 && rb !== batch)) {
    throw new Error(`startAt.residPre has shape [${resid.dims.join(', ')}], expected [1 or ${batch}, ${pos}, ${d}]`);
  }
  if (rb === batch) return { type: 'float32', dims: [batch, pos, d], data: resid.data };
  const data = new Float32Array(batch * pos * d);
  for (let b = 0; b < batch; b++) data.set(resid.data, b * pos * d);
  return { type: 'float32', dims: [batch, pos, d], data };
}

/** The first `prefix` positions of `hook` from each cache (batch 1 each), stacked along the batch axis. */
function stackPrefixes(caches: readonly ActivationCache[], hook: HookName, prefix: number): Float32Tensor {
  const first = caches[0].get(hook);
  const inner = numel(first.dims.slice(2));
  const dims = [caches.length, prefix, ...first.dims.slice(2)];
  const data = new Float32Array(numel(dims));
  caches.forEach((cache, b) => {
    const t = cache.get(hook);
    if (t.dims[0] !== 1 || t.dims[1] < prefix || numel(t.dims.slice(2)) !== inner) {
      throw new Error(`reusePrefix.from[${b}] has '${hook}' of shape [${t.dims.join(', ')}], expected [1, ≥ ${prefix}, ${first.dims.slice(2).join(', ')}]`);
    }
    data.set(t.data.subarray(0, prefix * inner), b * prefix * inner);
  });
  return { dims, data };
}

/** Last-block hooks computed before `trimLastBlock` selects the logit positions: they may still be patched. */
const BEFORE_TRIM = new Set(['hook_resid_pre', 'ln1.hook_scale', 'ln1.hook_normalized', 'attn.hook_q', 'attn.hook_k', 'attn.hook_v']);

/** Whether a run honours `trimLastBlock` (exported for the patching benchmark's row count). */
export function canTrimLastBlock(
  c: Gpt2Config,
  logits: RunOptions['logits'],
  fetch: readonly HookName[],
  patches: readonly HookPatch[],
  gradient: boolean,
): boolean {
  if (fetch.length || gradient || logits === 'none' || logits === 'all') return false;
  if (patches.some((p) => p.hook.endsWith('attn.hook_result'))) return false; // per-head results: not trimmed
  return patches.every((p) => {
    const h = parseHookName(p.hook, c.nLayers);
    return h.kind === 'block' && (h.layer < c.nLayers - 1 || BEFORE_TRIM.has(h.suffix));
  });
}

/** A patch in full-prompt coordinates, restricted to the positions from `prefix` on. */
function suffixPatch(p: HookPatch, prefix: number, pos: number): HookPatch {
  const axis = positionAxis(p.hook);
  const positions = (p.positions ?? Array.from({ length: pos }, (_, i) => i)).filter((q) => q >= prefix).map((q) => q - prefix);
  return { ...p, values: sliceAxisFrom(p.values, axis, prefix), positions };
}
