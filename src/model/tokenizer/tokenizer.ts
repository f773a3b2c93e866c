import { bytePairMerge, MergeTable, type MergePair } from './bpe';
import { tokenizerLayouts, type TokenizerFiles } from './loadTokenizerFiles';
import { pretokenize } from './pretokenize';
import { TokenizerDataError } from './tokenizerDataError';
import { parseMergeList, type TokenizerData } from './tokenizerFileFormats';
import { appendTokenRanges, type TokenRange } from './tokenRanges';
import { decodeUtf8Lenient, decodeUtf8WithEscapes, encodeUtf8 } from './utf8';
import { END_OF_TEXT, Vocabulary, type AddedToken } from './vocabulary';

/** Options of {@link Gpt2Tokenizer.fromFolder}. */
export interface TokenizerFolderOptions {
  /**
   * The model's vocab_size. It may exceed the tokenizer's (a padded embedding matrix): ids in between
   * are valid model outputs without text, shown as `<id N>`.
   */
  readonly modelVocabSize?: number;
  /** Called with a message when the preferred tokenizer files could not be used and others were. */
  readonly onWarning?: (message: string) => void;
}

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
    /** The file the vocabulary came from, when loaded from a folder. */
    readonly vocabFile?: string,
    private readonly modelVocabSize = vocabulary.idSpan,
  ) {
    const contents = [...vocabulary.addedTokenIdByContent.keys()].sort((a, b) => b.length - a.length);
    this.addedTokenPattern = contents.length > 0 ? new RegExp(contents.map(escapeForRegExp).join('|'), 'g') : undefined;
  }

  /**
   * Loads `vocab.json` + `merges.txt` (preferred when both are there), or `tokenizer.json`, from a model
   * folder. When the preferred files cannot be used and the other layout loads, that one is used and
   * `onWarning` says why. Errors name the file.
   */
  static fromFolder(dir: string, options: TokenizerFolderOptions = {}): Gpt2Tokenizer {
    const [preferred, fallback] = tokenizerLayouts(dir);
    let firstError: Error;
    try {
      return Gpt2Tokenizer.fromFiles(preferred.read(), options);
    } catch (error) {
      if (!fallback) throw error;
      firstError = error as Error;
    }
    let tokenizer: Gpt2Tokenizer;
    try {
      tokenizer = Gpt2Tokenizer.fromFiles(fallback.read(), options);
    } catch (error) {
      throw new Error(`${firstError.message}\n(the other tokenizer files, ${fallback.name}, cannot be used either: ${(error as Error).message})`, {
        cause: firstError,
      });
    }
    options.onWarning?.(`${dir}: the tokenizer's ${preferred.name} cannot be used (${firstError.message}); using ${fallback.name} instead`);
    return tokenizer;
  }

  private static fromFiles(files: TokenizerFiles, options: TokenizerFolderOptions): Gpt2Tokenizer {
    try {
      const { vocabulary, merges } = Gpt2Tokenizer.build(files.data);
      return new Gpt2Tokenizer(vocabulary, merges, files.fileOf.vocab, Math.max(options.modelVocabSize ?? 0, vocabulary.idSpan));
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
    const { vocabulary, merges } = Gpt2Tokenizer.build(data);
    return new Gpt2Tokenizer(vocabulary, merges);
  }

  private static build(data: TokenizerData): { vocabulary: Vocabulary; merges: MergeTable } {
    const vocabulary = Vocabulary.build(data.vocab, data.addedTokens);
    const merges = MergeTable.build(data.merges, (token) => vocabulary.idOf(token), vocabulary.idSpan);
    return { vocabulary, merges };
  }

  /**
   * The same tokenizer for a model whose vocab_size is `modelVocabSize` (at least this tokenizer's
   * size): ids up to it that have no text are shown as `<id N>` instead of being refused.
   */
  forModelVocabSize(modelVocabSize: number): Gpt2Tokenizer {
    return new Gpt2Tokenizer(this.vocabulary, this.merges, this.vocabFile, Math.max(modelVocabSize, this.vocabulary.idSpan));
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

  /**
   * Whether `id` has text in the vocabulary. Ids of the model's vocabulary without text (padding
   * beyond the tokenizer, or gaps) are valid model outputs, shown as `<id N>`.
   */
  hasText(id: number): boolean {
    return this.vocabulary.bytesOf(id) !== undefined;
  }

  /**
   * The text of some tokens; bytes that are not valid UTF-8 become U+FFFD (as HF's decode does), and
   * ids without text become `<id N>`.
   */
  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytesOrPlaceholder(id));
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
    const bytes = this.vocabulary.bytesOf(id);
    return bytes === undefined ? this.placeholder(id) : decodeUtf8WithEscapes(bytes);
  }

  /** `<id N>` for a valid id without text; a RangeError naming both sizes for an invalid id. */
  private placeholder(id: number): string {
    if (Number.isInteger(id) && id >= 0 && id < this.modelVocabSize) return `<id ${id}>`;
    throw new RangeError(this.invalidIdMessage(id));
  }

  private invalidIdMessage(id: number): string {
    const n = this.vocabulary.idSpan;
    const model = this.modelVocabSize > n ? `; the model's vocab_size is ${this.modelVocabSize}, so valid ids are 0..${this.modelVocabSize - 1}` : '';
    return `token id ${id} is not a valid token id: the tokenizer's ids are 0..${n - 1} (${n} ids)${model}`;
  }

  private bytesOrPlaceholder(id: number): Uint8Array {
    return this.vocabulary.bytesOf(id) ?? encodeUtf8(this.placeholder(id));
  }

  private bytesOrThrow(id: number): Uint8Array {
    const bytes = this.vocabulary.bytesOf(id);
    if (bytes !== undefined) return bytes;
    if (Number.isInteger(id) && id >= 0 && id < this.modelVocabSize) {
      throw new RangeError(`token id ${id} has no text in the tokenizer's vocabulary (it is a padding id of the model's vocab_size ${this.modelVocabSize})`);
    }
    throw new RangeError(this.invalidIdMessage(id));
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
