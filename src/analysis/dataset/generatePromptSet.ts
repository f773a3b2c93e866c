/**
 * Generates a prompt set from a template (the docstring template's trick): N clean/corrupt pairs,
 * each the template with its slots filled by random one-token words (`fillWords.ts`), so every
 * variant tokenizes to the template's token count.
 *
 * - **Clean**: every slot gets a word, distinct within the prompt; all occurrences of a slot get the
 *   same word.
 * - **Corrupt**: the clean prompt with the corruption's occurrences refilled with new words (never
 *   one of the clean prompt's fills):
 *   - `slot:NAME`: every occurrence of that slot;
 *   - `group:definition` / `group:docstring`: that group's occurrences of every slot (a slot in both
 *     groups keeps its clean word in the other group);
 *   - `all`: every occurrence of every slot.
 * - **Answer**: the template ends right before the answer (the docstring task: the next `:param`
 *   name). `answer` names the slot whose clean word is the answer (` word`, with its leading space).
 *   `wrong` names the slot whose clean word is the wrong answer; by default it is the answer slot's
 *   corrupt word when the corruption changes the answer slot's definition occurrences (or, without
 *   any, its first one), else the clean word of the first other slot in template order.
 * - **Token count**: a word is tried for a slot only if the template with that slot filled by it
 *   keeps the token count; a slot with no such word (a name of several tokens, say) is refused:
 *   "slot X cannot be filled keeping the token count". Every pair is re-tokenized and redrawn
 *   (at most `MAX_DRAWS_PER_PAIR` times) until both prompts keep the count.
 * - **Excluded words** (`findSpecialFillWords`) are never drawn.
 * - **Seeded**: `mulberry32(seed)`; the same request and tokenizer give byte-identical JSONL.
 *
 * Each line's `meta`: `{ seed, index, corruption, fills: {slot: word}, corrupted: {slot: word} }`
 * (`corrupted`: the new word at the corrupted occurrences of each changed slot). The first line's
 * meta also holds `template` (its token count and slots), `excluded` (`[{ word, reason }]`: the
 * pool words left out, and why) and `templateSpecial` (the template's own tokens some head treats
 * specially, for information), so the file says once how it was made.
 */
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { mulberry32 } from '../../shared/seededRandom';
import type { PromptPairText } from '../../shared/promptSet';
import { fillWordPool } from './fillWords';
import { serializePromptSet } from './promptSetFile';
import { checkSlots, fillTemplate, PromptSetTemplateError, SLOT_GROUPS, type SlotGroup, type SlotOccurrence, type TemplateSlot } from './template';

export type Corruption = { readonly kind: 'slot'; readonly slot: string } | { readonly kind: 'group'; readonly group: SlotGroup } | { readonly kind: 'all' };

/** A word left out of the fill, and why (e.g. "head 0.2 attends to ` param` 6.1× more than to other identifiers"). */
export interface ExcludedFillWord {
  readonly word: string;
  readonly reason: string;
  /** The probe text (the template filled) in which the analysis flagged it: inspect it to see the head. */
  readonly probe?: string;
}

/** A token of the template's fixed text that some head treats specially (information only). */
export interface TemplateSpecialToken {
  readonly text: string;
  readonly reason: string;
}

export interface GeneratePromptSetRequest {
  readonly template: string;
  readonly slots: readonly TemplateSlot[];
  /** How many pairs (1 .. MAX_PAIRS). */
  readonly n: number;
  readonly corruption: Corruption;
  readonly seed: number;
  /** The slot whose clean word is the answer. */
  readonly answer: string;
  /** The slot whose clean word is the wrong answer (default: see the module doc). */
  readonly wrong?: string;
  /** Words never drawn. */
  readonly excluded?: readonly ExcludedFillWord[];
  /** Recorded in the first line's meta. */
  readonly templateSpecial?: readonly TemplateSpecialToken[];
  /** The words to draw from (default `fillWordPool(tokenizer, { template })`). */
  readonly pool?: readonly string[];
  /**
   * The most tokens a prompt may have, BOS not counted (`maxPromptTokens(loaded)`: the model's
   * context less the BOS it prepends): a longer template is refused, since no pair of it could run.
   */
  readonly maxTokens?: number;
}

export interface GeneratedPromptSet {
  readonly pairs: readonly PromptPairText[];
  /** The pairs as `*.prompts.jsonl` text. */
  readonly jsonl: string;
  /** Tokens of each prompt, without BOS. */
  readonly tokenCount: number;
  /** Pool words drawn from (after the exclusions). */
  readonly poolSize: number;
}

export const MAX_PAIRS = 100_000;
export const MAX_DRAWS_PER_PAIR = 100;

/** `slot:NAME`, `group:definition`, `group:docstring` or `all`. */
export function parseCorruption(text: string): Corruption {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  const slot = /^slot:(.+)$/.exec(t);
  if (slot) return { kind: 'slot', slot: slot[1].trim() };
  const group = /^group:(.+)$/.exec(t);
  if (group && (SLOT_GROUPS as readonly string[]).includes(group[1].trim())) return { kind: 'group', group: group[1].trim() as SlotGroup };
  throw new PromptSetTemplateError(`corruption '${text}': expected slot:NAME, group:definition, group:docstring or all`);
}

export function corruptionLabel(c: Corruption): string {
  return c.kind === 'all' ? 'all' : c.kind === 'slot' ? `slot:${c.slot}` : `group:${c.group}`;
}

/** The most tokens a generated prompt may have on a model: its context (n_positions) less the BOS it prepends. */
export function maxPromptTokens(model: { readonly nCtx: number; readonly prependBos: boolean }): number {
  return model.nCtx - (model.prependBos ? 1 : 0);
}

/** Throws `PromptSetTemplateError` when the template is longer than `maxTokens` (callers check before the special-word probe). */
export function checkTemplateFits(template: string, tokenizer: Gpt2Tokenizer, maxTokens: number | undefined): void {
  if (maxTokens === undefined) return;
  const tokens = tokenizer.encodeWithSpecialTokens(template).ids.length;
  if (tokens > maxTokens)
    throw new PromptSetTemplateError(
      `the template is ${tokens} tokens, more than this model's context holds (${maxTokens} tokens, BOS not counted): select less text, keeping the end before the answer`,
    );
}

/** Generates the set; throws `PromptSetTemplateError` for a request it cannot meet (the message names the slot or option). */
export function generatePromptSet(req: GeneratePromptSetRequest, tokenizer: Gpt2Tokenizer): GeneratedPromptSet {
  const { template, slots, corruption } = req;
  checkSlots(slots);
  checkTemplateFits(template, tokenizer, req.maxTokens);
  if (!Number.isInteger(req.n) || req.n < 1 || req.n > MAX_PAIRS)
    throw new PromptSetTemplateError(`n: expected a whole number from 1 to ${MAX_PAIRS}, got ${req.n}`);
  if (!Number.isInteger(req.seed)) throw new PromptSetTemplateError(`seed: expected a whole number, got ${req.seed}`);
  const byName = new Map(slots.map((s) => [s.name, s]));
  const slotNamed = (name: string, what: string) => {
    const s = byName.get(name);
    if (!s) throw new PromptSetTemplateError(`${what}: no slot named '${name}' (slots: ${slots.map((x) => x.name).join(', ')})`);
    return s;
  };
  const answerSlot = slotNamed(req.answer, 'answer');
  const wrongSlot = req.wrong !== undefined ? slotNamed(req.wrong, 'wrong') : undefined;
  if (wrongSlot === answerSlot) throw new PromptSetTemplateError(`wrong: the wrong answer's slot must differ from the answer's ('${req.answer}')`);
  /** Whether the corruption refills this occurrence. */
  const corrupts = (s: TemplateSlot, o: SlotOccurrence) =>
    corruption.kind === 'all' || (corruption.kind === 'slot' ? s.name === corruption.slot : o.group === corruption.group);
  if (corruption.kind === 'slot') slotNamed(corruption.slot, 'corruption');
  const changed = slots.filter((s) => s.occurrences.some((o) => corrupts(s, o)));
  if (changed.length === 0)
    throw new PromptSetTemplateError(
      `corruption ${corruptionLabel(corruption)}: no slot occurs in the ${corruption.kind === 'group' ? corruption.group : ''} group`,
    );
  /** The occurrence whose corrupt word is the answer slot's corrupt answer: its definition occurrences first. */
  const answerKey = answerSlot.occurrences.find((o) => o.group === 'definition') ?? answerSlot.occurrences[0];
  const answerChanges = corrupts(answerSlot, answerKey);
  const defaultWrong = slots.find((s) => s !== answerSlot)!;
  if (!wrongSlot && !answerChanges && !defaultWrong)
    throw new PromptSetTemplateError('wrong: the corruption leaves the answer unchanged and there is no other slot to take the wrong answer from');

  const count = (text: string) => tokenizer.encodeWithSpecialTokens(text).ids.length;
  const tokenCount = count(template);
  const excluded = new Set((req.excluded ?? []).map((e) => e.word));
  const pool = (req.pool ?? fillWordPool(tokenizer, { template })).filter((w) => !excluded.has(w) && tokenizer.encode(` ${w}`).ids.length === 1);
  // Per slot, the pool words that keep the token count there (each alone, the rest of the template as is).
  const fits = new Map<string, string[]>();
  for (const s of slots) {
    const ok = pool.filter((w) => count(fillTemplate(template, [s], () => w)) === tokenCount);
    if (ok.length === 0) {
      const n = tokenizer.encode(s.name).ids.length;
      const why =
        n > 1
          ? `'${s.name}' is ${n} tokens and the fill words are one token each`
          : `none of the ${pool.length} pool words keeps the template's ${tokenCount} tokens there`;
      throw new PromptSetTemplateError(`slot ${s.name} cannot be filled keeping the token count (${why})`);
    }
    fits.set(s.name, ok);
  }
  const needed = slots.length + changed.length;
  if (pool.length < needed)
    throw new PromptSetTemplateError(`only ${pool.length} fill words are left after the exclusions; ${needed} distinct words are needed per pair`);

  const random = mulberry32(req.seed);
  const pairs: PromptPairText[] = [];
  const label = corruptionLabel(corruption);
  for (let index = 0; index < req.n; index++) {
    let made: PromptPairText | undefined;
    for (let draw = 0; draw < MAX_DRAWS_PER_PAIR && !made; draw++) {
      const used = new Set<string>();
      const pick = (s: TemplateSlot): string | undefined => {
        const free = fits.get(s.name)!.filter((w) => !used.has(w));
        if (free.length === 0) return undefined;
        const w = free[Math.floor(random() * free.length)];
        used.add(w);
        return w;
      };
      const fills = new Map<string, string>();
      const corrupted = new Map<string, string>();
      for (const s of slots) fills.set(s.name, pick(s) ?? '');
      for (const s of changed) corrupted.set(s.name, pick(s) ?? '');
      if ([...fills.values(), ...corrupted.values()].includes('')) continue;
      const clean = fillTemplate(template, slots, (s) => fills.get(s.name)!);
      const corrupt = fillTemplate(template, slots, (s, o) => (corrupts(s, o) ? corrupted.get(s.name)! : fills.get(s.name)!));
      if (count(clean) !== tokenCount || count(corrupt) !== tokenCount) continue;
      const wrongWord = wrongSlot ? fills.get(wrongSlot.name)! : answerChanges ? corrupted.get(answerSlot.name)! : fills.get(defaultWrong.name)!;
      const meta: Record<string, unknown> = {
        seed: req.seed,
        index,
        corruption: label,
        fills: Object.fromEntries(fills),
        corrupted: Object.fromEntries(corrupted),
        ...(index === 0
          ? {
              template: { tokens: tokenCount, slots: slots.map((s) => ({ name: s.name, groups: [...new Set(s.occurrences.map((o) => o.group))] })) },
              excluded: req.excluded ?? [],
              templateSpecial: req.templateSpecial ?? [],
            }
          : {}),
      };
      made = { clean, corrupt, answer: ` ${fills.get(answerSlot.name)!}`, wrong: ` ${wrongWord}`, meta };
    }
    if (!made) {
      throw new PromptSetTemplateError(
        `slots ${slots.map((s) => s.name).join(', ')} cannot be filled together keeping the token count (${MAX_DRAWS_PER_PAIR} draws for pair ${index} changed it)`,
      );
    }
    pairs.push(made);
  }
  return { pairs, jsonl: serializePromptSet(pairs), tokenCount, poolSize: pool.length };
}
