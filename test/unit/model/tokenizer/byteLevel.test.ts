import assert from 'node:assert/strict';
import { BYTE_TO_SYMBOL, bytesToSymbols, symbolsToBytes } from '../../../../src/model/tokenizer';
import { symbolToByte } from '../../../../src/model/tokenizer/byteLevel';

describe('byte-level alphabet', () => {
  it('gives each of the 256 bytes its own single printable character', () => {
    assert.equal(BYTE_TO_SYMBOL.length, 256);
    assert.equal(new Set(BYTE_TO_SYMBOL).size, 256);
    for (const symbol of BYTE_TO_SYMBOL) {
      assert.equal(symbol.length, 1);
      assert.doesNotMatch(symbol, /[\s\p{Cc}]/u, `symbol U+${symbol.charCodeAt(0).toString(16)} is not printable`);
    }
  });

  it("matches GPT-2's table at its landmarks", () => {
    assert.equal(BYTE_TO_SYMBOL[0x21], '!');
    assert.equal(BYTE_TO_SYMBOL[0x7e], '~');
    assert.equal(BYTE_TO_SYMBOL[0x00], '\u0100'); // Ā
    assert.equal(BYTE_TO_SYMBOL[0x0a], 'Ċ');
    assert.equal(BYTE_TO_SYMBOL[0x20], 'Ġ');
    assert.equal(BYTE_TO_SYMBOL[0x7f], '\u0121');
    assert.equal(BYTE_TO_SYMBOL[0xad], '\u0143'); // the last substitute
    assert.equal(BYTE_TO_SYMBOL[0xae], '®');
    assert.equal(BYTE_TO_SYMBOL[0xff], 'ÿ');
  });

  it('round-trips bytes through symbols', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    assert.deepEqual(symbolsToBytes(bytesToSymbols(all)), all);
    assert.equal(bytesToSymbols(new TextEncoder().encode(' param')), 'Ġparam');
    assert.equal(symbolToByte('Ġ'), 0x20);
  });

  it('rejects characters outside the alphabet', () => {
    assert.equal(symbolsToBytes('a b'), undefined); // a raw space is not a symbol
    assert.equal(symbolsToBytes('日'), undefined);
    assert.equal(symbolToByte('\u0144'), undefined);
    assert.equal(symbolToByte('ab'), undefined);
  });
});
