import assert from 'node:assert/strict';
import { decile, decileLabel, groupByDecile } from './quantiles';
import { F, makeSaeFixture, makeScanResult } from '../../../test/webview/saeFixtures';

describe('feature examples by quantile', () => {
  it('puts quantiles in deciles (1 in the top one) and labels their range', () => {
    assert.equal(decile(0), 0);
    assert.equal(decile(0.05), 0);
    assert.equal(decile(0.95), 9);
    assert.equal(decile(1), 9);
    assert.equal(decileLabel(9), '90–100%');
    assert.equal(decileLabel(0), '0–10%');
  });

  it('groups uniform examples highest band first, each band by activation, and drops examples without a quantile', () => {
    const r = makeScanResult(makeSaeFixture(), F.open);
    const g = groupByDecile([...r.uniform, r.top[0]]);
    assert.equal(g.length, 10);
    assert.deepEqual(
      g.map((x) => x.decile),
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    );
    assert.ok(g.every((x) => x.examples.every((e) => e.quantile !== undefined)));
  });
});
