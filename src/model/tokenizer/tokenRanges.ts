import { characterSizeAt } from './utf8';

/**
 * The part of the input text a token covers, in UTF-16 code units (as VS Code counts offsets): `start`
 * inclusive, `end` exclusive.
 *
 * The rule, for a character whose UTF-8 bytes are split across tokens: every token that holds any byte
 * of a character covers that character's whole range. So such tokens overlap on that character (two
 * tokens holding the halves of "€" both cover "€"), starts and ends never decrease, every token covers
 * at least one character, and the ranges together cover the text. Where tokens do not share a
 * character, `end` of one token is `start` of the next, so slicing the text by the ranges gives it back.
 */
export interface TokenRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Appends the ranges of the tokens of one pre-token piece, given the number of bytes each token holds
 * (they must add up to the piece's UTF-8 length).
 */
export function appendTokenRanges(piece: string, pieceStart: number, tokenByteLengths: readonly number[], out: TokenRange[]): void {
  let totalBytes = 0;
  for (const length of tokenByteLengths) totalBytes += length;
  if (totalBytes === piece.length) {
    // Only ASCII has as many bytes as code units: bytes and code units are the same offsets.
    let unit = pieceStart;
    for (const length of tokenByteLengths) {
      out.push({ start: unit, end: unit + length });
      unit += length;
    }
    return;
  }

  /** The character being consumed: where it starts in the piece, its size, and how many of its bytes are used. */
  let unit = 0;
  let character = characterSizeAt(piece, 0);
  let bytesUsed = 0;
  for (const length of tokenByteLengths) {
    const start = pieceStart + unit;
    let end = start;
    let bytesLeft = length;
    while (bytesLeft > 0) {
      const take = Math.min(bytesLeft, character.bytes - bytesUsed);
      bytesLeft -= take;
      bytesUsed += take;
      end = pieceStart + unit + character.units;
      if (bytesUsed === character.bytes) {
        unit += character.units;
        bytesUsed = 0;
        if (unit < piece.length) character = characterSizeAt(piece, unit);
      }
    }
    out.push({ start, end });
  }
  if (unit !== piece.length || bytesUsed !== 0) {
    throw new Error(`token byte lengths add up to ${totalBytes} but do not end on the piece's last character`);
  }
}
