/**
 * `*.prompts.jsonl` parsing: both forms, meta kept, blank lines skipped, and every malformed line
 * listed with its 1-based number and what is wrong (never only the first); an empty set is an error.
 */
import assert from 'node:assert/strict';
import { parsePromptSetJsonl, serializePromptSet } from '../../../../src/analysis/dataset/promptSetFile';
import type { PromptPair } from '../../../../src/shared/promptSet';

const TEXT_LINE = JSON.stringify({ clean: 'def f(a, b):', corrupt: 'def f(x, b):', answer: ' a', wrong: ' x', meta: { index: 0 } });
const IDS_LINE = JSON.stringify({ clean: [1, 2, 3], corrupt: [1, 2, 4], answer: 5, wrong: 6 });

describe('parsePromptSetJsonl', () => {
  it('reads text and ids lines with their line numbers, keeps meta, skips blank lines, accepts CRLF and a BOM', () => {
    const { entries, errors } = parsePromptSetJsonl(`\uFEFF${TEXT_LINE}\r\n\r\n   \n${IDS_LINE}\n`);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      entries.map((e) => e.line),
      [1, 4],
    );
    assert.deepEqual(entries[0].pair, { clean: 'def f(a, b):', corrupt: 'def f(x, b):', answer: ' a', wrong: ' x', meta: { index: 0 } });
    assert.deepEqual(entries[1].pair, { clean: [1, 2, 3], corrupt: [1, 2, 4], answer: 5, wrong: 6 });
  });

  it('lists every malformed line with its number and the problem, and keeps the good ones', () => {
    const lines = [
      TEXT_LINE, // 1 good
      '{"clean": "a", "corrupt": "b", "answer": " c"', // 2 bad JSON
      JSON.stringify({ clean: 'a', corrupt: 'b', answer: ' c' }), // 3 missing wrong
      JSON.stringify({ clean: 'a', corrupt: [1, 2], answer: ' c', wrong: ' d' }), // 4 mixed
      JSON.stringify({ clean: 'a', corrupt: 'b', answer: 3.5, wrong: ' d' }), // 5 wrong type
      '[1, 2, 3]', // 6 not an object
      JSON.stringify({ clean: 'a', corupt: 'b', answer: ' c', wrong: ' d' }), // 7 typo: missing corrupt + unknown field
      '', // 8 blank
      IDS_LINE, // 9 good
      JSON.stringify({ clean: [1, -2], corrupt: [1, 2], answer: 1, wrong: 2 }), // 10 negative id
      JSON.stringify({ clean: 'a', corrupt: 'b', answer: ' c', wrong: ' d', meta: 'x' }), // 11 meta not an object
    ];
    const { entries, errors } = parsePromptSetJsonl(lines.join('\n'));
    assert.deepEqual(
      entries.map((e) => e.line),
      [1, 9],
    );
    const byLine = new Map(errors.map((e) => [e.line, e.message]));
    assert.deepEqual([...byLine.keys()], [2, 3, 4, 5, 6, 7, 10, 11]);
    assert.match(byLine.get(2)!, /not valid JSON/);
    assert.match(byLine.get(3)!, /missing "wrong"/);
    assert.match(byLine.get(4)!, /mixes text \(clean, answer, wrong\) and token ids \(corrupt\)/);
    assert.match(byLine.get(5)!, /"answer" must be text .* or a token id .*, got number 3\.5/);
    assert.match(byLine.get(6)!, /expected a JSON object .* got an array/);
    assert.match(byLine.get(7)!, /missing "corrupt".*unknown field "corupt"/);
    assert.match(byLine.get(10)!, /"clean" must be text .* or token ids .* got an array holding -2/);
    assert.match(byLine.get(11)!, /"meta" must be a JSON object/);
  });

  it('lone CR line ends (as the editor counts lines) split the pairs and number the lines', () => {
    // Before: the file was one line, "not valid JSON … at position 97", and its pairs were lost.
    const { entries, errors } = parsePromptSetJsonl(`${TEXT_LINE}\r${IDS_LINE}\r{bad\r`);
    assert.deepEqual(
      entries.map((e) => e.line),
      [1, 2],
    );
    assert.deepEqual(
      errors.map((e) => e.line),
      [3],
    );
  });

  it('a number too large for a token id is shown as written (Infinity), not as null', () => {
    const { errors } = parsePromptSetJsonl(
      '{"clean": [1, 1e400], "corrupt": [1, 2], "answer": 1, "wrong": 2}\n{"clean": "a", "corrupt": "b", "answer": -1e999, "wrong": " d"}',
    );
    assert.match(errors[0].message, /got an array holding Infinity/);
    assert.match(errors[1].message, /"answer" must be .*, got number -Infinity/);
  });

  it('an empty set (no lines, or only blank lines) is an error of the file', () => {
    for (const text of ['', '\n\n  \n']) {
      const { entries, errors } = parsePromptSetJsonl(text);
      assert.equal(entries.length, 0);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].line, 0);
      assert.match(errors[0].message, /empty/);
    }
  });

  it('a file of only bad lines reports those lines, not "empty"', () => {
    const { errors } = parsePromptSetJsonl('nope\n{}\n');
    assert.deepEqual(
      errors.map((e) => e.line),
      [1, 2],
    );
  });

  it('serializes pairs to JSONL that parses back to the same pairs', () => {
    const pairs: PromptPair[] = [
      { clean: 'a "quoted"\nline', corrupt: 'b', answer: ' c', wrong: ' d', meta: { seed: 1, fills: { a: 'x' } } },
      { clean: [1, 2], corrupt: [1, 3], answer: 4, wrong: 5 },
    ];
    const text = serializePromptSet(pairs);
    assert.equal(text.split('\n').length, 3, 'one line per pair, ending with a newline');
    assert.ok(text.endsWith('\n'));
    const { entries, errors } = parsePromptSetJsonl(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      entries.map((e) => e.pair),
      pairs,
    );
  });
});
