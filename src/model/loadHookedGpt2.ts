/**
 * Loads a Hugging Face GPT-2 folder (config.json, model.safetensors, tokenizer files) into a hooked
 * model with its tokenizer: the one entry point the CLI and the extension use.
 */
import { loadGpt2Checkpoint, type CheckpointStorage } from './checkpoint';
import { HookedGpt2, type HookedGpt2Options } from './hookedGpt2';
import { tokenizePrompt, type Prompt } from './prompt';
import { Gpt2Tokenizer } from './tokenizer';

export interface LoadModelOptions extends HookedGpt2Options {
  /** Prepend BOS (<|endoftext|>) to text prompts, as TransformerLens does by default. Default true. */
  readonly prependBos?: boolean;
}

export interface LoadedModel {
  readonly dir: string;
  readonly model: HookedGpt2;
  readonly tokenizer: Gpt2Tokenizer;
  readonly storage: CheckpointStorage;
  readonly prependBos: boolean;
  /** Problems the load worked around (e.g. a corrupt tokenizer.json beside good vocab.json + merges.txt), for the log. */
  readonly warnings: readonly string[];
  /**
   * Tokenizes text the way this model is run (BOS per `prependBos`); a literal `<|endoftext|>` is the
   * special token unless `specialTokens` is false.
   */
  toPrompt(text: string, specialTokens?: boolean): Prompt;
  dispose(): Promise<void>;
}

export async function loadHookedGpt2(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const checkpoint = await loadGpt2Checkpoint(dir);
  const { config } = checkpoint;
  const warnings: string[] = [];
  // vocab_size may exceed the tokenizer (a padded wte): those ids are shown as `<id N>`.
  const tokenizer = Gpt2Tokenizer.fromFolder(dir, { modelVocabSize: config.dVocab, onWarning: (w) => warnings.push(w) });
  if (tokenizer.vocabSize > config.dVocab) {
    throw new Error(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.dVocab}`);
  }
  const prependBos = options.prependBos ?? true;
  if (prependBos) checkBosToken(dir, config.bosTokenId, tokenizer);
  const model = new HookedGpt2(config, checkpoint.weights, options);
  return {
    dir,
    model,
    tokenizer,
    storage: checkpoint.storage,
    prependBos,
    warnings,
    toPrompt: (text, specialTokens = true) => tokenizePrompt(tokenizer, text, prependBos, config.bosTokenId, specialTokens),
    dispose: () => model.dispose(),
  };
}

/** BOS must be a token of the vocabulary, or every prompt would start with an id that has no text. */
function checkBosToken(dir: string, bosId: number, tokenizer: Gpt2Tokenizer): void {
  if (tokenizer.hasText(bosId)) return;
  const file = tokenizer.vocabFile ?? `the tokenizer files of ${dir}`;
  const eot = tokenizer.endOfTextId;
  const hint = eot !== undefined ? ` (${file} has <|endoftext|> as id ${eot}: set "bos_token_id": ${eot} in config.json)` : '';
  throw new Error(
    `${dir}: the BOS token id ${bosId} (bos_token_id of config.json, or <|endoftext|> by default) is not in the vocabulary file ${file}${hint}; ` +
      `prompts start with BOS, so add the token to the vocabulary, fix bos_token_id, or turn off prepending BOS`,
  );
}
