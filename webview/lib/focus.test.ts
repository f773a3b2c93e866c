import * as assert from 'node:assert/strict';
import { activeHead, activeToken, clampFocus, initialFocus, reduceFocus, sameHead, tokenWeights } from './focus.js';

describe('panel focus', () => {
  it('tracks heads by value, tokens and direction', () => {
    let f = initialFocus();
    f = reduceFocus(f, { target: 'head', action: { type: 'click', item: { layer: 5, head: 1 } } });
    f = reduceFocus(f, { target: 'head', action: { type: 'hover', item: { layer: 0, head: 1 } } });
    assert.deepEqual(activeHead(f), { layer: 0, head: 1 });
    // A structurally equal head counts as the locked one.
    f = reduceFocus(f, { target: 'head', action: { type: 'click', item: { layer: 5, head: 1 } } });
    assert.equal(f.head.locked, null);
    f = reduceFocus(f, {
      target: 'batch',
      actions: [
        { target: 'token', action: { type: 'lock', item: 7 } },
        { target: 'direction', direction: 'to' },
      ],
    });
    assert.equal(activeToken(f), 7);
    assert.equal(f.direction, 'to');
    assert.ok(sameHead({ layer: 1, head: 2 }, { layer: 1, head: 2 }));
  });

  it('drops what a new inspection does not have', () => {
    let f = initialFocus();
    f = reduceFocus(f, { target: 'head', action: { type: 'lock', item: { layer: 11, head: 3 } } });
    f = reduceFocus(f, { target: 'token', action: { type: 'lock', item: 50 } });
    f = reduceFocus(f, { target: 'token', action: { type: 'hover', item: 2 } });
    const small = clampFocus(f, 6, 12, 40);
    assert.equal(small.head.locked, null);
    assert.equal(small.token.locked, null);
    assert.equal(small.token.hovered, null);
    const same = clampFocus(f, 12, 12, 100);
    assert.deepEqual(same.head.locked, { layer: 11, head: 3 });
    assert.equal(same.token.locked, 50);
  });

  it('reads a row (from) or a column (to) of the pattern', () => {
    // [q, k] for 3 tokens
    const p = new Float32Array([1, 0, 0, 0.25, 0.75, 0, 0.5, 0.125, 0.375]);
    assert.deepEqual([...tokenWeights(p, 3, 2, 'from')], [0.5, 0.125, 0.375]);
    assert.deepEqual([...tokenWeights(p, 3, 1, 'to')], [0, 0.75, 0.125]);
  });
});
