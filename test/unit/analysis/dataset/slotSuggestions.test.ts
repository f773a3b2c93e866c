/**
 * Suggested slots on real Python (the samples, the docstring task's template): the signature's
 * argument names without self/cls, their code uses (not attributes) and their docstring mentions
 * (fields like `:param a:`, not the article "a"), each in its group; a name of several tokens is
 * flagged. Named and marked slots follow the same rules.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePromptSet } from '../../../../src/analysis/dataset/generatePromptSet';
import { signatureArguments, slotForName, suggestSlots } from '../../../../src/analysis/dataset/slotSuggestions';
import { checkSlots, fillTemplate, PromptSetTemplateError, slotFromRanges } from '../../../../src/analysis/dataset/template';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { REPO_ROOT } from '../../../repoRoot';

const tokenizer = Gpt2Tokenizer.fromFolder(shippedModelDir());
const sample = (name: string) => readFileSync(join(REPO_ROOT, 'samples', name), 'utf8');
const DOCSTRING_TEMPLATE = 'def load(self, data, name, path):\n    """Load a thing.\n\n    :param data: the first\n    :param name: the second\n    :param';

/** The text around an occurrence, for readable assertions. */
const around = (text: string, o: { start: number; end: number }) => text.slice(o.start - 6, o.end + 2);

describe('suggestSlots', () => {
  it('samples/docstring_task.py, selected from def to the last :param: path, section and default suggested, and a docstring corruption generates with no slot added by hand', () => {
    const src = sample('docstring_task.py');
    const template = src.slice(src.indexOf('def load_setting'), src.indexOf(':param default') + ':param'.length);
    const slots = suggestSlots(template, tokenizer);
    assert.deepEqual(
      slots.map((s) => [s.name, s.tokens, [...new Set(s.occurrences.map((o) => o.group))].join('+')]),
      [
        ['path', 1, 'definition+docstring'],
        ['section', 1, 'definition+docstring'],
        ['default', 1, 'definition'],
      ],
    );
    const set = generatePromptSet({ template, slots, n: 20, corruption: { kind: 'group', group: 'docstring' }, seed: 1, answer: 'default' }, tokenizer);
    assert.equal(set.pairs.length, 20);
    for (const p of set.pairs) assert.ok(p.corrupt.endsWith(':param') && p.clean !== p.corrupt);
  });

  it('samples/docstring_example.py: width, height and factor, never self; attributes left out; docstring mentions in the docstring group', () => {
    const src = sample('docstring_example.py');
    const slots = suggestSlots(src, tokenizer);
    assert.deepEqual(
      slots.map((s) => s.name),
      ['width', 'height', 'factor'],
    );
    for (const s of slots) {
      assert.equal(s.tokens, 1);
      for (const o of s.occurrences) {
        assert.equal(src.slice(o.start, o.end), s.name);
        assert.notEqual(src[o.start - 1], '.', `${s.name} at ${o.start} is an attribute`);
      }
    }
    const factor = slots[2];
    assert.deepEqual(
      factor.occurrences.map((o) => o.group),
      ['definition', 'docstring', 'docstring', 'definition', 'definition'],
    );
    assert.equal(around(src, factor.occurrences[2]), 'param factor: ');
    assert.equal(around(src, factor.occurrences[0]), 'self, factor):');
  });

  it('the docstring task: a, b as :param fields, not the article "a" of the summary line', () => {
    const tpl = 'def f(self, a, b, c):\n    """Load a thing.\n\n    :param a: the first\n    :param b: the second\n    :param';
    const slots = suggestSlots(tpl, tokenizer);
    assert.deepEqual(
      slots.map((s) => [s.name, s.occurrences.map((o) => o.group)]),
      [
        ['a', ['definition', 'docstring']],
        ['b', ['definition', 'docstring']],
        ['c', ['definition']],
      ],
    );
    assert.ok(!slots[0].occurrences.some((o) => around(tpl, o).includes('Load')));
  });

  it('Google-style Args and typed :param fields count; *args, **kwargs, defaults and annotations give the bare names', () => {
    const tpl =
      'def f(cls, x: int = 3, *rows, **opts):\n    """Do it.\n\n    Args:\n        x (int): the x\n        rows: more\n    :param dict opts: options\n    """';
    assert.deepEqual(signatureArguments(tpl), ['x', 'rows', 'opts']);
    const slots = suggestSlots(tpl, tokenizer);
    assert.deepEqual(
      slots.map((s) => [s.name, s.occurrences.length]),
      [
        ['x', 2],
        ['rows', 2],
        ['opts', 2],
      ],
    );
  });

  it('samples/text_tools.py: a name of several tokens is suggested with a note that it cannot keep the token count', () => {
    const slots = suggestSlots(sample('text_tools.py'), tokenizer);
    const counts = slots.find((s) => s.name === 'counts')!;
    assert.equal(counts.tokens, tokenizer.encode('counts').ids.length);
    assert.ok(counts.tokens > 1);
    assert.match(counts.note!, /'counts' is 2 tokens: .* cannot keep the token count/);
    assert.ok(slots.filter((s) => s.tokens === 1).every((s) => s.note === undefined));
  });

  it('a named slot follows the same rules; marked ranges must hold the same text; overlapping or repeated slots are refused', () => {
    const named = slotForName(DOCSTRING_TEMPLATE, 'data');
    assert.deepEqual(
      named.occurrences.map((o) => o.group),
      ['definition', 'docstring'],
    );
    assert.throws(() => slotForName(DOCSTRING_TEMPLATE, 'nothing'), PromptSetTemplateError);
    const marked = slotFromRanges(DOCSTRING_TEMPLATE, [named.occurrences[1]]);
    assert.deepEqual(marked, { name: 'data', occurrences: [named.occurrences[1]] });
    assert.throws(() => slotFromRanges(DOCSTRING_TEMPLATE, [named.occurrences[0], { start: 0, end: 3 }]), /same text: 'def' and 'data'|same text/);
    assert.throws(() => checkSlots([named, named]), /given twice/);
    assert.throws(
      () => checkSlots([named, { name: 'dat', occurrences: [{ start: named.occurrences[0].start, end: named.occurrences[0].end - 1, group: 'definition' }] }]),
      /overlap/,
    );
    assert.equal(
      fillTemplate(DOCSTRING_TEMPLATE, [named], (_, o) => (o.group === 'docstring' ? 'Q' : 'P')),
      DOCSTRING_TEMPLATE.replace('data,', 'P,').replace(':param data:', ':param Q:'),
    );
  });
});
