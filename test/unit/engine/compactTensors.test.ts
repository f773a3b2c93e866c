import * as assert from 'node:assert/strict';
import { compactTensors } from '../../../src/engine/compactTensors';

describe('engine/compactTensors', () => {
  it('gives a view into a larger buffer a buffer of its own, so only its bytes cross the process boundary', () => {
    const cache = new Float32Array(4 * 9).map((_, i) => i); // [head, q, k] for 4 heads of 3 × 3
    const head2 = cache.subarray(18, 27);
    const out = compactTensors({ n_tokens: 3, pattern_q_k: head2, nested: [{ rows: cache.subarray(0, 3) }] });
    assert.equal(out.pattern_q_k.buffer.byteLength, 9 * 4);
    assert.deepEqual([...out.pattern_q_k], [...head2]);
    assert.equal(out.nested[0].rows.buffer.byteLength, 3 * 4);
    assert.equal(cache[18], 18, 'the source is not changed');
  });

  it('leaves values that need nothing as they are (the same objects, no copies)', () => {
    const own = new Float32Array([1, 2, 3]);
    const value = { a: own, b: [1, 'x', null], c: { d: true } };
    const out = compactTensors(value);
    assert.equal(out, value);
    assert.equal(out.a, own);
    assert.equal(compactTensors(own), own);
    assert.equal(compactTensors(null), null);
  });
});
