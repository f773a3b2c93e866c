import * as assert from 'node:assert/strict';
import { looksLikeProse } from '../../../../src/features/attention/proseNotice';

describe('looksLikeProse', () => {
  it('is true for English sentences', () => {
    assert.equal(looksLikeProse('When Mary and John went to the store, John gave a drink to'), true);
    assert.equal(looksLikeProse('The quick brown fox jumps over the lazy dog. It was not amused!'), true);
  });

  it('is false for code, docstrings with parameters, and short snippets', () => {
    assert.equal(looksLikeProse('def f(self, param): return self.param'), false);
    assert.equal(looksLikeProse('for i in range(10):\n    total += values[i] * weights[i]'), false);
    assert.equal(looksLikeProse('self.width = width'), false);
    assert.equal(looksLikeProse('hello world'), false);
  });
});
