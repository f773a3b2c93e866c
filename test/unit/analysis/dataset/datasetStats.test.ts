/** The statistics of dataset mode on hand-made numbers: means, normalisation, zero gap, n = 1, the half-gap rule in both directions. */
import assert from 'node:assert/strict';
import { cellStats, isZeroGap, restoresHalf, summarise } from '../../../../src/analysis/dataset/datasetStats';

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (a: ArrayLike<number> | null, b: number[]) => {
  assert.ok(a, 'present');
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('dataset statistics', () => {
  // three pairs: gaps 4, 2 and 0 (clean = corrupt); dataset means clean 3, corrupt 1
  const summary = summarise(f32([4, 3, 2]), f32([0, 1, 2]));

  it('summary: means, the fraction where clean beats corrupt, a non-zero gap', () => {
    assert.equal(summary.pairs, 3);
    assert.equal(summary.meanClean, 3);
    assert.equal(summary.meanCorrupt, 1);
    assert.equal(summary.cleanBeatsCorrupt, 2 / 3);
    assert.equal(summary.zeroGap, false);
  });

  it('per cell: mean, normalised by the dataset means (not per pair), sample standard error', () => {
    // cell 0: patched 2, 3, 2 → mean 7/3; cell 1: 0, 1, 2 (the corrupt metrics: nothing restored)
    const s = cellStats(f32([2, 0, 3, 1, 2, 2]), 2, summary, 'denoise');
    close(s.mean, [7 / 3, 1]);
    close(s.normalised, [(7 / 3 - 1) / 2, 0]);
    // per pair then averaged would give ((2-0)/4 + (3-1)/2) / 2 = 0.75 for cell 0, not 0.667
    assert.ok(Math.abs(s.normalised![0] - 0.75) > 0.05);
    // sample sd of (2, 3, 2): sqrt(((1/3)² · 2 + (2/3)²) / 2) = sqrt(1/3); / √3 → 1/3
    close(s.standardError, [1 / 3, 1 / Math.sqrt(3)]); // cell 1: sample sd of (0, 1, 2) is 1
  });

  it('restored fraction, denoise: pairs with a gap whose patch restores at least half of their own gap', () => {
    // pair 0 (gap 4, corrupt 0): 2 is exactly half → counts; pair 1 (gap 2, corrupt 1): 1.9 is < half; pair 2: no gap, not counted
    const s = cellStats(f32([2, 1.9, 99]), 1, summary, 'denoise');
    close(s.restoredFraction, [1 / 2]);
  });

  it('restored fraction, noise: pairs whose patch removes at least half of their own gap', () => {
    // pair 0 (clean 4, gap 4): 2.5 removes 1.5 < 2; pair 1 (clean 3, gap 2): 2 removes exactly 1 → counts
    const s = cellStats(f32([2.5, 2, -7]), 1, summary, 'noise');
    close(s.restoredFraction, [1 / 2]);
    assert.equal(restoresHalf(0, 4, 0, 'noise'), true);
    assert.equal(restoresHalf(4, 4, 0, 'noise'), false);
    // a pair whose corrupt beats clean (negative gap): restoring means moving towards the lower clean value
    assert.equal(restoresHalf(1, 0, 4, 'denoise'), true);
    assert.equal(restoresHalf(3, 0, 4, 'denoise'), false);
  });

  it('zero mean gap: no normalised values, raw statistics and the fraction (pairs have gaps) remain', () => {
    const z = summarise(f32([2, 0]), f32([0, 2])); // gaps +2 and −2: mean gap 0
    assert.equal(z.zeroGap, true);
    const s = cellStats(f32([1.5, 0.2]), 1, z, 'denoise');
    assert.equal(s.normalised, null);
    close(s.mean, [0.85]);
    // pair 0: (1.5 − 0)/2 ≥ ½ yes; pair 1: (0.2 − 2)/(−2) = 0.9 ≥ ½ yes
    close(s.restoredFraction, [1]);
  });

  it('no pair with a gap: no normalised values and no fraction', () => {
    const z = summarise(f32([1, 1]), f32([1, 1]));
    const s = cellStats(f32([1, 1]), 1, z, 'noise');
    assert.equal(z.zeroGap, true);
    assert.equal(s.normalised, null);
    assert.equal(s.restoredFraction, null);
  });

  it('the zero-gap tolerance is relative to the metrics: 1e-4 of the largest |metric|', () => {
    assert.equal(isZeroGap(0, 0), true);
    assert.equal(isZeroGap(0.5e-4 * 10, 10), true);
    assert.equal(isZeroGap(2e-4 * 10, 10), false);
    assert.equal(summarise(f32([100.004]), f32([100])).zeroGap, true); // 4e-3 < 1e-4 × 100
    assert.equal(summarise(f32([0.004]), f32([0])).zeroGap, false);
  });

  it('n = 1: the pair itself, standard error 0', () => {
    const one = summarise(f32([3]), f32([1]));
    const s = cellStats(f32([2]), 1, one, 'denoise');
    close(s.mean, [2]);
    close(s.normalised, [0.5]);
    close(s.standardError, [0]);
    close(s.restoredFraction, [1]);
  });
});
