import assert from 'node:assert/strict';
import { actLevel, fmtAct, paintScale, peakPosition, rovingIndex } from './featurePaint';
import { F, featureActs, makeSaeFixture } from '../../../test/webview/saeFixtures';

describe('feature strip paint', () => {
  it('maps activations to levels 0..6: none below 2% of the scale, 6 at the max, monotone', () => {
    assert.equal(actLevel(0, 5), 0);
    assert.equal(actLevel(0.05, 5), 0);
    assert.equal(actLevel(0.2, 5), 1);
    assert.equal(actLevel(5, 5), 6);
    assert.equal(actLevel(9, 5), 6);
    assert.equal(actLevel(1, 0), 0);
    assert.equal(actLevel(Number.NaN, 5), 0);
    let prev = 0;
    for (let a = 0; a <= 5; a += 0.1) {
      const l = actLevel(a, 5);
      assert.ok(l >= prev);
      prev = l;
    }
  });

  it('scales the paint to the largest activation outside BOS, unless the feature fires only on BOS', () => {
    const fx = makeSaeFixture();
    const bos = (i: number) => fx.tokens[i].isBos;
    const open = featureActs(fx, F.open);
    assert.equal(paintScale(open, bos), Math.max(...open));
    const onlyBos = featureActs(fx, F.bos);
    assert.equal(paintScale(onlyBos, bos), onlyBos[0]);
    assert.equal(
      peakPosition(open, bos),
      fx.tokens.findIndex((t) => t.text === ' open'),
    );
    assert.equal(peakPosition(new Float32Array(4)), -1);
  });

  it('prints activations with 3 significant digits', () => {
    assert.equal(fmtAct(7.8), '7.80');
    assert.equal(fmtAct(41.5), '41.5');
    assert.equal(fmtAct(212.4), '212');
    assert.equal(fmtAct(0.004), '0.0040');
    assert.equal(fmtAct(0), '0');
  });

  it('moves a roving cursor with arrows, Home and End, clamped', () => {
    assert.equal(rovingIndex('ArrowRight', 3, 5), 4);
    assert.equal(rovingIndex('ArrowRight', 4, 5), 4);
    assert.equal(rovingIndex('ArrowLeft', 0, 5), 0);
    assert.equal(rovingIndex('End', 0, 5), 4);
    assert.equal(rovingIndex('Home', 3, 5), 0);
    assert.equal(rovingIndex('a', 3, 5), undefined);
  });
});
