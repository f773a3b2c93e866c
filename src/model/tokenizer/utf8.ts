/**
 * The UTF-8 facts the tokenizer needs, stated in UTF-16 terms because VS Code (and JS strings) count
 * offsets in UTF-16 code units. A lone surrogate cannot be written in UTF-8: like `TextEncoder`, we
 * write it as U+FFFD (3 bytes).
 */

const utf8Encoder = new TextEncoder();
const lenientUtf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** The UTF-8 bytes of `text`; lone surrogates become U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** The text of some UTF-8 bytes; invalid sequences become U+FFFD (what HF's decode does). */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return lenientUtf8Decoder.decode(bytes);
}

/** How many UTF-8 bytes and UTF-16 code units the character starting at `text[unit]` takes. */
export interface CharacterSize {
  readonly bytes: number;
  readonly units: number;
}

const ASCII: CharacterSize = { bytes: 1, units: 1 };
const TWO_BYTES: CharacterSize = { bytes: 2, units: 1 };
const THREE_BYTES: CharacterSize = { bytes: 3, units: 1 };
const SURROGATE_PAIR: CharacterSize = { bytes: 4, units: 2 };

export function characterSizeAt(text: string, unit: number): CharacterSize {
  const code = text.charCodeAt(unit);
  if (code < 0x80) return ASCII;
  if (code < 0x800) return TWO_BYTES;
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(unit + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return SURROGATE_PAIR;
  }
  // Other BMP characters, and lone surrogates (written as U+FFFD).
  return THREE_BYTES;
}

/** Length of the well-formed UTF-8 sequence starting at `bytes[i]`, or 0 if it is not well formed. */
function wellFormedSequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  if (lead < 0x80) return 1;
  let length: number;
  let secondMin = 0x80;
  let secondMax = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) secondMin = 0xa0; // no overlong forms
    if (lead === 0xed) secondMax = 0x9f; // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) secondMin = 0x90; // no overlong forms
    if (lead === 0xf4) secondMax = 0x8f; // nothing above U+10FFFF
  } else return 0;
  if (i + length > bytes.length) return 0;
  if (bytes[i + 1] < secondMin || bytes[i + 1] > secondMax) return 0;
  for (let k = 2; k < length; k++) {
    if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  }
  return length;
}

/**
 * The text of some bytes for display: well-formed UTF-8 is decoded, and every byte that is not part of
 * a well-formed character is shown as a `\xNN` escape (lower-case hex). So the first two bytes of "€"
 * show as `\xe2\x82`. A backslash already in the text is shown as is.
 */
export function decodeUtf8WithEscapes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedSequenceLength(bytes, i);
    if (length === 0) {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i += 1;
    } else if (length === 1) {
      out += String.fromCharCode(bytes[i]);
      i += 1;
    } else {
      out += decodeUtf8Lenient(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}
