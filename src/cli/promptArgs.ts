/**
 * The prompt of `inspect` and `lens`: --text, --text-file or --tokens (exactly one), read and
 * checked before the model loads (`promptArgs`), then made into the prompt the model runs and
 * checked against its vocabulary and context (`buildPrompt`).
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import { promptFromIds, type Prompt } from '../model/prompt';
import { parseIdList, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { checkPrompt, checkTokenId } from './promptChecks';
import { textArg } from './textInput';

export const PROMPT_OPTIONS: OptionSpecs = {
  text: { value: 'the prompt text' },
  'text-file': { value: 'a UTF-8 text file holding the prompt' },
  tokens: { value: 'comma-separated token ids, e.g. 300,275,283' },
};

export type PromptArgs =
  { readonly option: '--text' | '--text-file'; readonly text: string } | { readonly option: '--tokens'; readonly ids: readonly number[] };

export function promptArgs(values: OptionValues): PromptArgs {
  const text = textArg(values, 'text', false);
  const tokensArg = stringOption(values, 'tokens');
  if ((text === undefined) === (tokensArg === undefined)) throw new UsageError('give the prompt as --text / --text-file, or as --tokens (ids), exactly one');
  if (tokensArg !== undefined) return { option: '--tokens', ids: parseIdList(tokensArg, '--tokens') };
  const option = values['text-file'] !== undefined ? '--text-file' : '--text';
  if (text === '') throw new UsageError(`${option}: the text is empty`);
  return { option, text: text! };
}

export function buildPrompt(loaded: LoadedModel, p: PromptArgs): Prompt {
  if ('ids' in p) for (const id of p.ids) checkTokenId(loaded, id, '--tokens');
  const prompt = 'ids' in p ? promptFromIds(loaded.tokenizer, p.ids, loaded.model.config.bosTokenId) : loaded.toPrompt(p.text);
  checkPrompt(loaded, prompt, p.option);
  return prompt;
}
