/**
 * A synthetic but realistic residual-stream record for the harness and component tests, from the
 * same Python prompt as the attention fixture: a logit lens whose early layers predict common or
 * current tokens with high entropy and whose late layers settle on the next token; residual norms
 * that grow by about ×1.4 per layer with BOS a flat outlier; DLA with a few strong heads (9.6
 * copies the answer from an earlier mention), MLPs, embeddings and biases that add up to the logit
 * difference exactly. Deterministic; no model runs.
 */
import type { ResidualPartialRecord } from '../../src/features/residual/shared/protocol';
import type { GrowthFit, LensVariant, ResidualNormsRecord, ResidualStreamRecord } from '../../src/shared/residualStream';
import type { PromptToken } from '../../src/shared/tokens';
import { noise, tokenize } from './fixtures';

export interface ResidualFixtureOptions {
  /** Token count, BOS included (default: the prompt's natural length, 30 when `short`). */
  readonly nTokens?: number;
  readonly nLayers?: number;
  readonly nHeads?: number;
  readonly variant?: LensVariant;
  /** Leave out the wrong token (DLA of the answer's logit alone). */
  readonly noWrong?: boolean;
  /** A logit difference of about 0.03: the view should say it hardly exists. */
  readonly tinyDiff?: boolean;
  /** Components that do not add up to `logitDiff` (a broken record): the view must warn. */
  readonly badSum?: boolean;
  /** Without BOS at position 0. */
  readonly noBos?: boolean;
  readonly inspectionId?: string;
  /** The position DLA is read at (default: the last). */
  readonly position?: number;
}

const COMMON = [' the', ',', '.', '\n', ' (', ' a', ' and', ' to', ' is', ' of', ')', ':'];

function growth(a: Float32Array, nLayers: number, nTokens: number, hasBos: boolean): GrowthFit {
  const from = hasBos ? 1 : 0;
  const factor = new Float32Array(nLayers);
  const bos = hasBos ? new Float32Array(nLayers) : null;
  const med: number[] = [];
  for (let b = 0; b <= nLayers; b++) {
    const xs = Array.from(a.subarray(b * nTokens + from, (b + 1) * nTokens)).sort((x, y) => x - y);
    const m = xs.length >> 1;
    med.push(xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2);
  }
  for (let l = 0; l < nLayers; l++) {
    let s = 0;
    for (let p = from; p < nTokens; p++) s += Math.log(a[(l + 1) * nTokens + p] / a[l * nTokens + p]);
    factor[l] = Math.exp(s / Math.max(1, nTokens - from));
    if (bos) bos[l] = a[(l + 1) * nTokens] / a[l * nTokens];
  }
  const n = med.length;
  const mx = (n - 1) / 2;
  const ly = med.map(Math.log);
  const my = ly.reduce((x, y) => x + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ly.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  return { factor_layer: factor, bos_factor_layer: bos, fitted: Math.exp(sxy / sxx) };
}

export function makeResidualFixture(o: ResidualFixtureOptions = {}): ResidualStreamRecord {
  const L = o.nLayers ?? 12;
  const H = o.nHeads ?? 12;
  const K = 10;
  const fixtureTokens = tokenize(PROMPT, o.nTokens);
  const tokens: PromptToken[] = (o.noBos ? fixtureTokens.slice(1) : fixtureTokens).map((t) => ({ ...t }));
  const T = tokens.length;
  const B = L + 1;
  const hasBos = tokens[0]?.isBos ?? false;

  // Vocabulary: the prompt's tokens and some common ones.
  const texts = new Map<number, string>();
  const idOf = new Map<string, number>();
  for (const t of tokens) {
    texts.set(t.id, t.text);
    idOf.set(t.text, t.id);
  }
  COMMON.forEach((c, i) => {
    if (!idOf.has(c)) {
      idOf.set(c, 30000 + i);
      texts.set(30000 + i, c);
    }
  });
  const vocab = [...idOf.values()];
  const nextText = (p: number) => (p + 1 < T ? tokens[p + 1].text : ' old');
  if (!idOf.has(' old')) {
    idOf.set(' old', 30100);
    texts.set(30100, ' old');
  }

  // Logit lens.
  const topIds = new Int32Array(B * T * K);
  const topProbs = new Float32Array(B * T * K);
  const entropy = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const s = b / L;
    for (let p = 0; p < T; p++) {
      const conf = s * s * (0.35 + 0.65 * noise(b >> 2, p, 1, 0)) * (o.variant === 'cached-scale' && b < L ? 0.15 : 1);
      const early = b < 3 ? tokens[p].text : COMMON[Math.floor(noise(b, p, 2, 0) * COMMON.length)];
      const first = conf > 0.2 && noise(b >> 1, p, 3, 0) > 0.15 ? nextText(p) : early;
      const top = o.variant === 'cached-scale' && b < L ? 0.002 + 0.01 * s : conf > 0.2 ? Math.min(0.97, 0.15 + conf) : 0.02 + 0.12 * s * noise(b, p, 4, 0);
      const chosen = [first];
      for (let j = 1; chosen.length < K; j++) {
        const c = j === 1 ? nextText(p) : (texts.get(vocab[Math.floor(noise(b, p, 5, j) * vocab.length)]) ?? ',');
        if (!chosen.includes(c)) chosen.push(c);
      }
      let rest = (1 - top) * (0.5 + 0.3 * s);
      chosen.forEach((c, j) => {
        const i = (b * T + p) * K + j;
        topIds[i] = idOf.get(c) ?? 0;
        const pr = j === 0 ? top : Math.min(top * 0.98, rest * 0.45);
        if (j > 0) rest -= pr;
        topProbs[i] = pr;
      });
      entropy[b * T + p] = 0.3 + 8.5 * (1 - Math.min(1, top)) * (1 - 0.4 * s);
    }
  }
  const lastTop = topIds[(L * T + T - 1) * K];
  const answer = { id: lastTop, text: texts.get(lastTop) ?? '' };
  const answerLogprob = new Float32Array(B * T);
  const answerRank = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < T; p++) {
      let j = 0;
      while (j < K && topIds[(b * T + p) * K + j] !== answer.id) j++;
      const inTop = j < K;
      answerRank[b * T + p] = inTop ? j : Math.round(40 + 3000 * (1 - b / L) * noise(b, p, 6, 0));
      answerLogprob[b * T + p] = inTop ? Math.log(topProbs[(b * T + p) * K + j]) : -7 - 4 * (1 - b / L) - noise(b, p, 7, 0);
    }
  }
  texts.set(answer.id, answer.text);

  // Norms.
  const rawN = new Float32Array(B * T);
  const cent = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < T; p++) {
      const bos = hasBos && p === 0;
      const v = bos
        ? 3000 * 1.015 ** b * (1 + 0.02 * noise(b, 0, 8, 0))
        : 42 * 1.42 ** b * (0.75 + 0.5 * noise(p, 0, 9, 0)) * (0.95 + 0.1 * noise(b, p, 10, 0));
      rawN[b * T + p] = v;
      cent[b * T + p] = v * (bos ? 0.6 : 0.82 + 0.1 * noise(b, p, 11, 0));
    }
  }
  const attnOut = new Float32Array(L * T);
  const mlpOut = new Float32Array(L * T);
  for (let l = 0; l < L; l++) {
    for (let p = 0; p < T; p++) {
      attnOut[l * T + p] = 9 * 1.3 ** l * (0.6 + 0.8 * noise(l, p, 12, 0));
      mlpOut[l * T + p] = (l === 0 ? 95 : 12 * 1.45 ** l) * (0.6 + 0.8 * noise(l, p, 13, 0));
    }
  }
  const norms: ResidualNormsRecord = {
    n_boundaries: B,
    n_layers: L,
    n_tokens: T,
    hasBos,
    raw_boundary_pos: rawN,
    centred_boundary_pos: cent,
    attn_out_layer_pos: attnOut,
    mlp_out_layer_pos: mlpOut,
    rawGrowth: growth(rawN, L, T, hasBos),
    centredGrowth: growth(cent, L, T, hasBos),
  };

  // DLA at the last position.
  const position = Math.min(T - 1, o.position ?? T - 1);
  const wrongText = ' value';
  const wrong = o.noWrong ? undefined : { id: idOf.get(wrongText) ?? 30200, text: wrongText };
  const damp = o.tinyDiff ? 0.01 : 1;
  const named: Record<string, number> = { '9.6': 1.85, '10.0': 1.2, '11.10': -0.95, '7.3': 0.6, '5.5': 0.4, '10.7': -0.45 };
  const heads = new Float32Array(L * H);
  const sources = new Float32Array(L * H * T);
  // An earlier mention of the answer: where 9.6 copies from.
  let mention = tokens.findIndex((t, i) => i < position && t.id === answer.id);
  if (mention < 0) mention = Math.max(0, position - 5);
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const v = (named[`${l}.${h}`] ?? (noise(l, h, 14, 0) - 0.5) * 0.16) * damp;
      heads[l * H + h] = v;
      const w = new Float64Array(T);
      let sum = 0;
      for (let k = 0; k <= position; k++) {
        w[k] = (hasBos && k === 0 ? 2 : 0.2 * noise(l, h, 15, k)) + (k === mention && named[`${l}.${h}`] !== undefined ? 12 : 0) + (k === position ? 1 : 0);
        sum += w[k];
      }
      // A negative pull from one source for a few heads, so the strip shows both colours.
      const off = (l * H + h) * T;
      let acc = 0;
      for (let k = 0; k < position; k++) {
        const x = (v * w[k]) / sum + (k === position - 2 ? -0.15 * v : 0);
        sources[off + k] = x;
        acc += x;
      }
      sources[off + position] = v - acc;
    }
  }
  const attnBias = Float32Array.from({ length: L }, (_, l) => (noise(l, 0, 16, 0) - 0.5) * 0.04 * damp);
  const mlp = Float32Array.from({ length: L }, (_, l) => (l === 0 ? 0.55 : l === 10 ? 0.9 : (noise(l, 0, 17, 0) - 0.45) * 0.5) * damp);
  const tokenEmbed = 0.32 * damp;
  const posEmbed = -0.06 * damp;
  const lnFinalBias = 0.11 * damp;
  let total = tokenEmbed + posEmbed + lnFinalBias;
  for (const v of heads) total += v;
  for (const v of attnBias) total += v;
  for (const v of mlp) total += v;

  return {
    inspectionId: o.inspectionId ?? 'fixture-residual',
    modelName: 'gpt2-python-mini',
    n_layers: L,
    n_heads: H,
    tokens,
    lens: {
      variant: o.variant ?? 'recompute',
      n_boundaries: B,
      n_tokens: T,
      k: K,
      boundaryHooks: Array.from({ length: B }, (_, b) => (b < L ? `blocks.${b}.hook_resid_pre` : `blocks.${L - 1}.hook_resid_post`)),
      answer,
      top_ids_boundary_pos_k: topIds,
      top_probs_boundary_pos_k: topProbs,
      entropy_boundary_pos: entropy,
      answer_logprob_boundary_pos: answerLogprob,
      answer_rank_boundary_pos: answerRank,
      tokenTexts: Object.fromEntries(texts),
    },
    norms,
    dla: {
      position,
      direction: wrong ? { answer, wrong } : { answer },
      n_layers: L,
      n_heads: H,
      n_tokens: T,
      logitDiff: o.badSum ? total + 0.5 : total,
      total,
      finalScale: 17.3,
      tokenEmbed,
      posEmbed,
      heads_layer_head: heads,
      attnBias_layer: attnBias,
      mlp_layer: mlp,
      lnFinalBias,
      sources_layer_head_key: sources,
    },
  };
}

/** The same record before its logit lens is computed: norms and DLA, no `lens` (what a run posts first). */
export function makeResidualPartial(o: ResidualFixtureOptions = {}): ResidualPartialRecord {
  const { lens, ...rest } = makeResidualFixture(o);
  return { ...rest, pendingVariant: lens.variant };
}

/** The prompt: the attention fixture's method, ending on a token the model should continue. */
export const PROMPT = `class ParamStore:
    def update(self, param, value):
        """Set \`param\` to \`value\` and return the old value."""
        old = self.params.get(param)
        self.params[param] = value
        self.log(param, old, value)
        return`;
