import * as assert from 'node:assert/strict';
import { tokenKind } from '../../../src/analysis/tokenKinds';
import { DEFAULT_WATCH_TOKENS, isWatchedToken, matchWatchTokens, normalizeWatchList, stripLeadingSpace } from '../../../src/analysis/watchTokens';

describe('watch tokens', () => {
  it('defaults to self and param', () => {
    assert.deepEqual([...DEFAULT_WATCH_TOKENS], ['self', 'param']);
  });

  it('strips one leading space or Ġ', () => {
    assert.equal(stripLeadingSpace(' param'), 'param');
    assert.equal(stripLeadingSpace('Ġparam'), 'param');
    assert.equal(stripLeadingSpace('  x'), ' x');
    assert.equal(stripLeadingSpace('param'), 'param');
  });

  it('matches the whole token text, case-sensitively', () => {
    const texts = [' self', 'self', 'Ġparam', ' selfish', ' Self', '.', ' param', 'params', '  self'];
    assert.deepEqual(matchWatchTokens(texts, DEFAULT_WATCH_TOKENS), [true, true, true, false, false, false, true, false, false]);
  });

  it('normalizes the watch list from settings', () => {
    assert.deepEqual(normalizeWatchList([' self ', 'self', '', 3, 'Ġparam', null]), ['self', 'param']);
    assert.equal(isWatchedToken(' ', ['']), false);
  });
});

describe('token kinds', () => {
  const cases: [string, string][] = [
    [' param', 'identifier'],
    ['self', 'identifier'],
    [' self', 'identifier'],
    ['_private', 'identifier'],
    [' def', 'keyword'],
    ['return', 'keyword'],
    [' None', 'keyword'],
    [' 42', 'number'],
    ['(', 'punctuation'],
    ['):', 'punctuation'],
    [' +=', 'punctuation'],
    ['\n', 'whitespace'],
    ['    ', 'whitespace'],
    ['x2', 'identifier'],
    ['2x', 'other'],
    [' é', 'identifier'],
  ];
  for (const [text, kind] of cases) {
    it(`${JSON.stringify(text)} is ${kind}`, () => assert.equal(tokenKind(text), kind));
  }
  it('BOS wins over its text', () => assert.equal(tokenKind('<|endoftext|>', true), 'bos'));
});
