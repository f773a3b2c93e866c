import * as assert from 'node:assert/strict';
import { fromVisibleText } from '../../src/shared/tokens.js';
import { endsLine, shortLabel, visibleText, weightLevel } from './tokenText.js';

describe('token text', () => {
  it('makes whitespace and control characters visible, reversibly', () => {
    assert.equal(visibleText(' param'), '·param');
    assert.equal(visibleText('\n\t  x\r'), '⏎→··x␍');
    assert.equal(visibleText('\u0000\u001b\u007f'), '␀␛␡');
    assert.equal(visibleText('<script>'), '<script>');
    for (const t of [' self', '\n    ', '\t\r\n', 'a\u0001b']) assert.equal(fromVisibleText(visibleText(t)), t);
    assert.ok(endsLine(':\n    '));
    assert.ok(!endsLine(' x'));
  });

  it('shortens labels by characters, not UTF-16 units', () => {
    assert.equal(shortLabel(' parameterization', 8), '·parame…');
    assert.equal(shortLabel('😀😀😀', 2), '😀…');
    assert.equal(shortLabel('ab', 5), 'ab');
  });

  it('quantizes weights into 0..10 with any visible weight at least 1', () => {
    assert.deepEqual(
      [0, 0.004, 0.006, 0.1, 0.11, 0.5, 1, 1.2, NaN].map((w) => weightLevel(w)),
      [0, 0, 1, 1, 2, 5, 10, 10, 0],
    );
  });
});
