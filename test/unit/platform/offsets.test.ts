import * as assert from 'node:assert/strict';
import { documentRanges, normalizeEol, selectionProblem, sourceOffset, tokenAtOffset } from '../../../src/platform/offsets';

describe('host/offsets', () => {
  it('leaves LF text alone', () => {
    const p = normalizeEol('a\nb');
    assert.equal(p.text, 'a\nb');
    assert.deepEqual(p.crlfAt, []);
    assert.equal(sourceOffset(p, 2), 2);
  });

  it('turns CRLF into LF and maps prompt offsets back to CRLF source offsets', () => {
    const src = 'ab\r\ncd\r\n\r\ne';
    const p = normalizeEol(src);
    assert.equal(p.text, 'ab\ncd\n\ne');
    assert.deepEqual(p.crlfAt, [2, 5, 6]);
    // every prompt character maps to the same character in the source ("\n" → the "\n" after "\r")
    for (let i = 0; i < p.text.length; i++) {
      const s = sourceOffset(p, i);
      const ch: string = p.text.charAt(i);
      if (ch === '\n') assert.equal(src.slice(s, sourceOffset(p, i + 1)), '\r\n', `offset ${i}`);
      else assert.equal(src[s], ch, `offset ${i}`);
    }
    assert.equal(sourceOffset(p, p.text.length), src.length);
  });

  it('maps token ranges to document ranges from the selection start (CRLF document)', () => {
    // document: "x\r\n" then the selection "def f(self):\r\n    pass"
    const doc = 'x\r\ndef f(self):\r\n    pass';
    const base = 3;
    const p = normalizeEol(doc.slice(base));
    const tokens = [
      { start: 0, end: 0 }, // BOS
      { start: 0, end: 3 }, // "def"
      { start: 6, end: 10 }, // "self"
      { start: 12, end: 13 }, // "\n"
      { start: 13, end: 17 }, // "    "
      { start: 17, end: 21 }, // "pass"
    ];
    const r = documentRanges(p, base, tokens);
    const text = (i: number) => doc.slice(r[i].start, r[i].end);
    assert.deepEqual(r[0], { start: 3, end: 3 });
    assert.equal(text(1), 'def');
    assert.equal(text(2), 'self');
    assert.equal(text(3), '\r\n');
    assert.equal(text(4), '    ');
    assert.equal(text(5), 'pass');
    assert.equal(tokenAtOffset(r, doc.indexOf('pass') + 2), 5);
    assert.equal(tokenAtOffset(r, doc.indexOf('\r\n', 4) + 1), 3, 'the \\n half of CRLF belongs to the newline token');
    assert.equal(tokenAtOffset(r, 0), -1, 'outside the selection');
    assert.equal(tokenAtOffset(r, 3), 1, 'BOS (empty range) never matches');
  });

  it('counts UTF-16 code units (astral characters take two)', () => {
    const src = '😀 x\r\ny';
    const p = normalizeEol(src);
    // "😀" is [0,2), " x" is [2,4), "\n" is [4,5), "y" is [5,6) in the prompt
    const r = documentRanges(p, 10, [
      { start: 0, end: 2 },
      { start: 4, end: 5 },
      { start: 5, end: 6 },
    ]);
    assert.deepEqual(r, [
      { start: 10, end: 12 },
      { start: 14, end: 16 },
      { start: 16, end: 17 },
    ]);
  });

  it('flags empty, binary and too large selections', () => {
    assert.equal(selectionProblem(''), 'empty');
    assert.equal(selectionProblem(' \t\r\n '), 'empty');
    assert.equal(selectionProblem('a\u0000b'), 'binary');
    assert.equal(selectionProblem('abcdef', 5), 'too-large');
    assert.equal(selectionProblem('def f(): pass'), undefined);
  });
});
