import * as assert from 'node:assert/strict';
import { activeItem, emptyHoverLock, isPreview, reduceHoverLock, type HoverLockAction, type HoverLockState } from './hoverLock.js';

const run = (actions: HoverLockAction<string>[], s: HoverLockState<string> = emptyHoverLock()) => actions.reduce((acc, a) => reduceHoverLock(acc, a), s);

describe('hover to preview, click to lock', () => {
  it('hover previews, leave clears the preview', () => {
    const s = run([{ type: 'hover', item: 'a' }]);
    assert.equal(activeItem(s), 'a');
    assert.ok(isPreview(s));
    assert.equal(activeItem(run([{ type: 'leave' }], s)), null);
  });

  it('click locks; the lock shows when the pointer leaves; hovering another previews it', () => {
    const locked = run([
      { type: 'hover', item: 'a' },
      { type: 'click', item: 'a' },
    ]);
    assert.equal(locked.locked, 'a');
    assert.equal(isPreview(locked), false);
    const other = run([{ type: 'hover', item: 'b' }], locked);
    assert.equal(activeItem(other), 'b');
    assert.ok(isPreview(other));
    assert.equal(activeItem(run([{ type: 'leave' }], other)), 'a');
  });

  it('clicking the locked item unlocks it; unlock (Escape) clears the lock', () => {
    const s = run([
      { type: 'click', item: 'a' },
      { type: 'click', item: 'a' },
    ]);
    assert.equal(s.locked, null);
    const t = run([
      { type: 'click', item: 'a' },
      { type: 'click', item: 'b' },
    ]);
    assert.equal(t.locked, 'b');
    assert.equal(run([{ type: 'unlock' }], t).locked, null);
    assert.equal(run([{ type: 'lock', item: 'b' }], t).locked, 'b', 'lock never toggles');
  });

  it('returns the same object when nothing changes', () => {
    const s = run([{ type: 'hover', item: 'a' }]);
    assert.equal(reduceHoverLock(s, { type: 'hover', item: 'a' }), s);
    const e = emptyHoverLock<string>();
    assert.equal(reduceHoverLock(e, { type: 'leave' }), e);
    assert.equal(reduceHoverLock(e, { type: 'unlock' }), e);
  });
});
