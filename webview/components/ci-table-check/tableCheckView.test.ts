import * as assert from 'node:assert/strict';
import type { PatchTableCheck } from '../../../src/shared/precision';
import { tableCheckView } from './tableCheckView';

const check = (o: Partial<PatchTableCheck> & { fp32?: number[]; int8?: number[] } = {}): PatchTableCheck => {
  const fp32 = o.fp32 ?? [4, 2, 9, 0, 7];
  const int8 = o.int8 ?? fp32;
  return {
    cells: 48,
    maxAbs: o.maxAbs ?? 0.04,
    maxAbsShare: o.maxAbsShare === undefined ? 0.01 : o.maxAbsShare,
    metric: { fp32: { clean: 3.2, corrupt: -0.81 }, int8: { clean: 3.18, corrupt: -0.8 } },
    top: { k: 5, shared: fp32.filter((i) => int8.includes(i)).length, fp32, int8 },
  };
};

describe('ci-table-check: reading an int8 table against fp32', () => {
  const label = (i: number) => `L${Math.floor(i / 8)} H${i % 8}`;

  it('close: max |Δ|, share of the gap, all strongest cells shared, not notable', () => {
    const v = tableCheckView(check(), label);
    assert.equal(v.maxAbs, 'max |Δ| 0.04');
    assert.equal(v.share, '1% of the fp32 gap');
    assert.equal(v.top, '5 of 5 strongest cells shared');
    assert.deepEqual([v.fp32Only, v.int8Only], [[], []]);
    assert.equal(v.notable, false);
    assert.match(v.verdict, /^int8 reads this table as fp32 does/);
    assert.equal(v.metrics, 'unpatched: fp32 clean 3.2, corrupt -0.81 · int8 3.18, -0.8');
  });

  it('strongest cells that differ are named, each on its side, and make the check notable', () => {
    const v = tableCheckView(check({ int8: [4, 2, 9, 13, 7] }), label);
    assert.equal(v.top, '4 of 5 strongest cells shared');
    assert.deepEqual(v.fp32Only, ['L0 H0']);
    assert.deepEqual(v.int8Only, ['L1 H5']);
    assert.equal(v.notable, true);
    assert.match(v.verdict, /strongest cells differ/);
  });

  it('a large |Δ| with the same cells is notable; a zero gap has no share', () => {
    const big = tableCheckView(check({ maxAbs: 0.4, maxAbsShare: 0.1 }), label);
    assert.equal(big.notable, true);
    assert.match(big.verdict, /more than 5% of the gap/);
    const none = tableCheckView(check({ maxAbsShare: null }), label);
    assert.equal(none.share, undefined);
    assert.equal(none.notable, false);
  });
});
