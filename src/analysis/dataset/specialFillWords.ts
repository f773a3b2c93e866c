/**
 * Words some head treats specially, found so the prompt-set generator leaves them out of the fill
 * (the `param`/`arg` lesson: a corruption that swaps in a word a head singles out measures that head's
 * habit, not the circuit).
 *
 * The probe: variants of the template whose recurring slots (≥ 2 occurrences: the special-token
 * analysis needs a word twice, since once it cannot be told from its place) are filled with pool
 * words, distinct within a variant, every pool word in `PROBE_ROUNDS` variants with different
 * neighbours (each round rotates the pool); slots that occur once keep the template's text. Each
 * variant runs with every layer's `attn.hook_pattern` (batched: `PROBE_BATCH` variants per run) and
 * goes through the special-token analysis of Inspect Attention (`SpecialTokenDetector`). A pool
 * word flagged by some head in some variant is excluded, with the analysis's message as the reason
 * ("head 0.2 attends to ` width` 4.1× more than to other identifier tokens"). Tokens of the
 * template's fixed text that are flagged (` param`, ` self`) are reported for information.
 *
 * Cost: 300 pool words, 2 recurring slots → 300 variants of 47 tokens in 19 batched runs: about 3 s
 * on the shipped model; on GPT-2-small-sized weights 3.8 min wall on 2 busy cores (load average 16),
 * so the handler shows progress and honours cancel (`signal`).
 *
 * For the engine handler: `findSpecialFillWords(loaded, { template, slots, signal, onProgress })`,
 * then pass `excluded` and `templateSpecial` to `generatePromptSet`.
 */
import type { LoadedModel } from '../../model/loadHookedGpt2';
import { blockHook } from '../../shared/hookNames';
import { SpecialTokenDetector, type SpecialTokenOptions } from '../specialTokens';
import type { LayerPattern } from '../headScores';
import type { ExcludedFillWord, TemplateSpecialToken } from './generatePromptSet';
import { fillWordPool } from './fillWords';
import { fillTemplateRanges, type CharRange, type TemplateSlot } from './template';

export const PROBE_ROUNDS = 2;
export const PROBE_BATCH = 16;

export interface SpecialFillWordsOptions {
  readonly template: string;
  readonly slots: readonly TemplateSlot[];
  /** The words to probe (default `fillWordPool(loaded.tokenizer, { template })`, the generator's default pool). */
  readonly pool?: readonly string[];
  readonly signal?: AbortSignal;
  /** After each batched run: variants done of the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Variants per pool word, each with other neighbours (default `PROBE_ROUNDS`; 1 halves the cost on a large model). */
  readonly rounds?: number;
  /** Passed to the special-token analysis (its defaults otherwise). */
  readonly specialTokens?: SpecialTokenOptions;
}

export interface SpecialFillWords {
  /** Pool words some head treats specially, with the strongest reason; sorted by word. */
  readonly excluded: readonly ExcludedFillWord[];
  /** Fixed-text tokens of the template some head treats specially (information). */
  readonly templateSpecial: readonly TemplateSpecialToken[];
  readonly poolSize: number;
  /** Template variants run. */
  readonly probes: number;
  /** Why the probe could not judge some words (e.g. slots that occur once), if so. */
  readonly note?: string;
}

/** Probes the model with pool-filled variants of the template and lists the pool words some head singles out. */
export async function findSpecialFillWords(loaded: LoadedModel, options: SpecialFillWordsOptions): Promise<SpecialFillWords> {
  const { template } = options;
  const pool = [...(options.pool ?? fillWordPool(loaded.tokenizer, { template }))];
  const slots = options.slots.filter((s) => s.occurrences.length >= 2);
  const k = slots.length;
  const poolSize = pool.length;
  if (k === 0 || pool.length === 0) {
    const note =
      k === 0 ? 'no slot occurs twice or more: the special-token analysis cannot judge a word that occurs once, so no word was probed' : 'no pool words';
    return { excluded: [], templateSpecial: [], poolSize, probes: 0, note };
  }
  // Variants: each round, the pool rotated by `round` and cut into runs of k words (the last run wraps
  // around), so a word has other neighbours, in another slot, in each round (one round for one slot).
  const variants: string[][] = [];
  for (let round = 0; round < (k > 1 ? Math.max(1, options.rounds ?? PROBE_ROUNDS) : 1); round++) {
    const shift = round % pool.length;
    const rotated = [...pool.slice(shift), ...pool.slice(0, shift)];
    for (let i = 0; i < rotated.length; i += k) variants.push(Array.from({ length: k }, (_, j) => rotated[(i + j) % rotated.length]));
  }
  const filled = variants.map((words) => fillTemplateRanges(template, slots, (s) => words[slots.indexOf(s)]));
  const prompts = filled.map((f) => loaded.toPrompt(f.text));
  const cfg = loaded.model.config;
  const hooks = Array.from({ length: cfg.nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
  const excluded = new Map<string, { reason: string; strength: number; probe: string }>();
  const special = new Map<string, { reason: string; strength: number; probes: number }>();
  const poolSet = new Set(pool);
  // Batches of same-length variants (a fill that changes the token count runs in its own length group).
  const byLength = new Map<number, number[]>();
  let tooLong = 0;
  prompts.forEach((p, i) => {
    if (p.ids.length > cfg.nCtx) return void tooLong++;
    const list = byLength.get(p.ids.length) ?? [];
    list.push(i);
    byLength.set(p.ids.length, list);
  });
  let done = 0;
  for (const [n, members] of byLength) {
    for (let b = 0; b < members.length; b += PROBE_BATCH) {
      options.signal?.throwIfAborted();
      const batch = members.slice(b, b + PROBE_BATCH);
      const run = await loaded.model.runWithCache(
        batch.map((i) => prompts[i].ids),
        hooks,
        { logits: 'none', signal: options.signal },
      );
      batch.forEach((vi, e) => {
        const tokens = prompts[vi].tokens;
        const detector = new SpecialTokenDetector(tokens, options.specialTokens);
        hooks.forEach((h, l) => {
          const t = run.cache.get(h); // [batch, head_index, query_pos, key_pos]
          const size = cfg.nHeads * n * n;
          const layer: LayerPattern = { dims: [cfg.nHeads, n, n], data: t.data.subarray(e * size, (e + 1) * size) };
          detector.addLayer(l, layer);
        });
        const fills = new Set(variants[vi]);
        const ranges = filled[vi].fills;
        for (const f of detector.findings()) {
          const word = f.text.trim();
          const isFill = fills.has(word) && poolSet.has(word) && f.tokenIndices.every((i) => inFill(tokens[i], ranges));
          if (isFill) {
            const old = excluded.get(word);
            if (!old || f.strength > old.strength) excluded.set(word, { reason: f.message, strength: f.strength, probe: filled[vi].text });
          } else if (!f.tokenIndices.some((i) => inFill(tokens[i], ranges))) {
            const old = special.get(f.text);
            special.set(f.text, {
              reason: old && old.strength >= f.strength ? old.reason : f.message,
              strength: Math.max(old?.strength ?? 0, f.strength),
              probes: (old?.probes ?? 0) + 1,
            });
          }
        }
      });
      done += batch.length;
      options.onProgress?.(done, prompts.length);
    }
  }
  return {
    excluded: [...excluded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([word, { reason, probe }]) => ({ word, reason, probe })),
    templateSpecial: [...special]
      .sort(([, a], [, b]) => b.strength - a.strength)
      .map(([text, { reason, probes }]) => ({ text, reason: `${reason} (in ${probes} of ${prompts.length} probe variants)` })),
    poolSize,
    probes: prompts.length - tooLong,
    ...(tooLong > 0
      ? { note: `${tooLong} of ${prompts.length} probe variants are longer than the model's context (${cfg.nCtx} tokens) and were not run` }
      : {}),
  };
}

/** Whether a prompt token overlaps a fill (rather than the template's fixed text). */
function inFill(token: { start: number; end: number; isBos: boolean }, fills: readonly CharRange[]): boolean {
  return !token.isBos && fills.some((r) => token.start < r.end && token.end > r.start);
}
