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
  /** Tokenizes text the way this model is run (BOS per `prependBos`). */
  toPrompt(text: string): Prompt;
  dispose(): Promise<void>;
}

export async function loadHookedGpt2(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const checkpoint = await loadGpt2Checkpoint(dir);
  const tokenizer = Gpt2Tokenizer.fromFolder(dir);
  const { config } = checkpoint;
  if (tokenizer.vocabSize > config.dVocab) {
    throw new Error(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.dVocab}`);
  }
  const model = new HookedGpt2(config, checkpoint.weights, options);
  const prependBos = options.prependBos ?? true;
  return {
    dir,
    model,
    tokenizer,
    storage: checkpoint.storage,
    prependBos,
    toPrompt: (text) => tokenizePrompt(tokenizer, text, prependBos, config.bosTokenId),
    dispose: () => model.dispose(),
  };
}
