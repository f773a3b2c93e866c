import * as assert from 'node:assert/strict';
import { activeHead, activeToken, clampFocus, focusForInspection, initialFocus, reduceFocus, sameHead, tokenWeights } from './focus.js';

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

  it('keeps a token only where the new prompt has the same token text', () => {
    const shape = (texts: string[]) => ({ n_layers: 12, n_heads: 12, tokens: texts.map((text) => ({ text })) });
    let f = initialFocus();
    f = reduceFocus(f, { target: 'head', action: { type: 'lock', item: { layer: 0, head: 2 } } });
    f = reduceFocus(f, { target: 'token', action: { type: 'lock', item: 2 } });
    const before = shape(['<|endoftext|>', 'self', ' param']);
    // A re-run of the same text (or text that starts the same) keeps the token.
    assert.equal(focusForInspection(f, before, shape(['<|endoftext|>', 'self', ' param', ' x'])).token.locked, 2);
    // Different text: the index points at an unrelated token, so the focus is cleared; the head stays.
    const other = focusForInspection(f, before, shape(['<|endoftext|>', 'def', '  ', 'x']));
    assert.equal(other.token.locked, null);
    assert.deepEqual(other.head.locked, { layer: 0, head: 2 });
    // No previous inspection (e.g. a restored panel): nothing to compare with.
    assert.equal(focusForInspection(f, undefined, before).token.locked, null);
    // Out of range in the new prompt.
    assert.equal(focusForInspection(f, before, shape(['<|endoftext|>', 'self'])).token.locked, null);
  });

  it('reads a row (from) or a column (to) of the pattern', () => {
    // [q, k] for 3 tokens
    const p = new Float32Array([1, 0, 0, 0.25, 0.75, 0, 0.5, 0.125, 0.375]);
    assert.deepEqual([...tokenWeights(p, 3, 2, 'from')], [0.5, 0.125, 0.375]);
    assert.deepEqual([...tokenWeights(p, 3, 1, 'to')], [0, 0.75, 0.125]);
  });
});
