import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, listSome } from './checkpointError';

/**
 * Finding the files of a Hugging Face GPT-2 checkpoint folder, with errors that say what is missing
 * and what to do. Only safetensors weights are accepted: pickle checkpoints are refused (see below).
 */

export const CONFIG_FILE = 'config.json';
export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** The tokenizer files; vocab.json + merges.txt is preferred when both layouts are present. */
export type TokenizerFiles =
  | { readonly kind: 'vocab+merges'; readonly vocabJson: string; readonly mergesTxt: string }
  | { readonly kind: 'tokenizer.json'; readonly tokenizerJson: string };

export type WeightFiles = { readonly kind: 'single'; readonly safetensors: string } | { readonly kind: 'sharded'; readonly index: string };

export interface CheckpointFiles {
  readonly dir: string;
  readonly config: string;
  readonly weights: WeightFiles;
  readonly tokenizer: TokenizerFiles;
}

/** Extensions of PyTorch pickle checkpoints (pytorch_model.bin, *.pt, *.pth, *.ckpt, *.pkl). */
const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl'];

export async function findCheckpointFiles(dir: string): Promise<CheckpointFiles> {
  const names = new Set(await listFolder(dir));
  if (!names.has(CONFIG_FILE)) throw new CheckpointError(`${dir}: no ${CONFIG_FILE}; a Hugging Face GPT-2 checkpoint folder needs one`);
  return {
    dir,
    config: join(dir, CONFIG_FILE),
    weights: weightFilesIn(dir, names),
    tokenizer: tokenizerFilesIn(dir, names),
  };
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new CheckpointError(`${dir}: not a folder; expected a checkpoint folder`);
    return await readdir(dir);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError(`checkpoint folder not found: ${dir}`);
    throw new CheckpointError(`${dir}: cannot read the checkpoint folder (${(e as Error).message})`);
  }
}

function weightFilesIn(dir: string, names: ReadonlySet<string>): WeightFiles {
  if (names.has(SAFETENSORS_FILE)) return { kind: 'single', safetensors: join(dir, SAFETENSORS_FILE) };
  if (names.has(SAFETENSORS_INDEX_FILE)) return { kind: 'sharded', index: join(dir, SAFETENSORS_INDEX_FILE) };
  const pickles = [...names].filter((name) => PICKLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))).sort();
  if (pickles.length > 0) throw pickleRefusal(dir, pickles);
  throw new CheckpointError(`${dir}: no ${SAFETENSORS_FILE} (nor a sharded ${SAFETENSORS_INDEX_FILE}); the weights must be in safetensors format`);
}

/**
 * Pickle files are programs: unpickling one can run arbitrary code, so we never open them. The
 * message gives the one-line conversion with `transformers`, to be run where the file is trusted.
 */
function pickleRefusal(dir: string, pickles: readonly string[]): CheckpointError {
  return new CheckpointError(
    `${dir}: found only PyTorch pickle weights (${listSome(pickles)}) and no ${SAFETENSORS_FILE}. ` +
      `Circuit Inspector does not load pickle checkpoints, because unpickling a file can run arbitrary code. ` +
      `If you trust the file, convert it once to safetensors with Hugging Face transformers:\n` +
      `  ${PICKLE_CONVERSION_COMMAND} ${shellQuote(dir)}`,
  );
}

function tokenizerFilesIn(dir: string, names: ReadonlySet<string>): TokenizerFiles {
  if (names.has('vocab.json') && names.has('merges.txt')) {
    return { kind: 'vocab+merges', vocabJson: join(dir, 'vocab.json'), mergesTxt: join(dir, 'merges.txt') };
  }
  if (names.has('tokenizer.json')) return { kind: 'tokenizer.json', tokenizerJson: join(dir, 'tokenizer.json') };
  const partial = names.has('vocab.json')
    ? ' (vocab.json is there but merges.txt is missing)'
    : names.has('merges.txt')
      ? ' (merges.txt is there but vocab.json is missing)'
      : '';
  throw new CheckpointError(`${dir}: no tokenizer files${partial}; expected vocab.json + merges.txt, or tokenizer.json`);
}

/**
 * The conversion, with the folder as the program's argument (sys.argv[1]) rather than spliced into its
 * code, so no folder name can change what runs.
 */
export const PICKLE_CONVERSION_COMMAND =
  `python -c "import sys; from transformers import GPT2LMHeadModel; ` +
  `GPT2LMHeadModel.from_pretrained(sys.argv[1]).save_pretrained(sys.argv[1], safe_serialization=True)"`;

/**
 * One POSIX shell word for `text`: single quotes, inside which nothing is special, and each `'` written
 * as `'\''`. A folder named `pk$(touch x)` stays a name when the command is pasted into a shell.
 */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
