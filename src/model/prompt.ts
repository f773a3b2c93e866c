/**
 * A prompt as the model sees it: token ids, each with the range of the source text it covers
 * (UTF-16 offsets, as the editor counts them), and BOS first when prepended.
 */
import type { Gpt2Tokenizer } from './tokenizer';

export interface PromptToken {
  readonly id: number;
  /** The token's text with bytes decoded as UTF-8 (partial characters escaped). */
  readonly text: string;
  /** [start, end) in the source text; BOS covers the empty range at 0. */
  readonly start: number;
  readonly end: number;
  readonly isBos: boolean;
  /** A special token such as `<|endoftext|>` read from the text as itself (not the prepended BOS). */
  readonly isSpecial?: boolean;
}

export interface Prompt {
  readonly text: string;
  readonly tokens: readonly PromptToken[];
  readonly ids: readonly number[];
  readonly hasBos: boolean;
}

/**
 * Tokenizes `text` and prepends BOS if asked (TL's default). With `specialTokens` (the default, as
 * TransformerLens and Hugging Face do) a literal `<|endoftext|>` in the text is that special token,
 * covering its text; without, it is ordinary text.
 */
export function tokenizePrompt(tokenizer: Gpt2Tokenizer, text: string, prependBos: boolean, bosId: number, specialTokens = true): Prompt {
  const { ids, ranges } = specialTokens ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encode(text);
  const tokens: PromptToken[] = ids.map((id, i) => ({
    id,
    text: tokenizer.displayText(id),
    start: ranges[i].start,
    end: ranges[i].end,
    isBos: false,
    ...(tokenizer.isSpecialToken(id) ? { isSpecial: true } : {}),
  }));
  if (prependBos) tokens.unshift({ id: bosId, text: tokenizer.displayText(bosId), start: 0, end: 0, isBos: true });
  return { text, tokens, ids: tokens.map((t) => t.id), hasBos: prependBos };
}

/** A prompt from given token ids (no source text: each token's range is its span in the decoded text). */
export function promptFromIds(tokenizer: Gpt2Tokenizer, ids: readonly number[], bosId: number): Prompt {
  let text = '';
  const tokens: PromptToken[] = ids.map((id, i) => {
    const t = tokenizer.displayText(id);
    const isBos = i === 0 && id === bosId;
    const start = text.length;
    if (!isBos) text += t;
    return { id, text: t, start, end: text.length, isBos };
  });
  return { text, tokens, ids: [...ids], hasBos: tokens[0]?.isBos ?? false };
}
