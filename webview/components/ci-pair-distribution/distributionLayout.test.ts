import * as assert from 'node:assert/strict';
import { distributionLayout, niceTicks, rowAt, sortedRows, stripTicks, valueDomain, xOf } from './distributionLayout.js';

describe('pair distribution layout', () => {
  it('the value domain covers values and references, padded, never zero-width, ignoring NaN', () => {
    const [lo, hi] = valueDomain([0, 1, NaN], [3]);
    assert.ok(lo < 0 && hi > 3);
    assert.deepEqual(valueDomain([2, 2]), [1.5, 2.5]);
    assert.deepEqual(valueDomain([NaN]), [-1, 1]);
    assert.equal(xOf([0, 10], 5, 100, 5), 55);
  });

  it('rows are ordered highest first, non-finite last', () => {
    assert.deepEqual(sortedRows([1, NaN, 3, 2]), [2, 3, 0, 1]);
  });

  it('round ticks within the range', () => {
    assert.deepEqual(niceTicks(-1.2, 3.3, 5), [-1, 0, 1, 2, 3]);
    assert.deepEqual(niceTicks(0, 0.5, 5), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('50 pairs fit in the target height with readable rows; 500 pairs get thin rows and thinned labels', () => {
    const l50 = distributionLayout({ rows: 50, maxWidth: 800, labelPx: 120, fontPx: 11, headPx: 36, keyPx: 34 });
    assert.equal(l50.rowH, 8);
    assert.equal(l50.labelEvery, 2);
    assert.equal(rowAt(l50, 300, l50.top + 8 * 3 + 1), 3);
    assert.equal(rowAt(l50, 300, l50.top - 1), null);
    assert.equal(rowAt(l50, 300, l50.top + 50 * 8), null);
    const l500 = distributionLayout({ rows: 500, maxWidth: 800, labelPx: 120, fontPx: 11, headPx: 36, keyPx: 34 });
    assert.equal(l500.rowH, 3);
    assert.equal(l500.labelEvery, 4);
  });

  it('strip ticks: one per finite value, inside the strip', () => {
    const t = stripTicks([0, 5, 10, NaN], [0, 10], 108, 4);
    assert.deepEqual(t, [4, 54, 104]);
  });
});
