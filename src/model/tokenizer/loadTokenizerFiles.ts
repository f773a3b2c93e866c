import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenizerDataPart } from './tokenizerDataError';
import { parseMergesTxt, parseTokenizerJson, parseVocab, type TokenizerData } from './tokenizerFileFormats';

/** Tokenizer data read from a model folder, and the file each part came from (for error messages). */
export interface TokenizerFiles {
  readonly data: TokenizerData;
  readonly fileOf: Readonly<Record<TokenizerDataPart, string>>;
}

export const TOKENIZER_JSON = 'tokenizer.json';
export const VOCAB_JSON = 'vocab.json';
export const MERGES_TXT = 'merges.txt';

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read it (${(error as Error).message})`, { cause: error });
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: malformed JSON (${(error as Error).message})`, { cause: error });
  }
}

/** Runs a parser on a file's content and names the file in any error it throws. */
function parseFile<C, T>(file: string, content: C, parse: (content: C) => T): T {
  try {
    return parse(content);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads the tokenizer of a model folder: `tokenizer.json` when there is one (as HF's fast tokenizers
 * prefer), otherwise `vocab.json` with `merges.txt`. In the second form there are no added tokens
 * besides `<|endoftext|>` in vocab.json (added_tokens.json is not read).
 */
export function loadTokenizerFiles(dir: string): TokenizerFiles {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`tokenizer folder not found: ${dir}`);
  }
  const tokenizerJson = path.join(dir, TOKENIZER_JSON);
  if (fs.existsSync(tokenizerJson)) {
    const data = parseFile(tokenizerJson, readJson(tokenizerJson), parseTokenizerJson);
    return { data, fileOf: { vocab: tokenizerJson, merges: tokenizerJson, addedTokens: tokenizerJson } };
  }
  const vocabJson = path.join(dir, VOCAB_JSON);
  const mergesTxt = path.join(dir, MERGES_TXT);
  const hasVocab = fs.existsSync(vocabJson);
  const hasMerges = fs.existsSync(mergesTxt);
  if (!hasVocab && !hasMerges) {
    throw new Error(`no tokenizer in ${dir}: expected ${TOKENIZER_JSON}, or ${VOCAB_JSON} with ${MERGES_TXT}`);
  }
  if (!hasVocab) throw new Error(`${vocabJson} is missing (${MERGES_TXT} is there, and needs it)`);
  if (!hasMerges) throw new Error(`${mergesTxt} is missing (${VOCAB_JSON} is there, and needs it)`);
  const vocab = parseFile(vocabJson, readJson(vocabJson), (json) => parseVocab(json));
  const merges = parseFile(mergesTxt, readText(mergesTxt), parseMergesTxt);
  return { data: { vocab, merges, addedTokens: [] }, fileOf: { vocab: vocabJson, merges: mergesTxt, addedTokens: vocabJson } };
}
