import assert from 'node:assert/strict';
import { QUALITY_THRESHOLDS, asSaeViewState, fmtDensity, lossRecovered, qualityVerdict, sortFeatures, worstPositions } from './saeView';

import { makeSaeFixture, makeTokenFeatures, quality } from '../../../test/webview/saeFixtures';

describe('Inspect Features panel view', () => {
  const rows = [
    { feature: 5, act: 1.5, density: 0.01 },
    { feature: 2, act: 3.0, density: null },
    { feature: 9, act: 1.5, density: 0.2 },
    { feature: 7, act: 0.2, density: 0.001 },
  ];

  it('sorts the active features by activation, feature or density, unknown densities last both ways, ties by feature', () => {
    assert.deepEqual(
      sortFeatures(rows, 'act', 'desc').map((r) => r.feature),
      [2, 5, 9, 7],
    );
    assert.deepEqual(
      sortFeatures(rows, 'act', 'asc').map((r) => r.feature),
      [7, 5, 9, 2],
    );
    assert.deepEqual(
      sortFeatures(rows, 'feature', 'asc').map((r) => r.feature),
      [2, 5, 7, 9],
    );
    assert.deepEqual(
      sortFeatures(rows, 'density', 'desc').map((r) => r.feature),
      [9, 5, 7, 2],
    );
    assert.deepEqual(
      sortFeatures(rows, 'density', 'asc').map((r) => r.feature),
      [7, 5, 9, 2],
    );
    assert.equal(rows[0].feature, 5, 'input untouched');
  });

  it('sorts a real token list the same as the host sent it (activation, descending)', () => {
    const fx = makeSaeFixture();
    const tf = makeTokenFeatures(fx, 11);
    assert.deepEqual(sortFeatures(tf.features, 'act', 'desc'), tf.features);
  });

  it('writes densities as a percentage and a rate', () => {
    assert.equal(fmtDensity(0.0041), '0.41% · 1 in 244 tokens');
    assert.equal(fmtDensity(0.13), '13.0% · 1 in 8 tokens');
    assert.equal(fmtDensity(null), 'unknown');
    assert.equal(fmtDensity(0), 'never active');
  });

  it('judges a good reconstruction good, a bad one poor with the reasons, and a short prompt not at all', () => {
    const good = qualityVerdict(quality(46));
    assert.equal(good.level, 'good');
    const bad = qualityVerdict(quality(46, true));
    assert.equal(bad.level, 'poor');
    assert.equal(bad.reasons.length, 3);
    assert.match(bad.reasons[0], /only 38% of the activations' variance/);
    assert.match(bad.reasons[1], /rises by 1\.18 nats/);
    const short = qualityVerdict({ ...quality(5, true) });
    assert.equal(short.level, 'too-short', 'a 4-position prompt is not judged, even with bad numbers');
    assert.match(short.headline, /4 scored positions \(at least 8 needed\)/);
  });

  it('gives no verdict between the thresholds, and one poor measurement is enough', () => {
    const q = quality(46);
    assert.equal(qualityVerdict({ ...q, varianceExplained: 0.7 }).level, 'mixed');
    assert.equal(qualityVerdict({ ...q, varianceExplained: QUALITY_THRESHOLDS.poorVarianceExplained - 0.01 }).level, 'poor');
    assert.equal(qualityVerdict({ ...q, ceSpliced: q.ceClean + 0.6 }).level, 'poor');
    assert.equal(qualityVerdict({ ...q, top1Agreement: 0.6 }).level, 'poor');
  });

  it('blames the error term only when the variance explained is low; a close reconstruction that moves predictions is said to be close', () => {
    const q = quality(46);
    assert.match(qualityVerdict({ ...q, varianceExplained: 0.4 }).headline, /error term carries much of the activation/);
    const close = qualityVerdict({ ...q, varianceExplained: 0.96, ceSpliced: q.ceClean + 0.7 });
    assert.equal(close.level, 'poor');
    assert.doesNotMatch(close.headline, /error term carries/);
    assert.match(close.headline, /close, but what it misses matters/);
  });

  it('computes the loss recovered and the positions splicing moves most (BOS skipped)', () => {
    const q = quality(46);
    assert.ok(Math.abs((lossRecovered(q) ?? 0) - (5.9 - 1.93) / (5.9 - 1.84)) < 1e-9);
    assert.equal(lossRecovered({ ...q, ceZeroAblated: undefined }), undefined);
    const kl = new Float32Array(q.kl_pos);
    kl[0] = 9;
    const w = worstPositions({ ...q, kl_pos: kl }, (i) => i === 0, 2);
    assert.equal(w[0].position, 20);
    assert.equal(w.length, 2);
  });

  it('keeps only valid saved view choices', () => {
    assert.deepEqual(asSaeViewState({ mode: 'compact', sortKey: 'density', sortDir: 'asc' }), { mode: 'compact', sortKey: 'density', sortDir: 'asc' });
    assert.deepEqual(asSaeViewState({ mode: 'huge', sortKey: 3 }), {});
    assert.deepEqual(asSaeViewState(null), {});
  });
});
