/**
 * The prompt-set generator on the shipped tokenizer: every generated prompt keeps the template's
 * token count; each corruption type changes exactly the intended occurrences (checked on the
 * tokens: the positions where clean and corrupt differ are the token positions of those
 * occurrences); answers are one token; same inputs give byte-identical JSONL; excluded words are
 * never drawn and are recorded; a slot that cannot keep the token count is refused by name.
 */
import assert from 'node:assert/strict';
import { generatePromptSet, maxPromptTokens, parseCorruption, type GeneratePromptSetRequest } from '../../../../src/analysis/dataset/generatePromptSet';
import { fillWordPool } from '../../../../src/analysis/dataset/fillWords';
import { parsePromptSetJsonl } from '../../../../src/analysis/dataset/promptSetFile';
import { suggestSlots } from '../../../../src/analysis/dataset/slotSuggestions';
import { tokenizePromptSet } from '../../../../src/analysis/dataset/tokenizePromptSet';
import type { SlotGroup, TemplateSlot } from '../../../../src/analysis/dataset/template';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import type { PromptPairText } from '../../../../src/shared/promptSet';

const tokenizer = Gpt2Tokenizer.fromFolder(shippedModelDir());
const TEMPLATE = 'def load(self, data, name, path):\n    """Load a thing.\n\n    :param data: the first\n    :param name: the second\n    :param';
const slots = suggestSlots(TEMPLATE, tokenizer);
const base: GeneratePromptSetRequest = { template: TEMPLATE, slots, n: 200, corruption: parseCorruption('slot:path'), seed: 1, answer: 'path' };
const ids = (text: string) => tokenizer.encode(text).ids;

/** Token positions (in the template's tokenization) of the occurrences `pick` selects. */
function tokenPositions(pick: (s: TemplateSlot, group: SlotGroup) => boolean): number[] {
  const ranges = tokenizer.encode(TEMPLATE).ranges;
  const out: number[] = [];
  for (const s of slots) for (const o of s.occurrences) if (pick(s, o.group)) out.push(ranges.findIndex((r) => r.start < o.end && r.end > o.start));
  return out.sort((a, b) => a - b);
}

function differingPositions(p: PromptPairText): number[] {
  const a = ids(p.clean);
  const b = ids(p.corrupt);
  return a.flatMap((id, i) => (id !== b[i] ? [i] : []));
}

describe('generatePromptSet (shipped tokenizer)', () => {
  it('the template’s slots: data and name in both groups, path (the answer) in the signature only', () => {
    assert.deepEqual(
      slots.map((s) => [s.name, s.occurrences.map((o) => o.group)]),
      [
        ['data', ['definition', 'docstring']],
        ['name', ['definition', 'docstring']],
        ['path', ['definition']],
      ],
    );
  });

  it('every clean and corrupt prompt of 200 keeps the template’s token count, with distinct fills and one-token answers', () => {
    const set = generatePromptSet(base, tokenizer);
    const n = ids(TEMPLATE).length;
    assert.equal(set.tokenCount, n);
    assert.equal(set.pairs.length, 200);
    for (const p of set.pairs) {
      assert.equal(ids(p.clean).length, n, p.clean);
      assert.equal(ids(p.corrupt).length, n, p.corrupt);
      assert.equal(ids(p.answer).length, 1, p.answer);
      assert.equal(ids(p.wrong).length, 1, p.wrong);
      const fills = Object.values(p.meta!.fills as Record<string, string>);
      const corrupted = Object.values(p.meta!.corrupted as Record<string, string>);
      assert.equal(new Set([...fills, ...corrupted]).size, fills.length + corrupted.length, 'distinct within the pair');
    }
    // and the file it writes runs: parsed and tokenized with no error
    const parsed = parsePromptSetJsonl(set.jsonl);
    assert.deepEqual(parsed.errors, []);
    const tokenized = tokenizePromptSet(parsed.entries, tokenizer, { prependBos: true, bosId: 6874, nCtx: 128 });
    assert.deepEqual(tokenized.errors, []);
    assert.equal(tokenized.pairs.length, 200);
  });

  it('slot:path changes only path’s occurrence; the answer is the clean fill, the wrong answer the corrupt one', () => {
    const set = generatePromptSet({ ...base, n: 50 }, tokenizer);
    const expected = tokenPositions((s) => s.name === 'path');
    assert.equal(expected.length, 1);
    for (const p of set.pairs) {
      assert.deepEqual(differingPositions(p), expected);
      const m = p.meta as { fills: Record<string, string>; corrupted: Record<string, string> };
      assert.deepEqual(Object.keys(m.corrupted), ['path']);
      assert.equal(p.answer, ` ${m.fills.path}`);
      assert.equal(p.wrong, ` ${m.corrupted.path}`);
      assert.ok(p.corrupt.includes(`, ${m.corrupted.path}):`));
    }
  });

  for (const group of ['definition', 'docstring'] as const) {
    it(`group:${group} changes exactly the ${group} occurrences of every slot, and leaves the other group’s`, () => {
      const set = generatePromptSet({ ...base, n: 40, corruption: parseCorruption(`group:${group}`) }, tokenizer);
      const expected = tokenPositions((_, g) => g === group);
      assert.equal(expected.length, group === 'definition' ? 3 : 2);
      for (const p of set.pairs) assert.deepEqual(differingPositions(p), expected);
    });
  }

  it('all changes every occurrence; the answer slot changed gives the corrupt fill as the wrong answer', () => {
    const set = generatePromptSet({ ...base, n: 40, corruption: { kind: 'all' } }, tokenizer);
    const expected = tokenPositions(() => true);
    for (const p of set.pairs) {
      assert.deepEqual(differingPositions(p), expected);
      assert.equal(p.wrong, ` ${(p.meta!.corrupted as Record<string, string>).path}`);
    }
  });

  it('when the corruption leaves the answer unchanged the wrong answer is another slot’s fill; --wrong names that slot', () => {
    const docstring = generatePromptSet({ ...base, n: 5, corruption: parseCorruption('group:docstring') }, tokenizer);
    for (const p of docstring.pairs) assert.equal(p.wrong, ` ${(p.meta!.fills as Record<string, string>).data}`);
    const named = generatePromptSet({ ...base, n: 5, wrong: 'name' }, tokenizer);
    for (const p of named.pairs) assert.equal(p.wrong, ` ${(p.meta!.fills as Record<string, string>).name}`);
  });

  it('is reproducible: the same request gives byte-identical JSONL; another seed another set', () => {
    const a = generatePromptSet({ ...base, n: 30 }, tokenizer).jsonl;
    const b = generatePromptSet({ ...base, n: 30 }, tokenizer).jsonl;
    assert.equal(a, b);
    assert.notEqual(generatePromptSet({ ...base, n: 30, seed: 2 }, tokenizer).jsonl, a);
    const first = JSON.parse(a.split('\n')[0]).meta;
    assert.equal(first.seed, 1);
    assert.equal(first.index, 0);
    assert.equal(first.corruption, 'slot:path');
    assert.equal(first.template.tokens, ids(TEMPLATE).length);
  });

  it('excluded words are never drawn, and the first line records them with the reason', () => {
    const pool = fillWordPool(tokenizer, { template: TEMPLATE }).slice(0, 12);
    const excluded = pool.slice(0, 6).map((word) => ({ word, reason: `head 0.2 attends to \` ${word}\` 5.0× more than to other identifier tokens` }));
    const without = generatePromptSet({ ...base, n: 60, pool }, tokenizer);
    const used = (set: typeof without) =>
      new Set(set.pairs.flatMap((p) => [...Object.values(p.meta!.fills as object), ...Object.values(p.meta!.corrupted as object)]));
    assert.ok(
      excluded.some((e) => used(without).has(e.word)),
      'the words are drawn when not excluded',
    );
    const set = generatePromptSet({ ...base, n: 60, pool, excluded }, tokenizer);
    for (const e of excluded) assert.ok(!used(set).has(e.word), `${e.word} was drawn`);
    assert.equal(set.poolSize, 6);
    assert.deepEqual(set.pairs[0].meta!.excluded, excluded);
    assert.equal(set.pairs[1].meta!.excluded, undefined, 'recorded once, in the first line');
  });

  it('a slot that cannot keep the token count is refused by name', () => {
    const tpl = 'def load(self, xyzzyq, name):\n    """Load.\n\n    :param xyzzyq: the first\n    :param';
    const bad = suggestSlots(tpl, tokenizer);
    assert.ok(bad[0].tokens > 1);
    assert.throws(
      () => generatePromptSet({ template: tpl, slots: bad, n: 5, corruption: { kind: 'all' }, seed: 1, answer: 'name' }, tokenizer),
      /slot xyzzyq cannot be filled keeping the token count \('xyzzyq' is \d tokens/,
    );
  });

  it('refuses bad requests naming the option: unknown answer slot, wrong = answer, corrupting an empty group, bad corruption text, too few words', () => {
    assert.throws(() => generatePromptSet({ ...base, answer: 'nope' }, tokenizer), /answer: no slot named 'nope' \(slots: data, name, path\)/);
    assert.throws(() => generatePromptSet({ ...base, wrong: 'path' }, tokenizer), /must differ/);
    const defOnly = slots.map((s) => ({ ...s, occurrences: s.occurrences.filter((o) => o.group === 'definition') }));
    assert.throws(
      () => generatePromptSet({ ...base, slots: defOnly, corruption: parseCorruption('group:docstring') }, tokenizer),
      /no slot occurs in the docstring group/,
    );
    assert.throws(() => parseCorruption('group:body'), /expected slot:NAME, group:definition, group:docstring or all/);
    assert.throws(() => generatePromptSet({ ...base, pool: ['file', 'value'] }, tokenizer), /only 2 fill words/);
  });

  it('refuses a template longer than the model’s context (its pairs could not run), and accepts one that fits exactly', () => {
    const tokens = tokenizer.encode(TEMPLATE).ids.length;
    const fits = maxPromptTokens({ nCtx: tokens + 1, prependBos: true });
    assert.equal(fits, tokens);
    assert.equal(generatePromptSet({ ...base, n: 2, maxTokens: fits }, tokenizer).tokenCount, tokens);
    assert.throws(
      () => generatePromptSet({ ...base, n: 2, maxTokens: maxPromptTokens({ nCtx: tokens, prependBos: true }) }, tokenizer),
      new RegExp(`the template is ${tokens} tokens, more than this model's context holds \\(${tokens - 1} tokens, BOS not counted\\)`),
    );
  });
});
