import { bytePairMerge, MergeTable, type MergePair } from './bpe';
import { loadTokenizerFiles } from './loadTokenizerFiles';
import { pretokenize } from './pretokenize';
import { TokenizerDataError } from './tokenizerDataError';
import { parseMergeList, type TokenizerData } from './tokenizerFileFormats';
import { appendTokenRanges, type TokenRange } from './tokenRanges';
import { decodeUtf8Lenient, decodeUtf8WithEscapes, encodeUtf8 } from './utf8';
import { END_OF_TEXT, Vocabulary, type AddedToken } from './vocabulary';

/** Token ids and, for each, the range of the input it covers (see {@link TokenRange} for the rule). */
export interface Encoding {
  readonly ids: number[];
  readonly ranges: TokenRange[];
}

/** The BPE result of one pre-token piece. */
interface PieceTokens {
  readonly ids: readonly number[];
  readonly byteLengths: readonly number[];
}

/** Pieces repeat a lot in real text; past this many distinct ones the cache is emptied and refilled. */
const MAX_CACHED_PIECES = 100_000;

/** From this length on, V8 may make a substring a view that keeps the whole string it came from alive. */
const LONG_PIECE = 13;

function escapeForRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * GPT-2's byte-level BPE tokenizer. `encode` treats its input as ordinary text (like tiktoken's
 * `encode_ordinary`): a literal `<|endoftext|>` in an editor is tokenized as the characters it is made of.
 * `encodeWithSpecialTokens` matches added tokens such as `<|endoftext|>` as themselves first, as HF's GPT-2
 * tokenizer does.
 */
export class Gpt2Tokenizer {
  private readonly pieceCache = new Map<string, PieceTokens>();
  private readonly addedTokenPattern: RegExp | undefined;

  private constructor(
    private readonly vocabulary: Vocabulary,
    private readonly merges: MergeTable,
  ) {
    const contents = [...vocabulary.addedTokenIdByContent.keys()].sort((a, b) => b.length - a.length);
    this.addedTokenPattern = contents.length > 0 ? new RegExp(contents.map(escapeForRegExp).join('|'), 'g') : undefined;
  }

  /**
   * Loads `tokenizer.json`, or `vocab.json` + `merges.txt`, from a model folder. Errors name the file.
   */
  static fromFolder(dir: string): Gpt2Tokenizer {
    const files = loadTokenizerFiles(dir);
    try {
      return Gpt2Tokenizer.fromData(files.data);
    } catch (error) {
      if (error instanceof TokenizerDataError) {
        throw new Error(`${files.fileOf[error.part]}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Builds a tokenizer from a vocabulary (byte-level token → id) and merges, best first, as strings
   * "left right" or pairs. `<|endoftext|>` in the vocabulary is its special token; `addedTokens` may add
   * others (they are matched only by {@link encodeWithSpecialTokens}).
   */
  static fromVocabAndMerges(
    vocab: Readonly<Record<string, number>>,
    merges: readonly (string | MergePair)[],
    addedTokens: readonly AddedToken[] = [],
  ): Gpt2Tokenizer {
    return Gpt2Tokenizer.fromData({ vocab, merges: parseMergeList(merges, 'merges'), addedTokens });
  }

  private static fromData(data: TokenizerData): Gpt2Tokenizer {
    const vocabulary = Vocabulary.build(data.vocab, data.addedTokens);
    const merges = MergeTable.build(data.merges, (token) => vocabulary.idOf(token), vocabulary.idSpan);
    return new Gpt2Tokenizer(vocabulary, merges);
  }

  /** One more than the largest token id (50257 for GPT-2): the size an embedding matrix needs. */
  get vocabSize(): number {
    return this.vocabulary.idSpan;
  }

  /** The id of `<|endoftext|>`, or undefined if the vocabulary has none. */
  get endOfTextId(): number | undefined {
    return this.vocabulary.addedTokenIdByContent.get(END_OF_TEXT);
  }

  /** Tokenizes `text` as ordinary text: no special tokens are recognised. */
  encode(text: string): Encoding {
    const encoding: Encoding = { ids: [], ranges: [] };
    this.appendOrdinary(text, 0, encoding);
    return encoding;
  }

  /**
   * Like {@link encode}, but added tokens written literally in the text (`<|endoftext|>`) become their
   * own ids, as in HF's GPT-2 tokenizer (leftmost, then longest, match). Their range is their text.
   */
  encodeWithSpecialTokens(text: string): Encoding {
    const encoding: Encoding = { ids: [], ranges: [] };
    let done = 0;
    if (this.addedTokenPattern !== undefined) {
      for (const match of text.matchAll(this.addedTokenPattern)) {
        this.appendOrdinary(text.slice(done, match.index), done, encoding);
        encoding.ids.push(this.vocabulary.addedTokenIdByContent.get(match[0]) as number);
        encoding.ranges.push({ start: match.index, end: match.index + match[0].length });
        done = match.index + match[0].length;
      }
    }
    this.appendOrdinary(text.slice(done), done, encoding);
    return encoding;
  }

  /** The text of some tokens; bytes that are not valid UTF-8 become U+FFFD (as HF's decode does). */
  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytesOrThrow(id));
    const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return decodeUtf8Lenient(bytes);
  }

  /** The id of a token written in the vocabulary's byte-level form (`Ġparam`), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.vocabulary.idOf(token);
  }

  /** The vocabulary's byte-level form of a token (`Ġparam`), or undefined for an unknown id. */
  idToToken(id: number): string | undefined {
    return this.vocabulary.tokenOf(id);
  }

  /** Whether `id` is an added token such as `<|endoftext|>`. */
  isSpecialToken(id: number): boolean {
    return this.vocabulary.isAdded(id);
  }

  /** A copy of the bytes token `id` stands for. Throws a RangeError for an unknown id. */
  tokenBytes(id: number): Uint8Array {
    return this.bytesOrThrow(id).slice();
  }

  /**
   * The token's text for display: its bytes decoded as UTF-8, with bytes that do not form a whole
   * character (half of a multibyte character) shown as `\xNN` escapes, e.g. `\xe2\x82`.
   */
  displayText(id: number): string {
    if (this.vocabulary.isAdded(id)) return this.vocabulary.tokenOf(id) as string;
    return decodeUtf8WithEscapes(this.bytesOrThrow(id));
  }

  private bytesOrThrow(id: number): Uint8Array {
    const bytes = this.vocabulary.bytesOf(id);
    if (bytes === undefined) throw new RangeError(`unknown token id ${id} (vocabulary size ${this.vocabSize})`);
    return bytes;
  }

  private appendOrdinary(text: string, offset: number, encoding: Encoding): void {
    for (const piece of pretokenize(text)) {
      const tokens = this.tokensOfPiece(piece.text);
      for (const id of tokens.ids) encoding.ids.push(id);
      appendTokenRanges(piece.text, offset + piece.start, tokens.byteLengths, encoding.ranges);
    }
  }

  private tokensOfPiece(piece: string): PieceTokens {
    const cached = this.pieceCache.get(piece);
    if (cached !== undefined) return cached;
    const bytes = encodeUtf8(piece);
    const byteTokenIds = Array.from(bytes, (byte) => this.vocabulary.byteTokenIds[byte]);
    const ids = bytePairMerge(byteTokenIds, this.merges);
    const tokens: PieceTokens = { ids, byteLengths: ids.map((id) => this.vocabulary.byteLengthOf(id)) };
    if (this.pieceCache.size >= MAX_CACHED_PIECES) this.pieceCache.clear();
    // A long regex match can be a view into the whole input; caching a fresh copy of it keeps the cache
    // from holding old document texts alive. (A lone surrogate comes back as U+FFFD: same bytes, same tokens.)
    this.pieceCache.set(piece.length < LONG_PIECE ? piece : decodeUtf8Lenient(bytes), tokens);
    return tokens;
  }
}
