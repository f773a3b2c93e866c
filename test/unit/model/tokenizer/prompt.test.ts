import assert from 'node:assert/strict';
import { tokenizePrompt } from '../../../../src/model/prompt';
import { gpt2Tokenizer } from './gpt2Fixture';

const EOT = 50256;

describe('tokenizePrompt: <|endoftext|> written in the text', () => {
  const text = 'a<|endoftext|>b';

  it('is the special token by default (as TransformerLens and Hugging Face read it), covering its text', () => {
    const p = tokenizePrompt(gpt2Tokenizer(), text, true, EOT);
    assert.deepEqual(p.ids, [EOT, 64, EOT, 65]);
    assert.equal(p.tokens[0].isBos, true);
    assert.equal(p.tokens[2].isBos, false, 'the literal one is not the prepended BOS');
    assert.deepEqual([p.tokens[2].start, p.tokens[2].end], [1, 14]);
    assert.equal(p.tokens[2].isSpecial, true, 'the view can mark it as the special token');
    assert.equal(p.tokens[1].isSpecial, undefined);
    assert.equal(p.tokens[0].isSpecial, undefined, 'BOS is marked as BOS, not as a special token read from the text');
  });

  it('is ordinary text when the setting is off', () => {
    const p = tokenizePrompt(gpt2Tokenizer(), text, false, EOT, false);
    assert.ok(!p.ids.includes(EOT));
    assert.ok(p.tokens.every((t) => t.isSpecial === undefined));
    assert.equal(gpt2Tokenizer().decode(p.ids), text);
  });
});
