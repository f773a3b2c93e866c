import assert from 'node:assert/strict';
import { signedLevel } from '../ci-source-strip/sourceLevels';
import { ablationDeltas, ablationReadout, ablationScale, fmtSigned, legendTicks } from './ablation';
import { F, makeAblation, makeSaeFixture } from '../../../test/webview/saeFixtures';

describe('ablated text', () => {
  const fx = makeSaeFixture();
  const p = fx.tokens.findIndex((t) => t.text === ' open');
  const a = makeAblation(fx, F.open, p);

  it('paints each token by ablated − clean: a drop is negative (blue), a rise positive (red)', () => {
    const d = ablationDeltas(a);
    assert.equal(d.length, p + 1);
    const scale = ablationScale(d, a.clean);
    assert.ok(d[p] < 0 && signedLevel(d[p], scale) === -6, 'the token itself: the largest drop');
    const path = fx.tokens.findIndex((t) => t.text === 'path');
    assert.ok(path < p && d[path] > 0 && signedLevel(d[path], scale) > 0, 'ablating `path` raises it: red');
  });

  it('keeps a scale for an inactive feature and gives symmetric ticks', () => {
    assert.ok(ablationScale(new Float32Array(3), 0) > 0);
    assert.deepEqual(legendTicks(2), [-2, -1, 0, 1, 2]);
  });

  it('reads out the change with its sign', () => {
    assert.equal(fmtSigned(-1.3), '−1.30');
    assert.equal(fmtSigned(0.42), '+0.42');
    assert.equal(fmtSigned(0), '0');
    const line = ablationReadout(a, p, `#${p} ' open'`);
    assert.match(line, new RegExp(`^Ablating #${p} ' open': feature 311 at #${p} goes 7\\.80 → 1\\.40, −6\\.40 \\(−82\\.0%\\)$`));
  });
});
