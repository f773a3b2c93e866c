/** Checks shared by both commands, run after the model is loaded and before it runs: token ids, prompt length, hook names. */
import { parseHookName, type HookName } from '../shared/hookNames';
import type { LoadedModel } from '../model/loadHookedGpt2';
import type { Prompt } from '../model/prompt';
import { UsageError } from './cliArgs';

/** The ids this model can both run and print: 0 .. min(tokenizer, d_vocab) − 1. */
export function tokenIdCount(loaded: LoadedModel): number {
  return Math.min(loaded.tokenizer.vocabSize, loaded.model.config.dVocab);
}

export function checkTokenId(loaded: LoadedModel, id: number, what: string): void {
  const n = tokenIdCount(loaded);
  if (!Number.isSafeInteger(id) || id < 0 || id >= n) throw new UsageError(`${what}: ${id} is not a token id of this model (ids go from 0 to ${n - 1})`);
}

/** A prompt the model can run: not empty, not longer than its context. */
export function checkPrompt(loaded: LoadedModel, prompt: Prompt, what: string): void {
  if (prompt.ids.length === 0) throw new UsageError(`${what}: the prompt is empty (no tokens to run)`);
  const nCtx = loaded.model.config.nCtx;
  if (prompt.ids.length > nCtx) {
    throw new UsageError(
      `${what}: the prompt is ${prompt.ids.length} tokens${prompt.hasBos ? ' (BOS included)' : ''}, more than this model's context of ${nCtx} (n_positions); shorten it`,
    );
  }
}

export function checkHooks(loaded: LoadedModel, names: readonly string[], what: string): HookName[] {
  for (const name of names) {
    try {
      parseHookName(name, loaded.model.config.nLayers);
    } catch (e) {
      throw new UsageError(`${what}: ${(e as Error).message}`);
    }
  }
  return names as HookName[];
}
