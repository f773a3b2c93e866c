import assert from 'node:assert/strict';
import { gpt2Tokenizer } from './gpt2Fixture';

describe('Gpt2Tokenizer lookups, bytes, display text and decode', () => {
  it('knows the sizes and landmarks of the GPT-2 vocabulary', () => {
    const tokenizer = gpt2Tokenizer();
    assert.equal(tokenizer.vocabSize, 50257);
    assert.equal(tokenizer.endOfTextId, 50256);
    assert.equal(tokenizer.tokenToId('self'), 944);
    assert.equal(tokenizer.tokenToId('Ġparam'), 5772);
    assert.equal(tokenizer.idToToken(5772), 'Ġparam');
    assert.equal(tokenizer.tokenToId('<|endoftext|>'), 50256);
    assert.equal(tokenizer.idToToken(50256), '<|endoftext|>');
  });

  it('returns undefined for unknown tokens and ids', () => {
    const tokenizer = gpt2Tokenizer();
    assert.equal(tokenizer.tokenToId(' param'), undefined); // the raw-space form is not the vocab's form
    assert.equal(tokenizer.idToToken(50257), undefined);
    assert.equal(tokenizer.idToToken(-1), undefined);
    assert.equal(tokenizer.idToToken(1.5), undefined);
  });

  it('tokenBytes gives the bytes a token stands for, as a copy', () => {
    const tokenizer = gpt2Tokenizer();
    assert.deepEqual(tokenizer.tokenBytes(5772), new TextEncoder().encode(' param'));
    const first = tokenizer.tokenBytes(5772);
    first[0] = 0;
    assert.equal(tokenizer.tokenBytes(5772)[0], 0x20);
    assert.deepEqual(tokenizer.tokenBytes(50256), new TextEncoder().encode('<|endoftext|>'));
    assert.throws(() => tokenizer.tokenBytes(60000), /token id 60000 is not a valid token id: the tokenizer's ids are 0\.\.50256/);
  });

  it('displayText decodes UTF-8 and escapes bytes of split characters', () => {
    const tokenizer = gpt2Tokenizer();
    assert.equal(tokenizer.displayText(5772), ' param');
    assert.equal(tokenizer.displayText(tokenizer.tokenToId('âĤ¬') as number), '€');
    assert.equal(tokenizer.displayText(tokenizer.tokenToId('æĹ') as number), '\\xe6\\x97');
    assert.equal(tokenizer.displayText(tokenizer.tokenToId('ĠðŁĺ') as number), ' \\xf0\\x9f\\x98');
    assert.equal(tokenizer.displayText(tokenizer.tokenToId('Ċ') as number), '\n');
    assert.equal(tokenizer.displayText(50256), '<|endoftext|>');
    assert.throws(() => tokenizer.displayText(-3), RangeError);
  });

  it('decode inverts encode, and shows a lone partial character as U+FFFD', () => {
    const tokenizer = gpt2Tokenizer();
    const text = 'Größe: 12 €\n\t日本語 😀 <|endoftext|> done';
    assert.equal(tokenizer.decode(tokenizer.encode(text).ids), text);
    assert.equal(tokenizer.decode(tokenizer.encodeWithSpecialTokens(text).ids), text);
    assert.equal(tokenizer.decode([tokenizer.tokenToId('æĹ') as number]), '\ufffd');
    assert.equal(tokenizer.decode([]), '');
    assert.throws(() => tokenizer.decode([1, 99999]), /token id 99999 is not a valid token id/);
  });
});
