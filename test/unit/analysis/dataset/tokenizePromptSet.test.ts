/**
 * Prompt-set pairs tokenized with the shipped model's tokenizer: BOS per the spec, and every pair
 * that cannot run refused with its line and the reason (token counts differ, with both counts and
 * the first differing token; a multi-token answer, with its tokens; empty; too long; ids out of the
 * vocabulary), while lengths may differ across pairs.
 */
import assert from 'node:assert/strict';
import { parsePromptSetJsonl } from '../../../../src/analysis/dataset/promptSetFile';
import { tokenizePromptSet, type PromptSetTokenizeOptions } from '../../../../src/analysis/dataset/tokenizePromptSet';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';

const tokenizer = Gpt2Tokenizer.fromFolder(shippedModelDir());
const BOS = 6874;
const OPTIONS: PromptSetTokenizeOptions = { prependBos: true, bosId: BOS, nCtx: 128, idCount: 6875 };

function run(lines: unknown[], options = OPTIONS) {
  const parsed = parsePromptSetJsonl(lines.map((l) => JSON.stringify(l)).join('\n'));
  assert.deepEqual(parsed.errors, []);
  return tokenizePromptSet(parsed.entries, tokenizer, options);
}

describe('tokenizePromptSet (shipped tokenizer)', () => {
  it('tokenizes text pairs with BOS first, one-token answers, and lets lengths differ across pairs', () => {
    const { pairs, errors } = run([
      { clean: 'def f(self, data, name):', corrupt: 'def f(self, file, name):', answer: ' data', wrong: ' file', meta: { i: 0 } },
      { clean: 'def load(data):\n    return', corrupt: 'def load(file):\n    return', answer: ' data', wrong: ' file' },
    ]);
    assert.deepEqual(errors, []);
    assert.equal(pairs.length, 2);
    for (const p of pairs) {
      assert.equal(p.clean[0], BOS);
      assert.equal(p.clean.length, p.corrupt.length);
      assert.deepEqual(p.clean.slice(1), tokenizer.encode(p.text!.clean).ids);
    }
    assert.notEqual(pairs[0].clean.length, pairs[1].clean.length);
    assert.equal(pairs[0].answer, tokenizer.encode(' data').ids[0]);
    assert.deepEqual(pairs[0].meta, { i: 0 });
    assert.equal(pairs[0].line, 1);
  });

  it('without BOS (--no-bos) the prompts are the bare tokens', () => {
    const { pairs } = run([{ clean: 'def f(data):', corrupt: 'def f(file):', answer: ' data', wrong: ' file' }], { ...OPTIONS, prependBos: false });
    assert.deepEqual(pairs[0].clean, tokenizer.encode('def f(data):').ids);
  });

  it('refuses a pair whose prompts differ in token count, with both counts and the first differing token', () => {
    const clean = 'def f(self, data):';
    const corrupt = 'def f(self, xyzzyq):'; // a made-up name: several tokens
    assert.notEqual(tokenizer.encode(clean).ids.length, tokenizer.encode(corrupt).ids.length);
    const { pairs, errors } = run([
      { clean: 'def f(data):', corrupt: 'def f(file):', answer: ' data', wrong: ' file' },
      { clean, corrupt, answer: ' data', wrong: ' file' },
    ]);
    assert.equal(pairs.length, 1);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].line, 2);
    const nClean = tokenizer.encode(clean).ids.length + 1;
    const nCorrupt = tokenizer.encode(corrupt).ids.length + 1;
    assert.match(errors[0].message, new RegExp(`clean prompt is ${nClean} tokens \\(BOS included\\) and the corrupt prompt ${nCorrupt}`));
    const i = tokenizer.encode(clean).ids.findIndex((id, j) => id !== tokenizer.encode(corrupt).ids[j]);
    const show = (s: string) => JSON.stringify(tokenizer.displayText(tokenizer.encode(s).ids[i]));
    assert.ok(errors[0].message.includes(`first differ at token ${i + 1}: ${show(clean)} vs ${show(corrupt)}`), errors[0].message);
  });

  it('refuses a multi-token answer naming its tokens, an empty answer, and the same token as answer and wrong', () => {
    const base = { clean: 'def f(data):', corrupt: 'def f(file):' };
    const { pairs, errors } = run([
      { ...base, answer: ' xyzzyq', wrong: ' file' },
      { ...base, answer: '', wrong: ' file' },
      { ...base, answer: ' data', wrong: ' data' },
    ]);
    assert.equal(pairs.length, 0);
    const tokens = tokenizer.encode(' xyzzyq').ids;
    assert.ok(tokens.length > 1);
    assert.equal(errors[0].line, 1);
    assert.ok(
      errors[0].message.includes(`answer " xyzzyq" is ${tokens.length} tokens (${tokens.map((id) => JSON.stringify(tokenizer.displayText(id))).join(', ')})`),
      errors[0].message,
    );
    assert.match(errors[1].message, /answer is empty/);
    assert.equal(errors[1].line, 2);
    assert.match(errors[2].message, /same token/);
    assert.equal(errors[2].line, 3);
  });

  it('refuses an empty prompt and one longer than the context', () => {
    const long = 'x = 1\n'.repeat(40);
    const { errors } = run([
      { clean: '', corrupt: '', answer: ' a', wrong: ' b' },
      { clean: long, corrupt: long.replace('x', 'y'), answer: ' a', wrong: ' b' },
    ]);
    assert.deepEqual(
      errors.map((e) => e.line),
      [1, 1, 2, 2],
    );
    assert.match(errors[0].message, /clean prompt is empty/);
    assert.match(errors[2].message, /clean prompt is \d+ tokens \(BOS included\), more than this model's context of 128/);
  });

  it('ids lines: BOS prepended once, ids out of the vocabulary refused with their index', () => {
    const { pairs, errors } = run([
      { clean: [10, 11, 12], corrupt: [10, 11, 13], answer: 14, wrong: 15 },
      { clean: [BOS, 10, 11], corrupt: [BOS, 10, 12], answer: 14, wrong: 15 },
      { clean: [10, 99999], corrupt: [10, 11], answer: 7000, wrong: 15 },
    ]);
    assert.deepEqual(pairs[0].clean, [BOS, 10, 11, 12]);
    assert.deepEqual(pairs[1].clean, [BOS, 10, 11], 'a line that starts with BOS gets no second one');
    assert.equal(pairs[0].text, undefined);
    assert.ok(errors.every((e) => e.line === 3));
    assert.ok(errors.some((e) => /clean: 99999 \(at index 1\) is not a token id of this model \(ids go from 0 to 6874\)/.test(e.message)));
    assert.ok(errors.some((e) => /answer: 7000/.test(e.message)));
  });
});
