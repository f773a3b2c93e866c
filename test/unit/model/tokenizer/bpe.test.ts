import assert from 'node:assert/strict';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { bytePairMerge, MergeTable, type MergePair } from '../../../../src/model/tokenizer/bpe';
import { BYTE_TO_SYMBOL } from '../../../../src/model/tokenizer/byteLevel';
import { NumberMinHeap } from '../../../../src/model/tokenizer/numberMinHeap';
import { parseMergesTxt } from '../../../../src/model/tokenizer/tokenizerFileFormats';
import { Vocabulary } from '../../../../src/model/tokenizer/vocabulary';
import { readGpt2MergesText, readGpt2Vocab } from '../../../../tools/tokenizer/gpt2Reference';
import { byteVocab, tokensOf } from './gpt2Fixture';
import { mulberry32 } from '../../../../tools/seededRandom';

/** GPT-2's encoder.py `bpe()`, transcribed: merge every occurrence of the best pair, then look again. */
function referenceBpe(symbols: readonly string[], rankOf: ReadonlyMap<string, number>): string[] {
  let word = [...symbols];
  while (word.length > 1) {
    let best: [string, string] | undefined;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = rankOf.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) [best, bestRank] = [[word[i], word[i + 1]], rank];
    }
    if (best === undefined) break;
    const merged: string[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] === best[0] && word[i + 1] === best[1]) {
        merged.push(best[0] + best[1]);
        i++;
      } else merged.push(word[i]);
    }
    word = merged;
  }
  return word;
}

function tiny(extra: string[], merges: MergePair[]): Gpt2Tokenizer {
  return Gpt2Tokenizer.fromVocabAndMerges(byteVocab(extra), merges);
}

describe('BPE merge loop', () => {
  it('applies the lowest-ranked merge first', () => {
    const bcFirst = tiny(
      ['bc', 'ab', 'abc'],
      [
        ['b', 'c'],
        ['a', 'bc'],
      ],
    );
    assert.deepEqual(tokensOf(bcFirst, bcFirst.encode('abc').ids), ['abc']);
    const abFirst = tiny(
      ['ab', 'bc', 'abc'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'bc'],
      ],
    );
    // (a b) wins, and no merge joins "ab" with "c".
    assert.deepEqual(tokensOf(abFirst, abFirst.encode('abc').ids), ['ab', 'c']);
  });

  it('takes the leftmost of overlapping equal pairs', () => {
    const t = tiny(
      ['aa', 'aaaa'],
      [
        ['a', 'a'],
        ['aa', 'aa'],
      ],
    );
    assert.deepEqual(tokensOf(t, t.encode('aaa').ids), ['aa', 'a']);
    assert.deepEqual(tokensOf(t, t.encode('aaaaa').ids), ['aaaa', 'a']);
  });

  it('leaves bytes without merges as byte tokens', () => {
    const t = tiny([], []);
    assert.deepEqual(
      t.encode('hi!').ids,
      [0x68, 0x69, 0x21].map((b) => t.tokenToId(BYTE_TO_SYMBOL[b])),
    );
  });

  it("agrees with GPT-2's reference algorithm on random and long pieces", () => {
    const vocab = Vocabulary.build(readGpt2Vocab(), []);
    const mergePairs = parseMergesTxt(readGpt2MergesText());
    const table = MergeTable.build(mergePairs, (token) => vocab.idOf(token), vocab.idSpan);
    const rankOf = new Map(mergePairs.map(([a, b], rank) => [`${a} ${b}`, rank]));
    const random = mulberry32(1234);
    const alphabet = [...'etaoinshrdlu  ETAOIN0123456789_=-.,:()#\n\tçé日😀'];
    const pieces = [' '.repeat(300), '='.repeat(257), '\n'.repeat(40), 'a'.repeat(99), 'ab'.repeat(60)];
    for (let n = 0; n < 2000; n++) {
      const length = 1 + Math.floor(random() * (n % 10 === 0 ? 200 : 16));
      pieces.push(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    for (const piece of pieces) {
      const bytes = new TextEncoder().encode(piece);
      const symbols = Array.from(bytes, (b) => BYTE_TO_SYMBOL[b]);
      const ours = bytePairMerge(
        Array.from(bytes, (b) => vocab.byteTokenIds[b]),
        table,
      ).map((id) => vocab.tokenOf(id));
      assert.deepEqual(ours, referenceBpe(symbols, rankOf), `piece ${JSON.stringify(piece)}`);
    }
  });
});

describe('NumberMinHeap', () => {
  it('pops values in ascending order', () => {
    const random = mulberry32(7);
    const values = Array.from({ length: 500 }, () => Math.floor(random() * 100));
    const heap = new NumberMinHeap();
    for (const v of values) heap.push(v);
    const popped: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) popped.push(v);
    assert.deepEqual(
      popped,
      [...values].sort((a, b) => a - b),
    );
    assert.equal(heap.size, 0);
  });
});
