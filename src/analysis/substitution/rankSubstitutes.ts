/**
 * Ranks candidate substitutes for one prompt position by how similarly the model's heads treat
 * them, and flags the ones some head treats specially (the `param`/`arg` lesson: a corruption that
 * swaps in a token a head singles out measures that head's quirk, not the circuit).
 *
 * Treatment of the token at position p, per (layer, head): the mean attention it receives from the
 * later queries, and the attention it pays to itself and earlier tokens other than BOS (1 − its
 * BOS/sink share). Distance = mean |Δ| over all heads; 0 means "treated identically". Words of the
 * document (`fromDocument`) come before the vocabulary's, each group by distance.
 */
import type { SpecialTokenFinding } from '../../shared/inspection';
import type { SubstituteRanking, SubstituteScore } from '../../shared/substitutes';
import { blockHook } from '../../shared/hookNames';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { sliceLeading } from '../../model/tensor';
import { detectSpecialTokens } from '../specialTokens';
import type { LayerPattern } from '../headScores';

export interface RankOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** Upper bound on floats of patterns fetched per batched run (default 2e7 ≈ 80 MB). */
  readonly maxPatternFloats?: number;
  /** Candidates that are words of the document: ranked first (each group best first). */
  readonly fromDocument?: ReadonlySet<number>;
}

/** [layer·head] treatment vector of position p: received attention, then non-sink attention paid. */
function treatment(layers: readonly LayerPattern[], p: number, bosIndex: number): Float32Array {
  const H = layers[0].dims[0];
  const P = layers[0].dims[1];
  const out = new Float32Array(layers.length * H * 2);
  layers.forEach((pat, l) => {
    for (let h = 0; h < H; h++) {
      let received = 0;
      for (let q = p + 1; q < P; q++) received += pat.data[(h * P + q) * P + p];
      const later = P - p - 1;
      out[(l * H + h) * 2] = later > 0 ? received / later : 0;
      out[(l * H + h) * 2 + 1] = bosIndex >= 0 && bosIndex !== p ? 1 - pat.data[(h * P + p) * P + bosIndex] : 1;
    }
  });
  return out;
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

export async function rankSubstitutes(
  model: HookedGpt2,
  tokenizer: Gpt2Tokenizer,
  prompt: { readonly ids: readonly number[]; readonly isBos: readonly boolean[] },
  position: number,
  candidates: readonly number[],
  options: RankOptions = {},
): Promise<SubstituteRanking> {
  const { nLayers, nHeads } = model.config;
  const P = prompt.ids.length;
  if (position < 0 || position >= P) throw new Error(`position ${position} outside the prompt (0..${P - 1})`);
  if (prompt.isBos[position]) throw new Error('the BOS token cannot be substituted');
  const hooks = Array.from({ length: nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
  const bosIndex = prompt.isBos.indexOf(true);
  const ids = [prompt.ids[position], ...candidates];
  const perPrompt = nLayers * nHeads * P * P;
  const batch = Math.max(1, Math.floor((options.maxPatternFloats ?? 2e7) / perPrompt));
  const scores: { id: number; vector: Float32Array; special: SpecialTokenFinding[] }[] = [];
  for (let i = 0; i < ids.length; i += batch) {
    options.signal?.throwIfAborted();
    const chunk = ids.slice(i, i + batch);
    const rows = chunk.map((id) => prompt.ids.map((t, j) => (j === position ? id : t)));
    const run = await model.runWithCache(rows, hooks, { logits: 'none', signal: options.signal });
    chunk.forEach((id, b) => {
      const layers = hooks.map((h) => sliceLeading(run.cache.get(h), b) as LayerPattern);
      const tokens = rows[b].map((t, j) => ({ id: t, text: tokenizer.displayText(t), isBos: prompt.isBos[j] }));
      const special = detectSpecialTokens(layers, tokens).filter((f) => f.tokenId === id);
      scores.push({ id, vector: treatment(layers, position, bosIndex), special });
    });
    options.onProgress?.(Math.min(i + batch, ids.length), ids.length);
  }
  const [orig, ...rest] = scores;
  const doc = options.fromDocument;
  const toScore = (s: (typeof scores)[number]): SubstituteScore => ({
    id: s.id,
    text: tokenizer.displayText(s.id),
    distance: meanAbsDiff(s.vector, orig.vector),
    special: s.special,
    ...(doc ? { fromDocument: doc.has(s.id) } : {}),
  });
  const tier = (s: SubstituteScore) => (s.fromDocument ? 0 : 1);
  return { position, original: toScore(orig), ranked: rest.map(toScore).sort((a, b) => tier(a) - tier(b) || a.distance - b.distance) };
}
