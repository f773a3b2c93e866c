/**
 * Builds the `inspection` message payload from a run's attention patterns, one layer at a time
 * (so the caller can fetch `blocks.{l}.attn.hook_pattern` layer by layer and drop each one).
 */
import type { HeadSummary, InspectionParams, TokenInfo } from '../shared/inspection';
import { bosAttentionScores, inductionScores, meanEntropies, patternShape, previousTokenScores, type LayerPattern } from './headScores';
import { SpecialTokenDetector, type SpecialTokenOptions } from './specialTokens';
import { maxPoolPattern, thumbnailSize } from '../shared/thumbnail';
import { DEFAULT_WATCH_TOKENS, matchWatchTokens, normalizeWatchList } from './watchTokens';

export interface InspectionTokenInput {
  readonly text: string;
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly isBos: boolean;
  /** A special token read from the text as itself (see `PromptToken.isSpecial`). */
  readonly isSpecial?: boolean;
}

export interface InspectionInput {
  readonly inspectionId: string;
  readonly modelName: string;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly tokens: readonly InspectionTokenInput[];
  /** `circuitInspector.watchTokens`; default `["self", "param"]`. */
  readonly watchTokens?: readonly string[];
  /** Largest thumbnail side (default 32). */
  readonly thumbMaxSize?: number;
  readonly stale?: boolean;
  readonly specialTokens?: SpecialTokenOptions;
}

export class InspectionBuilder {
  private readonly thumbSize: number;
  private readonly thumbs: Float32Array;
  private readonly summaries: (HeadSummary | undefined)[];
  private readonly detector: SpecialTokenDetector;
  private readonly done: boolean[];
  private readonly tokenIds: number[];
  private readonly isBos: boolean[];

  constructor(private readonly input: InspectionInput) {
    const { nLayers, nHeads, tokens } = input;
    if (tokens.length === 0) throw new Error('an inspection needs at least one token');
    this.thumbSize = thumbnailSize(tokens.length, input.thumbMaxSize ?? 32);
    this.thumbs = new Float32Array(nLayers * nHeads * this.thumbSize * this.thumbSize);
    this.summaries = new Array<HeadSummary | undefined>(nLayers * nHeads).fill(undefined);
    this.detector = new SpecialTokenDetector(tokens, input.specialTokens);
    this.done = new Array<boolean>(nLayers).fill(false);
    this.tokenIds = tokens.map((t) => t.id);
    this.isBos = tokens.map((t) => t.isBos);
  }

  /** Adds layer `layer`'s pattern [head_index, query_pos, key_pos]. */
  addLayer(layer: number, p: LayerPattern): this {
    const { nLayers, nHeads, tokens } = this.input;
    if (!Number.isInteger(layer) || layer < 0 || layer >= nLayers) throw new RangeError(`layer ${layer} outside 0..${nLayers - 1}`);
    const shape = patternShape(p);
    if (shape.nHeads !== nHeads || shape.nTokens !== tokens.length) {
      throw new Error(`layer ${layer} pattern is [${p.dims.join(', ')}] but the inspection expects [${nHeads}, ${tokens.length}, ${tokens.length}]`);
    }
    const n = tokens.length;
    const s = this.thumbSize;
    for (let h = 0; h < nHeads; h++) {
      maxPoolPattern(p.data, n, s, this.thumbs, h * n * n, (layer * nHeads + h) * s * s);
    }
    const prev = previousTokenScores(p);
    const ind = inductionScores(p, this.tokenIds, this.isBos);
    const bos = bosAttentionScores(p, 0);
    const ent = meanEntropies(p);
    for (let h = 0; h < nHeads; h++) {
      this.summaries[layer * nHeads + h] = {
        layer,
        head: h,
        prevToken: finiteOr(prev[h], 0),
        induction: Number.isFinite(ind[h]) ? ind[h] : null,
        bos: finiteOr(bos[h], 0),
        entropy: finiteOr(ent[h], 0),
      };
    }
    this.detector.addLayer(layer, p);
    this.done[layer] = true;
    return this;
  }

  finish(): InspectionParams {
    const missing = this.done.flatMap((d, l) => (d ? [] : [l]));
    if (missing.length > 0) throw new Error(`inspection is missing the patterns of layer(s) ${missing.join(', ')}`);
    const { input } = this;
    const watch = normalizeWatchList(input.watchTokens ?? DEFAULT_WATCH_TOKENS);
    const watched = matchWatchTokens(
      input.tokens.map((t) => t.text),
      watch,
    );
    const tokens: TokenInfo[] = input.tokens.map((t, i) => ({
      text: t.text,
      id: t.id,
      start: t.start,
      end: t.end,
      isBos: t.isBos,
      ...(t.isSpecial && !t.isBos ? { isSpecial: true } : {}),
      isWatched: watched[i] && !t.isBos,
    }));
    return {
      inspectionId: input.inspectionId,
      modelName: input.modelName,
      n_layers: input.nLayers,
      n_heads: input.nHeads,
      tokens,
      thumbSize: this.thumbSize,
      thumbnails_layer_head_q_k: this.thumbs,
      headSummaries: this.summaries.map((s) => s ?? unreachable()),
      specialTokens: this.detector.findings(),
      watchTokens: watch,
      stale: input.stale ?? false,
    };
  }
}

function finiteOr(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

function unreachable(): never {
  throw new Error('head summary missing after all layers were added');
}

/** Builds an inspection from every layer's pattern at once. */
export function buildInspection(input: InspectionInput, layers: readonly LayerPattern[]): InspectionParams {
  const b = new InspectionBuilder(input);
  layers.forEach((p, l) => b.addLayer(l, p));
  return b.finish();
}

/**
 * One head's [q, k] pattern as its own compact Float32Array (a copy, not a view: a view would
 * post its whole underlying buffer), ready for a `headPattern` response.
 */
export function headPatternOf(p: LayerPattern, head: number): Float32Array {
  const { nHeads, nTokens: n } = patternShape(p);
  if (!Number.isInteger(head) || head < 0 || head >= nHeads) throw new RangeError(`head ${head} outside 0..${nHeads - 1}`);
  return p.data.slice(head * n * n, (head + 1) * n * n);
}
