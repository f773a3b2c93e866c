import type { MergePair } from './bpe';
import type { AddedToken } from './vocabulary';

/**
 * Parsers for the tokenizer file formats, with no I/O: `vocab.json` + `merges.txt` (GPT-2's own files)
 * and HF's `tokenizer.json`. They throw plain errors; the folder loader adds the file name.
 */

/** What a tokenizer is built from, whatever the files were. */
export interface TokenizerData {
  readonly vocab: Readonly<Record<string, number>>;
  readonly merges: readonly MergePair[];
  readonly addedTokens: readonly AddedToken[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** `vocab.json` (or tokenizer.json's `model.vocab`): an object mapping token strings to ids. */
export function parseVocab(value: unknown, where = 'the vocabulary'): Record<string, number> {
  if (!isPlainObject(value)) throw new Error(`${where} must be an object mapping token strings to ids, not ${describe(value)}`);
  for (const [token, id] of Object.entries(value)) {
    if (typeof id !== 'number') throw new Error(`${where}: token ${JSON.stringify(token)} maps to ${describe(id)}, not an id`);
  }
  return value as Record<string, number>;
}

function splitMergeString(line: string, where: string): MergePair {
  const parts = line.split(' ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new Error(`${where}: ${JSON.stringify(line)} is not two tokens separated by one space`);
  }
  return [parts[0], parts[1]];
}

/**
 * `merges.txt`: one merge per line, "left right", best first. A first line starting with `#version` is a
 * comment; empty lines are skipped; a trailing CR is dropped (no byte-level token holds a raw CR).
 */
export function parseMergesTxt(text: string): MergePair[] {
  const merges: MergePair[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || (index === 0 && line.startsWith('#version'))) return;
    merges.push(splitMergeString(line, `line ${index + 1}`));
  });
  return merges;
}

/** tokenizer.json's `model.merges`: strings "left right" (older files) or pairs ["left", "right"]. */
export function parseMergeList(value: unknown, where = 'model.merges'): MergePair[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array, not ${describe(value)}`);
  return value.map((merge: unknown, index) => {
    const at = `${where}[${index}]`;
    if (typeof merge === 'string') return splitMergeString(merge, at);
    if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') {
      return [merge[0], merge[1]] as const;
    }
    throw new Error(`${at} must be a string "left right" or a pair of strings, not ${describe(merge)}`);
  });
}

function parseAddedTokens(value: unknown): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`added_tokens must be an array, not ${describe(value)}`);
  return value.map((entry: unknown, index) => {
    if (!isPlainObject(entry) || typeof entry.id !== 'number' || typeof entry.content !== 'string') {
      throw new Error(`added_tokens[${index}] must be an object with a numeric id and a string content`);
    }
    return { id: entry.id, content: entry.content, special: entry.special === true };
  });
}

/** Refuses tokenizer.json settings that would make it tokenize differently from GPT-2's scheme. */
function checkSupportedSettings(root: Record<string, unknown>, model: Record<string, unknown>): void {
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new Error(`model.type is ${describe(model.type)}; only "BPE" (byte-level, like GPT-2) is supported`);
  }
  if (model.dropout !== undefined && model.dropout !== null) throw new Error('model.dropout is set; BPE dropout is not supported');
  for (const affix of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[affix] !== undefined && model[affix] !== null && model[affix] !== '') {
      throw new Error(`model.${affix} is set; byte-level BPE does not use one`);
    }
  }
  if (model.ignore_merges === true) throw new Error('model.ignore_merges is true; only GPT-2-style BPE (ignore_merges false) is supported');
  if (root.normalizer !== undefined && root.normalizer !== null) {
    throw new Error('a normalizer is set; GPT-2 has none, and normalising would change the offsets');
  }
  const pre = root.pre_tokenizer;
  if (pre !== undefined && pre !== null) {
    if (!isPlainObject(pre) || pre.type !== 'ByteLevel') {
      throw new Error(`pre_tokenizer must be GPT-2's ByteLevel, not ${isPlainObject(pre) ? describe(pre.type) : describe(pre)}`);
    }
    if (pre.add_prefix_space === true) throw new Error('pre_tokenizer.add_prefix_space is true; GPT-2 adds no prefix space');
    if (pre.use_regex === false) throw new Error("pre_tokenizer.use_regex is false; GPT-2's pre-tokenisation regex is required");
  }
}

/** HF `tokenizer.json` with a byte-level BPE model (GPT-2's). */
export function parseTokenizerJson(value: unknown): TokenizerData {
  if (!isPlainObject(value)) throw new Error(`the file must hold a JSON object, not ${describe(value)}`);
  const model = value.model;
  if (!isPlainObject(model)) throw new Error(`"model" must be an object, not ${describe(model)}`);
  checkSupportedSettings(value, model);
  return {
    vocab: parseVocab(model.vocab, 'model.vocab'),
    merges: parseMergeList(model.merges),
    addedTokens: parseAddedTokens(value.added_tokens),
  };
}
