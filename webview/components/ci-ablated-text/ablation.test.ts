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
    const data = fx.tokens.findIndex((t, j) => j < p && t.text === ' data');
    if (data >= 0) assert.ok(signedLevel(d[data], scale) > 0);
    const rise = a.ablated_pos.findIndex((v) => v > a.clean);
    assert.ok(rise < 0 || signedLevel(d[rise], scale) >= 0);
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
