import * as assert from 'node:assert/strict';
import { StalenessTracker } from '../../../src/platform/staleness';

describe('host/staleness', () => {
  it('becomes stale once on the first edit of the inspected document', () => {
    const s = new StalenessTracker();
    s.reset({ uri: 'file:///a.py', version: 3 });
    assert.equal(s.stale, false);
    assert.equal(s.documentChanged('file:///b.py', 9), false, 'another document');
    assert.equal(s.documentChanged('file:///a.py', 3), false, 'same version (e.g. a dirty-state event)');
    assert.equal(s.documentChanged('file:///a.py', 4, false), false, 'no content change');
    assert.equal(s.documentChanged('file:///a.py', 4), true);
    assert.equal(s.stale, true);
    assert.match(s.staleReason ?? '', /edited/);
    assert.equal(s.documentChanged('file:///a.py', 5), false, 'reported once');
  });

  it('a new inspection is fresh again; closing or settings make it stale', () => {
    const s = new StalenessTracker();
    s.reset({ uri: 'file:///a.py', version: 1 });
    assert.equal(s.documentClosed('file:///a.py'), true);
    s.reset({ uri: 'file:///a.py', version: 7 });
    assert.equal(s.stale, false);
    assert.equal(s.settingsChanged('the model'), true);
    assert.match(s.staleReason ?? '', /the model changed/);
  });

  it('does nothing without an inspection', () => {
    const s = new StalenessTracker();
    assert.equal(s.documentChanged('file:///a.py', 2), false);
    assert.equal(s.settingsChanged('x'), false);
    s.reset({ uri: 'u', version: 1 });
    s.clear();
    assert.equal(s.documentChanged('u', 2), false);
  });
});
