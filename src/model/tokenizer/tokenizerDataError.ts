/** Which part of the tokenizer data a problem is in; the folder loader maps it to the file that holds it. */
export type TokenizerDataPart = 'vocab' | 'merges' | 'addedTokens';

/** Invalid tokenizer data (vocabulary, merges or added tokens), with the part it was found in. */
export class TokenizerDataError extends Error {
  constructor(
    readonly part: TokenizerDataPart,
    message: string,
  ) {
    super(message);
    this.name = 'TokenizerDataError';
  }
}
