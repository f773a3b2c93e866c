/**
 * GPT-2's byte-level BPE tokenizer, with the UTF-16 range of the input each token covers.
 * `Gpt2Tokenizer.fromFolder` reads tokenizer.json, or vocab.json + merges.txt (the only node:fs use is in
 * loadTokenizerFiles.ts); `encode` treats text as ordinary text, like tiktoken's encode_ordinary.
 */
export { Gpt2Tokenizer, type Encoding } from './tokenizer';
export type { TokenRange } from './tokenRanges';
export type { AddedToken } from './vocabulary';
export type { MergePair } from './bpe';
export { GPT2_PRETOKENIZE_PATTERN } from './pretokenize';
export { BYTE_TO_SYMBOL, bytesToSymbols, symbolsToBytes } from './byteLevel';
export { TokenizerDataError, type TokenizerDataPart } from './tokenizerDataError';
