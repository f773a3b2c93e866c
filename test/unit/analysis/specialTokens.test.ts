import * as assert from 'node:assert/strict';
import {
  SpecialTokenDetector,
  detectSpecialTokens,
  formatMultiplier,
  isWordPiece,
  median,
  quoteToken,
  robustZScores,
} from '../../../src/analysis/specialTokens';
import { causalPattern } from './patternHelpers';

// def f(self, param, x, y):\n    return param + x * y + z\n    w = param
const TEXTS = [
  '<|endoftext|>',
  'def',
  ' f',
  '(',
  'self',
  ',',
  ' param',
  ',',
  ' x',
  ',',
  ' y',
  '):',
  '\n',
  '   ',
  ' return',
  ' param',
  ' +',
  ' x',
  ' *',
  ' y',
  ' +',
  ' z',
  '\n',
  '   ',
  ' w',
  ' =',
  ' param',
  ' +',
  ' self',
  '.',
  'v',
];
const ids = new Map<string, number>();
const TOKENS = TEXTS.map((text, i) => {
  if (!ids.has(text)) ids.set(text, ids.size);
  return { text, id: ids.get(text) ?? -1, isBos: i === 0 };
});
const N = TOKENS.length;
const is = (k: number, text: string) => TOKENS[k].text === text;

describe('special-token detection', () => {
  it('median and robust z-scores', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    const z = robustZScores([1, 1, 1, 1, 5], 0.5);
    assert.deepEqual(z, [0, 0, 0, 0, 8]);
    assert.equal(quoteToken(' param\n'), '` param\\n`');
  });

  it('finds a head that attends to ` param` 8× more than to other identifiers', () => {
    // Head 0 prefers ` param` by a factor of 8 over every other key; head 1 is uniform.
    const layer = causalPattern(2, N, (h, _q, k) => (h === 0 && is(k, ' param') ? Math.log(8) : 0));
    const findings = detectSpecialTokens([layer], TOKENS);
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
    const [f] = findings;
    assert.equal(f.text, ' param');
    assert.equal(f.kind, 'identifier');
    assert.equal(f.direction, 'more');
    assert.deepEqual(f.tokenIndices, [6, 15, 26]);
    assert.deepEqual(
      f.heads.map((h) => [h.layer, h.head]),
      [[0, 0]],
    );
    // Not exactly 8: the distance correction absorbs a little of the preference.
    assert.ok(f.heads[0].ratio > 7 && f.heads[0].ratio < 9, `ratio ${f.heads[0].ratio}`);
    assert.match(f.message, /^head 0\.0 attends to ` param` [78]\.\d× more than to other identifier tokens$/);
    assert.equal(f.comparedWith, 8); // f, self, ` self`, x, y, z, w, v
  });

  it('reports heads that avoid a token, and sorts findings by strength', () => {
    const l0 = causalPattern(3, N, (h, _q, k) => (h === 2 && is(k, 'self') ? -Math.log(5) : 0));
    const l1 = causalPattern(3, N, (h, _q, k) => (h === 1 && is(k, ' param') ? Math.log(20) : 0));
    const findings = detectSpecialTokens([l0, l1], TOKENS, { minOccurrences: 1 }); // `self` occurs once
    assert.deepEqual(
      findings.map((f) => [f.text, f.direction]),
      [
        [' param', 'more'],
        ['self', 'less'],
      ],
    );
    assert.match(findings[1].message, /^head 0\.2 attends to `self` [45]\.\d× less than to other identifier tokens$/);
    assert.match(findings[0].message, /^head 1\.1 attends to ` param` (19× |over 20× )more/);
  });

  it('lists every responsible head, strongest first', () => {
    const l0 = causalPattern(2, N, (h, _q, k) => (is(k, ' param') ? Math.log(h === 0 ? 4 : 12) : 0));
    const [f] = detectSpecialTokens([l0], TOKENS);
    assert.deepEqual(
      f.heads.map((h) => h.head),
      [1, 0],
    );
    assert.match(f.message, /^head 0\.1 .* \(and 1 more head\)$/);
  });

  it('finds nothing in uniform heads, nor in a previous-token head', () => {
    const uniform = causalPattern(1, N, () => 0);
    const prev = causalPattern(1, N, (_h, q, k) => (k === q - 1 ? 6 : 0));
    assert.deepEqual(detectSpecialTokens([uniform, prev], TOKENS), []);
  });

  it('finds nothing in a recency-biased head with a BOS sink', () => {
    for (const decay of [0.3, 1, 2, 4]) {
      const recency = causalPattern(1, N, (_h, q, k) => -decay * (q - k) + (k === 0 ? 3 : 0));
      assert.deepEqual(detectSpecialTokens([recency], TOKENS), [], `decay ${decay}`);
    }
  });

  it('finds nothing in a steeply local head that never reaches early tokens', () => {
    // Long prompt: attention to far keys underflows to exactly 0, which must not read as "avoided".
    // ` f` occurs only near the start; the repeats use ` g` instead.
    const g = { text: ' g', id: 999, isBos: false };
    const rest = TOKENS.slice(1).map((t) => (t.text === ' f' ? g : t));
    const long = [...TOKENS, ...rest, ...rest, ...rest];
    for (const decay of [0.75, 1.5, 3]) {
      const local = causalPattern(1, long.length, (_h, q, k) => -decay * (q - k) + (k === 0 ? 4 : 0));
      assert.deepEqual(detectSpecialTokens([local], long), [], `decay ${decay}`);
    }
  });

  it('needs enough comparable tokens', () => {
    // Identifier types: a, param, b: only two peers for ` param` (and few pairs behind its ratio).
    const few = ['<|endoftext|>', ' a', ' param', ' b', ',', ' a', ' param', ' b', ',', ' a', ' param', ' b', '.'].map((text, i) => ({
      text,
      id: i === 0 ? 50256 : [' a', ' param', ' b', ',', '.'].indexOf(text),
      isBos: i === 0,
    }));
    const layer = causalPattern(1, few.length, (_h, _q, k) => (few[k].text === ' param' ? 3 : 0));
    assert.deepEqual(detectSpecialTokens([layer], few), []);
    assert.equal(detectSpecialTokens([layer], few, { minPeers: 2, minFindingSupport: 1 }).length, 1);
  });

  it('ignores BOS keys and checks the token count', () => {
    const sink = causalPattern(1, N, (_h, _q, k) => (k === 0 ? 10 : 0));
    assert.deepEqual(detectSpecialTokens([sink], TOKENS), []);
    const d = new SpecialTokenDetector(TOKENS.slice(1));
    assert.throws(() => d.addLayer(0, sink), /tokens/);
  });

  it('tells word pieces from whole words by their neighbours', () => {
    const texts = [' enc', 'ounter', ' self', '.', 'param', '(', ' x', '2', ' y'];
    assert.deepEqual(
      texts.map((_, i) => isWordPiece(texts, i)),
      [true, true, false, false, false, false, true, true, false],
    );
  });

  it('leaves subword pieces out, as candidates and as peers', () => {
    // ` enc` + `ounter` and ` count` + `ly` spliced into the prompt; a head that loves `ounter`.
    const extra = [' enc', 'ounter', ' count', 'ly', ' a', ' b', ' c'];
    const texts = [...TEXTS.slice(0, 12), ...extra, ...TEXTS.slice(12)];
    const idOf = new Map<string, number>();
    const toks = texts.map((text, i) => {
      if (!idOf.has(text)) idOf.set(text, idOf.size);
      return { text, id: idOf.get(text) ?? -1, isBos: i === 0 };
    });
    const layer = causalPattern(1, toks.length, (_h, _q, k) => (toks[k].text === 'ounter' ? Math.log(40) : 0));
    // The old detector (every token a candidate, few pairs enough) reported the piece.
    const old = detectSpecialTokens([layer], toks, { minFindingSupport: 0 }).map((f) => f.text);
    assert.deepEqual(detectSpecialTokens([layer], toks), []);
    const piecesAsWords = toks.map((t) => ({ ...t, text: t.text === 'ounter' ? ' ounter' : t.text === 'ly' ? ' ly' : t.text }));
    assert.deepEqual(
      detectSpecialTokens([layer], piecesAsWords, { minOccurrences: 1 }).map((f) => f.text),
      [' ounter'],
      `as a whole word it is found (old: ${old.join(', ')})`,
    );
  });

  it('needs enough (query, key) pairs before quoting a ratio', () => {
    // ` w` sits near the end: few queries ever see it.
    const layer = causalPattern(1, N, (_h, _q, k) => (is(k, ' w') ? Math.log(30) : 0));
    assert.deepEqual(detectSpecialTokens([layer], TOKENS), []);
    const [f] = detectSpecialTokens([layer], TOKENS, { minFindingSupport: 1, minOccurrences: 1 });
    assert.equal(f.text, ' w');
    assert.ok(f.heads[0].support > 0 && f.heads[0].support < 20, `support ${f.heads[0].support}`);
  });

  it('needs the token to occur twice: once, its identity cannot be told from its place', () => {
    // `self` occurs once (` self` is another token), early enough for plenty of pairs.
    const layer = causalPattern(1, N, (_h, _q, k) => (is(k, 'self') ? -Math.log(10) : 0));
    assert.deepEqual(detectSpecialTokens([layer], TOKENS), []);
    const [f] = detectSpecialTokens([layer], TOKENS, { minOccurrences: 1 });
    assert.equal(f.text, 'self');
    assert.ok(f.heads[0].support >= 20, `support ${f.heads[0].support}`);
  });

  it('caps the ratio it writes, and keeps the support it rests on', () => {
    assert.equal(formatMultiplier(8.12), '8.1×');
    assert.equal(formatMultiplier(12.4), '12×');
    assert.equal(formatMultiplier(165), 'over 20×');
    const layer = causalPattern(1, N, (_h, _q, k) => (is(k, ' param') ? Math.log(200) : 0));
    const [f] = detectSpecialTokens([layer], TOKENS);
    assert.match(f.message, /^head 0\.0 attends to ` param` over 20× more than to other identifier tokens$/);
    assert.ok(f.heads[0].support >= 20);
  });
});
