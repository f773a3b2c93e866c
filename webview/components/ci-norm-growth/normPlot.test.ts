import assert from 'node:assert/strict';
import { growthSummary, logLinearFit, logTicks, median, medianByBoundary } from './normPlot';
import { makeResidualFixture } from '../../../test/webview/residualFixtures';

describe('norm growth plot', () => {
  it('fits the growth factor of an exponential exactly', () => {
    const ys = Array.from({ length: 13 }, (_, b) => 40 * 1.42 ** b);
    const f = logLinearFit(ys);
    assert.ok(Math.abs(Math.exp(f.slope) - 1.42) < 1e-9);
    assert.ok(f.r2 > 0.999999);
  });

  it('the legend quotes the record’s fitted factor and sets BOS apart', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const s = growthSummary(r.norms, 'raw');
    assert.equal(s.legend, `×${r.norms.rawGrowth.fitted.toFixed(2)} per layer (fit to the median)`);
    assert.ok(s.notes.some((n) => /BOS .* left out of the fit/.test(n)));
    assert.ok(!s.notes.some((n) => /too few/.test(n)));
  });

  it('says a factor from fewer than 4 non-BOS positions means little', () => {
    const r = makeResidualFixture({ nTokens: 4 });
    assert.ok(growthSummary(r.norms, 'raw').notes.some((n) => /3 non-BOS positions: too few/.test(n)));
  });

  it('says when the median is not exponential in depth', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const a = r.norms.raw_boundary_pos;
    // Flat, then a jump: not a straight line on the log scale.
    for (let b = 0; b < 13; b++) for (let p = 0; p < 30; p++) a[b * 30 + p] = b < 6 ? 50 : b < 8 ? 5000 : 60;
    assert.ok(growthSummary(r.norms, 'raw').notes.some((n) => /not close to exponential/.test(n)));
  });

  it('says a fit over 2 layers cannot show steady growth', () => {
    const r = makeResidualFixture({ nTokens: 30, nLayers: 2, nHeads: 4 });
    assert.ok(growthSummary(r.norms, 'raw').notes.some((n) => /Fitted over 3 boundaries \(2 layers\): too few/.test(n)));
    assert.ok(!growthSummary(makeResidualFixture({ nTokens: 30 }).norms, 'raw').notes.some((n) => /boundaries/.test(n)));
  });

  it('the median leaves BOS out', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const m = medianByBoundary(r.norms, 'raw');
    assert.ok(m[0] < 200, `median ${m[0]} would be BOS-sized if BOS were in`);
    assert.equal(median([3, 1, 2]), 2);
  });

  it('log ticks are round and inside the range', () => {
    assert.deepEqual(logTicks(30, 4000), [50, 100, 200, 500, 1000, 2000]);
    const t = logTicks(0.5, 1e6);
    assert.ok(t.length <= 8 && t.every((v) => v >= 0.5 && v <= 1e6));
    // A narrow range without two round values (BOS alone, ~2300–4600) still gets labelled ticks.
    const narrow = logTicks(2300, 4600);
    assert.ok(narrow.length >= 2 && narrow.every((v) => v >= 2300 && v <= 4600), String(narrow));
  });
});
