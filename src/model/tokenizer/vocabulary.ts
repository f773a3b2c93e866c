import { BYTE_TO_SYMBOL, symbolsToBytes } from './byteLevel';
import { TokenizerDataError } from './tokenizerDataError';
import { encodeUtf8 } from './utf8';

/** A token that is matched as literal text rather than built by BPE (HF's `added_tokens`). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** HF's flag; kept for information, both kinds are handled alike here. */
  readonly special: boolean;
}

/** GPT-2's one special token; when vocab.json holds it, it is treated as an added token. */
export const END_OF_TEXT = '<|endoftext|>';

/** Ids above this are refused, so that a stray huge id cannot make us allocate gigabytes. */
const MAX_ID = 2 ** 24 - 1;

function quote(token: string): string {
  return JSON.stringify(token);
}

function checkId(part: 'vocab' | 'addedTokens', token: string, id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new TokenizerDataError(part, `token ${quote(token)} has id ${String(id)}; ids must be integers in 0..${MAX_ID}`);
  }
  return id;
}

/**
 * The token strings of a byte-level BPE vocabulary and the bytes each stands for. Ids may have gaps;
 * `idSpan` is one more than the largest id. Added tokens (and `<|endoftext|>`) stand for the UTF-8 bytes
 * of their content; every other token must be written in the byte-level alphabet.
 */
export class Vocabulary {
  private constructor(
    private readonly idByToken: ReadonlyMap<string, number>,
    private readonly tokenById: readonly (string | undefined)[],
    private readonly allBytes: Uint8Array,
    /** the bytes of token `id` are allBytes[byteStartById[id] .. byteStartById[id + 1]) */
    private readonly byteStartById: Uint32Array,
    /** content → id for the added tokens, `<|endoftext|>` included when present */
    readonly addedTokenIdByContent: ReadonlyMap<string, number>,
    /** byteTokenIds[b] is the id of the token for the single byte b */
    readonly byteTokenIds: Int32Array,
  ) {}

  static build(vocab: Readonly<Record<string, number>>, addedTokens: readonly AddedToken[]): Vocabulary {
    const idByToken = new Map<string, number>();
    const tokenById: (string | undefined)[] = [];
    const claim = (part: 'vocab' | 'addedTokens', token: string, id: number): void => {
      const holder = tokenById[id];
      if (holder !== undefined && holder !== token) {
        throw new TokenizerDataError(part, `tokens ${quote(holder)} and ${quote(token)} both have id ${id}`);
      }
      tokenById[id] = token;
      idByToken.set(token, id);
    };
    for (const [token, rawId] of Object.entries(vocab)) {
      if (token === '') throw new TokenizerDataError('vocab', 'the empty string is not a valid token');
      claim('vocab', token, checkId('vocab', token, rawId));
    }

    const addedTokenIdByContent = new Map<string, number>();
    for (const added of addedTokens) {
      const id = checkId('addedTokens', added.content, added.id);
      if (added.content === '') throw new TokenizerDataError('addedTokens', `added token ${id} has empty content`);
      const vocabId = idByToken.get(added.content);
      if (vocabId !== undefined && vocabId !== id) {
        throw new TokenizerDataError('addedTokens', `added token ${quote(added.content)} has id ${id} but the vocabulary gives it ${vocabId}`);
      }
      claim('addedTokens', added.content, id);
      addedTokenIdByContent.set(added.content, id);
    }
    const endOfTextId = idByToken.get(END_OF_TEXT);
    if (endOfTextId !== undefined) addedTokenIdByContent.set(END_OF_TEXT, endOfTextId);

    const idSpan = tokenById.length;
    const bytesById: (Uint8Array | undefined)[] = new Array(idSpan);
    let totalBytes = 0;
    tokenById.forEach((token, id) => {
      if (token === undefined) return;
      const bytes = addedTokenIdByContent.has(token) ? encodeUtf8(token) : symbolsToBytes(token);
      if (bytes === undefined) {
        throw new TokenizerDataError(
          'vocab',
          `token ${quote(token)} (id ${id}) holds characters outside GPT-2's byte-level alphabet; is this a byte-level BPE vocabulary?`,
        );
      }
      bytesById[id] = bytes;
      totalBytes += bytes.length;
    });
    const allBytes = new Uint8Array(totalBytes);
    const byteStartById = new Uint32Array(idSpan + 1);
    let offset = 0;
    for (let id = 0; id < idSpan; id++) {
      byteStartById[id] = offset;
      const bytes = bytesById[id];
      if (bytes !== undefined) {
        allBytes.set(bytes, offset);
        offset += bytes.length;
      }
    }
    byteStartById[idSpan] = offset;

    const byteTokenIds = new Int32Array(256);
    const missing: string[] = [];
    for (let byte = 0; byte < 256; byte++) {
      const symbol = BYTE_TO_SYMBOL[byte];
      const id = idByToken.get(symbol);
      if (id !== undefined && !addedTokenIdByContent.has(symbol)) byteTokenIds[byte] = id;
      else missing.push(`${quote(symbol)} (byte 0x${byte.toString(16).padStart(2, '0')})`);
    }
    if (missing.length > 0) {
      throw new TokenizerDataError(
        'vocab',
        `${missing.length} of the 256 byte-level symbols are not in the vocabulary, e.g. ${missing.slice(0, 5).join(', ')}; ` +
          'a byte-level BPE vocabulary needs all of them so that any text can be encoded',
      );
    }
    return new Vocabulary(idByToken, tokenById, allBytes, byteStartById, addedTokenIdByContent, byteTokenIds);
  }

  /** One more than the largest token id. */
  get idSpan(): number {
    return this.tokenById.length;
  }

  idOf(token: string): number | undefined {
    return this.idByToken.get(token);
  }

  tokenOf(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.tokenById[id] : undefined;
  }

  isAdded(id: number): boolean {
    const token = this.tokenOf(id);
    return token !== undefined && this.addedTokenIdByContent.get(token) === id;
  }

  /** A read-only view of the bytes token `id` stands for; undefined for an unknown id. */
  bytesOf(id: number): Uint8Array | undefined {
    if (this.tokenOf(id) === undefined) return undefined;
    return this.allBytes.subarray(this.byteStartById[id], this.byteStartById[id + 1]);
  }

  /** The number of bytes token `id` stands for (0 for an unknown id); no bounds check, for hot loops. */
  byteLengthOf(id: number): number {
    return this.byteStartById[id + 1] - this.byteStartById[id];
  }
}
