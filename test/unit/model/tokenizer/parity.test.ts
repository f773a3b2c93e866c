import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { findTokenRangeProblem, firstDifference } from '../../../../tools/tokenizer/checkTokenRanges';
import { listPythonCorpusFiles, PYTHON_CORPUS_ROOTS, samplePythonCorpus } from '../../../../tools/tokenizer/pythonCorpus';
import { gpt2Tokenizer, tiktokenOrdinary } from './gpt2Fixture';

/** Bytes of the deterministic corpus sample; the whole corpus is checked by tools/tokenizer/parity-corpus.ts. */
const SAMPLE_BYTES = 4_000_000;

function assertMatchesTiktoken(text: string, label: string): void {
  const tokenizer = gpt2Tokenizer();
  const encoding = tokenizer.encode(text);
  const expected = tiktokenOrdinary(text);
  const at = firstDifference(encoding.ids, expected);
  if (at >= 0) {
    assert.fail(`${label}: token ${at} differs: ours ${encoding.ids.slice(at, at + 4).join(',')}, tiktoken ${expected.slice(at, at + 4).join(',')}`);
  }
  const problem = findTokenRangeProblem(text, encoding, tokenizer);
  if (problem !== undefined) assert.fail(`${label}: ${problem}`);
}

describe('parity with js-tiktoken r50k_base', function () {
  this.timeout(120_000); // no timing assertion: only room for slow shared machines
  it(`matches token for token on a ${SAMPLE_BYTES / 1e6} MB sample of the Python corpus, with ranges that tile it`, () => {
    const files = samplePythonCorpus(listPythonCorpusFiles(), SAMPLE_BYTES);
    const texts = files.map((file) => fs.readFileSync(file, 'utf8'));
    const totalBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    assert.ok(totalBytes > SAMPLE_BYTES / 2, `the corpus under ${PYTHON_CORPUS_ROOTS.join(', ')} is missing or small (${totalBytes} bytes): install python3`);
    assert.ok(
      texts.some((text) => /[^\x00-\x7f]/.test(text)),
      'the sample should hold some non-ASCII text',
    );
    texts.forEach((text, i) => assertMatchesTiktoken(text, files[i]));
  });

  it('matches on code points from every Unicode plane, in mixed runs', () => {
    let text = '';
    let n = 0;
    for (let code = 0; code < 0x30000; code += 89) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are covered in encode.test.ts
      text += String.fromCodePoint(code);
      if (++n % 7 === 0) text += n % 3 === 0 ? ' ' : n % 3 === 1 ? '\n  ' : "'s";
    }
    assertMatchesTiktoken(text, 'code point sweep');
  });

  it('matches on whitespace and punctuation edge cases', () => {
    for (const text of [
      ' ',
      '  ',
      '\n',
      ' \n ',
      '\t \t',
      'a  ',
      '   a',
      "'''",
      "'s's",
      "don't'",
      " 'll",
      '....!!!???',
      '\r\n\r\n',
      '\u00a0a\u2003b\u3000c',
      '1 2  3   4',
      '#'.repeat(1000),
      ' '.repeat(1000) + 'x',
    ]) {
      assertMatchesTiktoken(text, JSON.stringify(text.slice(0, 20)));
    }
  });
});
