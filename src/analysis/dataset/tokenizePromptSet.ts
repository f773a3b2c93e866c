/**
 * Parsed prompt-set lines (`parsePromptSetJsonl`) made into pairs the model can run, with every
 * problem listed by line:
 * - the clean and corrupt prompts differ in token count (both counts and the first differing token);
 * - an answer or wrong answer that is not exactly one token (its tokens), or both the same token;
 * - an empty prompt; a prompt longer than the model's context (BOS included);
 * - a token id outside the model's vocabulary (ids form).
 * Lengths may differ across pairs (position sweeps need them equal: the sweeps say so).
 *
 * Text is tokenized as the product runs a prompt (`tokenizePrompt`: BOS prepended per the model
 * spec, a literal `<|endoftext|>` read as the special token unless `specialTokens` is false). Ids
 * lines are written without BOS; BOS is prepended per the spec, unless the line already starts with it.
 *
 * For the engine handler: `tokenizePromptSet(entries, loaded.tokenizer, promptSetTokenizeOptions(loaded, spec.specialTokensInText))`.
 */
import type { LoadedModel } from '../../model/loadHookedGpt2';
import { tokenizePrompt } from '../../model/prompt';
import type { Gpt2Tokenizer } from '../../model/tokenizer';
import { isTextPair, type PromptSetEntry, type PromptSetLineError, type TokenizedPair } from '../../shared/promptSet';

export interface PromptSetTokenizeOptions {
  /** Prepend BOS to each prompt (the model spec's `prependBos`). */
  readonly prependBos: boolean;
  readonly bosId: number;
  /** The model's context (n_positions): a longer prompt (BOS included) is an error. */
  readonly nCtx: number;
  /** Ids 0 .. idCount − 1 are valid (default: the tokenizer's vocabulary size). */
  readonly idCount?: number;
  /** Read a literal `<|endoftext|>` in the text as the special token (default true, as the product does). */
  readonly specialTokens?: boolean;
}

export interface TokenizedPromptSet {
  readonly pairs: readonly TokenizedPair[];
  readonly errors: readonly PromptSetLineError[];
}

/** The options for a loaded model: its BOS, context and the ids it can both run and print. */
export function promptSetTokenizeOptions(loaded: LoadedModel, specialTokens = true): PromptSetTokenizeOptions {
  const cfg = loaded.model.config;
  return {
    prependBos: loaded.prependBos,
    bosId: cfg.bosTokenId,
    nCtx: cfg.nCtx,
    idCount: Math.min(loaded.tokenizer.vocabSize, cfg.dVocab),
    specialTokens,
  };
}

/** Tokenizes and checks every entry; a line with problems yields errors (all of them) and no pair. */
export function tokenizePromptSet(entries: readonly PromptSetEntry[], tokenizer: Gpt2Tokenizer, options: PromptSetTokenizeOptions): TokenizedPromptSet {
  const pairs: TokenizedPair[] = [];
  const errors: PromptSetLineError[] = [];
  const idCount = options.idCount ?? tokenizer.vocabSize;
  const specialTokens = options.specialTokens ?? true;
  const show = (id: number) => JSON.stringify(tokenizer.displayText(id));
  const bosNote = options.prependBos ? ' (BOS included)' : '';
  for (const { line, pair } of entries) {
    const problems: string[] = [];
    let clean: number[];
    let corrupt: number[];
    let answer: number | undefined;
    let wrong: number | undefined;
    if (isTextPair(pair)) {
      const tok = (text: string) => tokenizePrompt(tokenizer, text, options.prependBos, options.bosId, specialTokens).ids as number[];
      clean = tok(pair.clean);
      corrupt = tok(pair.corrupt);
      const one = (text: string, what: string): number | undefined => {
        const ids = (specialTokens ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encode(text)).ids;
        if (ids.length === 1) return ids[0];
        if (ids.length === 0) problems.push(`the ${what} is empty: it must be one token, with its leading space (e.g. " b")`);
        else
          problems.push(
            `the ${what} ${JSON.stringify(text)} is ${ids.length} tokens (${ids.map(show).join(', ')}): it must be one token, with its leading space`,
          );
        return undefined;
      };
      answer = one(pair.answer, 'answer');
      wrong = one(pair.wrong, 'wrong answer');
    } else {
      const withBos = (ids: readonly number[]) => (options.prependBos && ids[0] !== options.bosId ? [options.bosId, ...ids] : [...ids]);
      const checkIds = (ids: readonly number[], what: string) => {
        const bad = ids.map((id, i) => [id, i] as const).filter(([id]) => id >= idCount);
        for (const [id, i] of bad.slice(0, 3))
          problems.push(`${what}: ${id} (at index ${i}) is not a token id of this model (ids go from 0 to ${idCount - 1})`);
        if (bad.length > 3) problems.push(`${what}: ${bad.length - 3} more ids out of the vocabulary`);
      };
      checkIds(pair.clean, 'clean');
      checkIds(pair.corrupt, 'corrupt');
      checkIds([pair.answer], 'answer');
      checkIds([pair.wrong], 'wrong');
      clean = withBos(pair.clean);
      corrupt = withBos(pair.corrupt);
      answer = pair.answer < idCount ? pair.answer : undefined;
      wrong = pair.wrong < idCount ? pair.wrong : undefined;
    }
    const content = (ids: readonly number[]) => ids.length - (options.prependBos && ids[0] === options.bosId ? 1 : 0);
    if (content(clean) === 0) problems.push('the clean prompt is empty (no tokens to run)');
    if (content(corrupt) === 0) problems.push('the corrupt prompt is empty (no tokens to run)');
    for (const [ids, what] of [
      [clean, 'clean'],
      [corrupt, 'corrupt'],
    ] as const) {
      if (ids.length > options.nCtx)
        problems.push(`the ${what} prompt is ${ids.length} tokens${bosNote}, more than this model's context of ${options.nCtx} (n_positions)`);
    }
    if (clean.length !== corrupt.length && content(clean) > 0 && content(corrupt) > 0) {
      let i = 0;
      while (i < clean.length && i < corrupt.length && clean[i] === corrupt[i]) i++;
      const at = (ids: readonly number[]) => (i < ids.length ? show(ids[i]) : 'the end');
      problems.push(
        `the clean prompt is ${clean.length} tokens${bosNote} and the corrupt prompt ${corrupt.length}: a pair needs the same token count; they first differ at token ${i}: ${at(clean)} vs ${at(corrupt)}`,
      );
    }
    if (answer !== undefined && wrong !== undefined && answer === wrong)
      problems.push(`the answer and the wrong answer are the same token (${show(answer)}): their logit difference is always 0`);
    if (problems.length > 0 || answer === undefined || wrong === undefined) {
      for (const message of problems) errors.push({ line, message });
      continue;
    }
    pairs.push({ line, clean, corrupt, answer, wrong, ...(pair.meta !== undefined ? { meta: pair.meta } : {}), ...(isTextPair(pair) ? { text: pair } : {}) });
  }
  return { pairs, errors };
}
