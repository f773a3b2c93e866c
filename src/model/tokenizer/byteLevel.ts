/**
 * GPT-2's byte-level alphabet: every byte 0..255 is written as one printable Unicode character so that
 * vocab.json and merges.txt can hold arbitrary bytes as text. Printable Latin-1 bytes stand for
 * themselves; the other 68 bytes (controls, space, 0x7f..0xa0, 0xad) take the code points from U+0100 on,
 * in byte order. So the space byte 0x20 is `Ġ` (U+0120) and `Ġparam` is the bytes of " param".
 */

function isPrintableLatin1(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildByteToSymbol(): string[] {
  const symbols = new Array<string>(256);
  let nextSubstitute = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    symbols[byte] = String.fromCharCode(isPrintableLatin1(byte) ? byte : nextSubstitute++);
  }
  return symbols;
}

/** BYTE_TO_SYMBOL[b] is the one-character string that stands for byte b in the vocabulary. */
export const BYTE_TO_SYMBOL: readonly string[] = Object.freeze(buildByteToSymbol());

const BYTE_BY_SYMBOL_CODE = new Map<number, number>(BYTE_TO_SYMBOL.map((symbol, byte) => [symbol.charCodeAt(0), byte]));

/** The byte a symbol character stands for, or undefined if the character is not in the alphabet. */
export function symbolToByte(symbol: string): number | undefined {
  return symbol.length === 1 ? BYTE_BY_SYMBOL_CODE.get(symbol.charCodeAt(0)) : undefined;
}

/** The byte-level form of some bytes, e.g. the bytes of " param" → `Ġparam`. */
export function bytesToSymbols(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += BYTE_TO_SYMBOL[byte];
  return out;
}

/**
 * The bytes a byte-level token stands for (`Ġparam` → the bytes of " param"), or undefined if the token
 * holds a character that is outside the byte-level alphabet.
 */
export function symbolsToBytes(token: string): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const byte = BYTE_BY_SYMBOL_CODE.get(token.charCodeAt(i));
    if (byte === undefined) return undefined;
    bytes[i] = byte;
  }
  return bytes;
}
