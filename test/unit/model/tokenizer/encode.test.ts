import assert from 'node:assert/strict';
import type { Encoding } from '../../../../src/model/tokenizer';
import { findTokenRangeProblem } from '../../../../tools/tokenizer/checkTokenRanges';
import { gpt2Tokenizer, tiktokenOrdinary, tiktokenWithSpecial, tokensOf } from './gpt2Fixture';

function rangePairs(encoding: Encoding): [number, number][] {
  return encoding.ranges.map((r) => [r.start, r.end]);
}

function slices(text: string, encoding: Encoding): string[] {
  return encoding.ranges.map((r) => text.slice(r.start, r.end));
}

/** Encodes, checks the ids against tiktoken and the ranges against their rule, and returns the encoding. */
function encodeChecked(text: string): Encoding {
  const tokenizer = gpt2Tokenizer();
  const encoding = tokenizer.encode(text);
  assert.deepEqual(encoding.ids, tiktokenOrdinary(text), `ids of ${JSON.stringify(text)}`);
  assert.equal(findTokenRangeProblem(text, encoding, tokenizer), undefined);
  return encoding;
}

describe('Gpt2Tokenizer.encode: ids and UTF-16 ranges', () => {
  it('ASCII words', () => {
    const text = 'Hello world';
    const encoding = encodeChecked(text);
    assert.deepEqual(encoding.ids, [15496, 995]);
    assert.deepEqual(rangePairs(encoding), [
      [0, 5],
      [5, 11],
    ]);
  });

  it('leading spaces: all but the last space form their own piece', () => {
    const text = '   hello';
    const encoding = encodeChecked(text);
    assert.deepEqual(tokensOf(gpt2Tokenizer(), encoding.ids), ['Ġ', 'Ġ', 'Ġhello']);
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [1, 2],
      [2, 8],
    ]);
  });

  it('newlines and indentation', () => {
    const text = 'def f(x):\n    return x  \n\n\tpass\n';
    const encoding = encodeChecked(text);
    assert.deepEqual(slices(text, encoding), ['def', ' f', '(', 'x', '):', '\n', ' ', ' ', ' ', ' return', ' x', ' ', ' ', '\n\n', '\t', 'pass', '\n']);
  });

  it('CJK: each character split over two tokens that both cover it', () => {
    const text = '日本語';
    const encoding = encodeChecked(text);
    assert.deepEqual(tokensOf(gpt2Tokenizer(), encoding.ids), ['æĹ', '¥', 'æľ', '¬', 'èª', 'ŀ']);
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [0, 1],
      [1, 2],
      [1, 2],
      [2, 3],
      [2, 3],
    ]);
  });

  it('a multibyte character split after a leading space: both tokens cover the whole character', () => {
    const text = 'x 日';
    const encoding = encodeChecked(text);
    // " 日" is bytes 20 e6 97 a5: the tokens are " \xe6", "\x97", "\xa5".
    assert.deepEqual(tokensOf(gpt2Tokenizer(), encoding.ids), ['x', 'Ġæ', 'Ĺ', '¥']);
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [1, 3],
      [2, 3],
      [2, 3],
    ]);
  });

  it('emoji: ranges count both UTF-16 code units of a surrogate pair', () => {
    const text = 'a 😀!';
    const encoding = encodeChecked(text);
    assert.deepEqual(tokensOf(gpt2Tokenizer(), encoding.ids), ['a', 'ĠðŁĺ', 'Ģ', '!']);
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [1, 4],
      [2, 4],
      [4, 5],
    ]);
    const family = '👍🏽 🇫🇷 👨‍👩‍👧';
    const pieces = encodeChecked(family);
    for (const r of pieces.ranges) {
      // No range may cut a surrogate pair.
      assert.ok(!/[\udc00-\udfff]/.test(family[r.start]), `range ${r.start}..${r.end} starts inside a surrogate pair`);
      assert.ok(!/[\ud800-\udbff]/.test(family[r.end - 1]), `range ${r.start}..${r.end} ends inside a surrogate pair`);
    }
  });

  it('accented Latin: two-byte characters inside whole tokens', () => {
    const text = 'naïve café';
    const encoding = encodeChecked(text);
    assert.deepEqual(slices(text, encoding), ['na', 'ïve', ' café']);
  });

  it('contractions are their own pieces (lower case only, as in GPT-2)', () => {
    const text = "I'm can't we'll they've I'M";
    const encoding = encodeChecked(text);
    assert.deepEqual(slices(text, encoding), ['I', "'m", ' can', "'t", ' we', "'ll", ' they', "'ve", ' I', "'", 'M']);
  });

  it('the empty string has no tokens', () => {
    const encoding = encodeChecked('');
    assert.deepEqual(encoding, { ids: [], ranges: [] });
  });

  it('a lone surrogate is encoded as U+FFFD and covers its one code unit', () => {
    const text = 'a\ud800b';
    const encoding = encodeChecked(text);
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    assert.equal(gpt2Tokenizer().decode(encoding.ids), 'a\ufffdb');
  });

  it('mixed scripts, punctuation runs and numbers agree with tiktoken and keep the range rule', () => {
    for (const text of [
      'x = [1, 2, 3]  # 12345678 € £ ¥ — “quotes” «guillemets»',
      'Ελληνικά, русский, עברית, العربية, हिन्दी, 한국어, ไทย',
      'e\u0301 combining; \u00a0nbsp; \u3000ideographic space; tabs\t\t\tend',
      '    \n\n\n   \t  trailing   ',
      '\u{1d54f}\u{1d550} math letters and \u{10348} gothic',
    ]) {
      encodeChecked(text);
    }
  });
});

describe('special tokens', () => {
  const text = 'a<|endoftext|>b';

  it('encode treats a literal <|endoftext|> as ordinary text (like tiktoken encode_ordinary)', () => {
    const encoding = encodeChecked(text);
    assert.ok(!encoding.ids.includes(50256));
    assert.equal(gpt2Tokenizer().decode(encoding.ids), text);
  });

  it('encodeWithSpecialTokens gives the special id (like HF GPT-2), covering the literal text', () => {
    const tokenizer = gpt2Tokenizer();
    const encoding = tokenizer.encodeWithSpecialTokens(text);
    assert.deepEqual(encoding.ids, [64, 50256, 65]);
    assert.deepEqual(encoding.ids, tiktokenWithSpecial(text));
    assert.deepEqual(rangePairs(encoding), [
      [0, 1],
      [1, 14],
      [14, 15],
    ]);
    const longer = ' x<|endoftext|><|endoftext|> 日本 <|endoftext|>';
    const both = tokenizer.encodeWithSpecialTokens(longer);
    assert.deepEqual(both.ids, tiktokenWithSpecial(longer));
    assert.equal(findTokenRangeProblem(longer, both, tokenizer), undefined);
    assert.equal(tokenizer.isSpecialToken(50256), true);
    assert.equal(tokenizer.isSpecialToken(64), false);
  });
});
