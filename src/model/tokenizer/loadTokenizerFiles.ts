import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseJsonText, readRegularTextFileSync } from '../boundedFiles';
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

/** GPT-2's files are about 1 MB (vocab.json), 0.5 MB (merges.txt) and 1.4 MB (tokenizer.json). */
export const MAX_TOKENIZER_FILE_BYTES = 256 * 1024 * 1024;

function readText(file: string, what: string): string {
  return readRegularTextFileSync(file, what, MAX_TOKENIZER_FILE_BYTES, Error);
}

function readJson(file: string, what: string): unknown {
  return parseJsonText(readText(file, what), file, what, Error);
}

/** Runs a parser on a file's content and names the file in any error it throws. */
function parseFile<C, T>(file: string, content: C, parse: (content: C) => T): T {
  try {
    return parse(content);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** One way a folder can hold its tokenizer: its name (for messages) and how to read it. */
export interface TokenizerLayout {
  readonly name: string;
  read(): TokenizerFiles;
}

/**
 * The tokenizer layouts a folder holds, preferred first. The rule: GPT-2's native files, `vocab.json`
 * with `merges.txt`, when both are there; otherwise `tokenizer.json`. When the preferred layout cannot
 * be used, the loader falls back to the other one with a warning (see `Gpt2Tokenizer.fromFolder`), so a
 * corrupt `tokenizer.json` does not break a folder whose other files are fine. In the vocab.json form
 * there are no added tokens besides `<|endoftext|>` in vocab.json (added_tokens.json is not read).
 */
export function tokenizerLayouts(dir: string): TokenizerLayout[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`tokenizer folder not found: ${dir}`);
  }
  const tokenizerJson = path.join(dir, TOKENIZER_JSON);
  const vocabJson = path.join(dir, VOCAB_JSON);
  const mergesTxt = path.join(dir, MERGES_TXT);
  const hasVocab = fs.existsSync(vocabJson);
  const hasMerges = fs.existsSync(mergesTxt);
  const layouts: TokenizerLayout[] = [];
  if (hasVocab && hasMerges) {
    layouts.push({
      name: `${VOCAB_JSON} + ${MERGES_TXT}`,
      read: () => {
        const vocab = parseFile(vocabJson, readJson(vocabJson, 'vocabulary file'), (json) => parseVocab(json));
        const merges = parseFile(mergesTxt, readText(mergesTxt, 'merges file'), parseMergesTxt);
        return { data: { vocab, merges, addedTokens: [] }, fileOf: { vocab: vocabJson, merges: mergesTxt, addedTokens: vocabJson } };
      },
    });
  }
  if (fs.existsSync(tokenizerJson)) {
    layouts.push({
      name: TOKENIZER_JSON,
      read: () => {
        const data = parseFile(tokenizerJson, readJson(tokenizerJson, 'tokenizer file'), parseTokenizerJson);
        return { data, fileOf: { vocab: tokenizerJson, merges: tokenizerJson, addedTokens: tokenizerJson } };
      },
    });
  }
  if (layouts.length > 0) return layouts;
  if (!hasVocab && !hasMerges) {
    throw new Error(`no tokenizer in ${dir}: expected ${VOCAB_JSON} with ${MERGES_TXT}, or ${TOKENIZER_JSON}`);
  }
  if (!hasVocab) throw new Error(`${vocabJson} is missing (${MERGES_TXT} is there, and needs it)`);
  throw new Error(`${mergesTxt} is missing (${VOCAB_JSON} is there, and needs it)`);
}

/** Reads the preferred tokenizer layout of a folder (no fallback; see `tokenizerLayouts`). */
export function loadTokenizerFiles(dir: string): TokenizerFiles {
  return tokenizerLayouts(dir)[0].read();
}
