/**
 * The residual-stream analysis of one prompt, from one cached forward: the logit lens, residual
 * norms and direct logit attribution (records in `src/shared/residualStream.ts`).
 *
 * Two entry points:
 * - `runResidualStream(model, tokens, options)` runs the forward (`residualStreamRunOptions`) and
 *   analyses it: what the engine handler and the CLI call.
 * - `analyseResidualStream(model, run, tokens, options)` analyses a forward the caller already ran
 *   with at least `residualStreamHooks(nLayers)` fetched and logits at `residualStreamLogitPositions`.
 *
 * The norms and DLA come first and go to `onPartial` before the logit lens, the long part, starts;
 * the lens then reports its rows through `onProgress`.
 *
 * Bad input (answer equal to wrong, a position outside the prompt, an id outside the vocabulary) throws
 * `ResidualInputError`, whose `code` the engine maps to a `bad-request`.
 */
import type { LensVariant, DirectLogitAttributionRecord, LogitLensRecord, ResidualNormsRecord } from '../../shared/residualStream';
import type { PromptToken } from '../../shared/tokens';
import type { HookedGpt2, RunResult } from '../../model/hookedGpt2';
import { ResidualInputError } from './residualInputError';
import { residualStreamHooks, residualStreamLogitPositions } from './residualHooks';
import { computeLogitLens } from './logitLens';
import { computeResidualNorms } from './residualNorms';
import { computeDirectLogitAttribution } from './directLogitAttribution';
import { topLogitId } from './vectors';

export { ResidualInputError, type ResidualInputErrorCode } from './residualInputError';
export { residualStreamHooks, residualStreamLogitPositions } from './residualHooks';
export { releaseLensSessions } from '../../model/lensUnembed';

export interface ResidualStreamOptions {
  /** Logit-lens variant (default `recompute`). */
  readonly variant?: LensVariant;
  /** Top tokens kept per lens cell (default 10; at most the vocabulary). */
  readonly k?: number;
  /** Answer token id: the lens reports its probability and rank, DLA projects onto it. Default: the model's top token at the last position. */
  readonly answerId?: number;
  /** Wrong token id: DLA projects onto `W_U[:, answer] − W_U[:, wrong]`. Absent: onto `W_U[:, answer]`. */
  readonly wrongId?: number;
  /** DLA position (default: the last). Negative counts from the end (−1 = last). */
  readonly position?: number;
  /** Token text for `tokenTexts` and the `TokenRef`s (default: the prompt token's text, else `#id`). */
  readonly decode?: (id: number) => string;
  /** Largest [rows, d_vocab] float32 logits the lens computes per ONNX run (default 64 MiB). */
  readonly lensChunkBytes?: number;
  readonly signal?: AbortSignal;
  /**
   * The norms and DLA, as soon as they are computed and before the lens starts (they take about one
   * forward; the lens, which unembeds every boundary at every position, several): a view can draw
   * them while the lens runs. Called once, with the same arrays the result holds.
   */
  readonly onPartial?: (partial: ResidualStreamPartial) => void;
  /** Lens rows (boundary, position) unembedded of all (n_layers + 1) × n_tokens, after each chunk (the lens is the long part). */
  readonly onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface ResidualStreamResult {
  readonly lens: LogitLensRecord;
  readonly norms: ResidualNormsRecord;
  readonly dla: DirectLogitAttributionRecord;
}

/** What is known before the logit lens: the norms and DLA. */
export type ResidualStreamPartial = Omit<ResidualStreamResult, 'lens'>;

/** The part of a forward's result the analysis reads. */
export type ResidualStreamRun = Pick<RunResult, 'cache' | 'logits' | 'logitPositions'>;

/** Checks options against the prompt and model; returns the resolved position (≥ 0). */
export function resolveResidualOptions(model: HookedGpt2, nTokens: number, options: ResidualStreamOptions): { position: number; k: number } {
  const { dVocab } = model.config;
  if (nTokens < 1) throw new ResidualInputError('empty', 'the prompt has no tokens');
  const raw = options.position ?? nTokens - 1;
  if (!Number.isInteger(raw) || raw >= nTokens || raw < -nTokens) {
    throw new ResidualInputError('position', `position ${raw} is outside the prompt (${nTokens} tokens: 0..${nTokens - 1}, or −1..−${nTokens} from the end)`);
  }
  const position = raw < 0 ? nTokens + raw : raw;
  for (const [name, id] of [
    ['answer', options.answerId],
    ['wrong', options.wrongId],
  ] as const) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= dVocab)) {
      throw new ResidualInputError('vocab', `${name} token id ${id} is outside the vocabulary (0..${dVocab - 1})`);
    }
  }
  if (options.answerId !== undefined && options.answerId === options.wrongId) {
    throw new ResidualInputError(
      'same-token',
      `the answer and the wrong token are the same token (id ${options.answerId}): their logit difference is 0 by definition`,
    );
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1) throw new ResidualInputError('k', `k must be a positive whole number (got ${k})`);
  return { position, k: Math.min(k, dVocab) };
}

/** Runs one cached forward for `tokens` and analyses it. */
export async function runResidualStream(model: HookedGpt2, tokens: readonly PromptToken[], options: ResidualStreamOptions = {}): Promise<ResidualStreamResult> {
  const { position } = resolveResidualOptions(model, tokens.length, options);
  const run = await model.runWithCache(
    tokens.map((t) => t.id),
    residualStreamHooks(model.config.nLayers),
    { logits: residualStreamLogitPositions(tokens.length, position), signal: options.signal },
  );
  return analyseResidualStream(model, run, tokens, options);
}

/** Analyses a forward that fetched `residualStreamHooks` and the logits at `residualStreamLogitPositions`. */
export async function analyseResidualStream(
  model: HookedGpt2,
  run: ResidualStreamRun,
  tokens: readonly PromptToken[],
  options: ResidualStreamOptions = {},
): Promise<ResidualStreamResult> {
  const { position, k } = resolveResidualOptions(model, tokens.length, options);
  const last = tokens.length - 1;
  const logitsAt = (pos: number): Float32Array => {
    const i = run.logitPositions.indexOf(pos);
    if (!run.logits || i < 0)
      throw new ResidualInputError(
        'no-logits',
        `the forward did not compute the logits at position ${pos} (it has ${run.logitPositions.join(', ') || 'none'})`,
      );
    const v = model.config.dVocab;
    return run.logits.data.subarray(i * v, (i + 1) * v);
  };
  const answerId = options.answerId ?? topLogitId(logitsAt(last));
  if (answerId === options.wrongId) {
    throw new ResidualInputError(
      'same-token',
      `the wrong token is the model's own top prediction (id ${answerId}), which is the default answer: name another answer or wrong token`,
    );
  }
  const decode = (id: number): string => options.decode?.(id) ?? tokens.find((t) => t.id === id)?.text ?? `#${id}`;
  options.signal?.throwIfAborted();
  const norms = computeResidualNorms(model.config, run.cache, tokens);
  const dla = computeDirectLogitAttribution(model, run.cache, tokens.length, {
    position,
    answer: { id: answerId, text: decode(answerId) },
    wrong: options.wrongId === undefined ? undefined : { id: options.wrongId, text: decode(options.wrongId) },
    logits: logitsAt(position),
  });
  options.onPartial?.({ norms, dla });
  options.signal?.throwIfAborted();
  const lens = await computeLogitLens(model, run.cache, tokens.length, {
    variant: options.variant ?? 'recompute',
    k,
    answer: { id: answerId, text: decode(answerId) },
    decode,
    maxChunkBytes: options.lensChunkBytes,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { lens, norms, dla };
}
