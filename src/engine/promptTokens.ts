/**
 * A request's prompt as the model runs it: tokenized (BOS per the spec), checked against the
 * context, truncated to the first or last tokens when asked. Shared by the features' engine
 * handlers; the errors are the engine's (`empty`, `too-long`).
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import type { ModelSpec } from '../shared/modelSpec';
import type { PromptToken } from '../shared/tokens';
import { EngineError } from './protocol';

export interface PromptRequest {
  readonly model: ModelSpec;
  readonly text: string;
  /** Keep only this many tokens (BOS included); absent: a prompt over the context fails with `too-long`. */
  readonly truncateTo?: number;
  /** Which tokens `truncateTo` keeps: the first (default) or the last (BOS, when prepended, stays first). */
  readonly keep?: 'first' | 'last';
}

export interface PromptTokens {
  /** Tokens before truncation. */
  readonly total: number;
  readonly kept: readonly PromptToken[];
}

export function promptTokens(loaded: LoadedModel, p: PromptRequest): PromptTokens {
  const nCtx = loaded.model.config.nCtx;
  const prompt = loaded.toPrompt(p.text, p.model.specialTokensInText);
  if (!prompt.tokens.some((t) => !t.isBos)) throw new EngineError({ code: 'empty', message: 'the selection has no tokens to run' });
  const total = prompt.tokens.length;
  if (total > nCtx && p.truncateTo === undefined) {
    throw new EngineError({
      code: 'too-long',
      message: `the selection is ${total} tokens long but ${p.model.displayName} reads at most ${nCtx} (n_positions)`,
      promptTokens: total,
      n_ctx: nCtx,
    });
  }
  const limit = Math.min(p.truncateTo ?? total, nCtx);
  if (limit >= total || p.keep !== 'last') return { total, kept: prompt.tokens.slice(0, limit) };
  const bos = prompt.tokens[0]?.isBos ? [prompt.tokens[0]] : [];
  return { total, kept: [...bos, ...prompt.tokens.slice(total - (limit - bos.length))] };
}
