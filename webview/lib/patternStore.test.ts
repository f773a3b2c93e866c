import * as assert from 'node:assert/strict';
import { PatternStore } from './patternStore.js';

describe('pattern store', () => {
  const head = { layer: 1, head: 2 };
  it('tracks requests, ignores outdated responses and caches by LRU within a byte budget', () => {
    const s = new PatternStore(3 * 16); // three 2×2 patterns
    s.reset('i1');
    assert.ok(s.needs(head));
    const id = s.begin(head);
    assert.ok(!s.needs(head) && s.isPending(head));
    assert.deepEqual(s.complete(id, 'i1', { pattern: new Float32Array(4) }), head);
    assert.ok(s.view().get(head));
    assert.equal(s.complete(id, 'i1', { pattern: new Float32Array(4) }), undefined, 'an id answers once');

    const old = s.begin({ layer: 0, head: 0 });
    s.reset('i2');
    assert.equal(s.complete(old, 'i1', { pattern: new Float32Array(4) }), undefined, 'requests of the old inspection are dropped');

    for (let h = 0; h < 4; h++) s.complete(s.begin({ layer: 0, head: h }), 'i2', { pattern: new Float32Array(4) });
    const v = s.view();
    assert.equal(v.get({ layer: 0, head: 0 }), undefined, 'the least recently used went first');
    assert.ok(v.get({ layer: 0, head: 3 }));

    const e = s.begin({ layer: 9, head: 9 });
    s.complete(e, undefined, { error: 'boom' });
    assert.equal(s.view().errorOf({ layer: 9, head: 9 }), 'boom');
    assert.ok(!s.needs({ layer: 9, head: 9 }), 'failed heads are not re-requested');
    assert.notEqual(s.view().version, v.version);
  });
});
