import * as assert from 'node:assert/strict';
import { planDecorations, weightBucket, WEIGHT_BUCKETS, bucketAlpha } from '../../../src/features/attention/decorationPlan';
import { topHeads, tokenActivity } from '../../../src/analysis/tokenActivity';

/** One layer, one head, 3 tokens (BOS first), causal rows summing to 1. */
function layer(rows: number[][]) {
  const n = rows.length;
  return { dims: [1, n, n], data: Float32Array.from(rows.flat()) };
}

describe('host/tokenActivity', () => {
  const p = layer([
    [1, 0, 0],
    [0.7, 0.3, 0],
    [0.1, 0.6, 0.3],
  ]);
  const isBos = [true, false, false];

  it('from: strongest non-BOS key; to: strongest later query', () => {
    const [a1] = tokenActivity([p], 1, isBos);
    assert.equal(a1.fromKey, 1);
    assert.ok(Math.abs(a1.fromWeight - 0.3) < 1e-6);
    assert.equal(a1.toQuery, 2);
    assert.ok(Math.abs(a1.toWeight - 0.6) < 1e-6);
    const [a2] = tokenActivity([p], 2, isBos);
    assert.equal(a2.toQuery, -1, 'nothing after the last token');
    assert.equal(a2.toWeight, 0);
    const [a0] = tokenActivity([p], 0, isBos);
    assert.equal(a0.fromKey, -1, 'BOS keys are left out');
    assert.equal(a0.toWeight, 0, 'BOS is a sink, not reported as a target');
  });

  it('orders heads by layer and head, and picks the top k', () => {
    const two = {
      dims: [2, 3, 3],
      data: Float32Array.from([
        ...p.data,
        ...layer([
          [1, 0, 0],
          [0.1, 0.9, 0],
          [0, 0.2, 0.8],
        ]).data,
      ]),
    };
    const acts = tokenActivity([p, two], 1, isBos);
    assert.deepEqual(
      acts.map((a) => `${a.layer}.${a.head}`),
      ['0.0', '1.0', '1.1'],
    );
    assert.deepEqual(
      topHeads(acts, 'fromWeight', 2).map((a) => `${a.layer}.${a.head}`),
      ['1.1', '0.0'],
    );
    assert.throws(() => tokenActivity([p], 3, isBos), RangeError);
  });
});

describe('host/decorationPlan', () => {
  it('buckets weights and skips BOS and tiny weights', () => {
    assert.equal(weightBucket(1), WEIGHT_BUCKETS);
    assert.equal(weightBucket(0.001), 1);
    assert.ok(bucketAlpha(1) < bucketAlpha(WEIGHT_BUCKETS));
    const ranges = [
      { start: 5, end: 5 },
      { start: 5, end: 8 },
      { start: 8, end: 9 },
      { start: 9, end: 12 },
    ];
    const plan = planDecorations(ranges, [0.5, 0.4, 0.01, 0.09], 3);
    assert.deepEqual(
      plan.painted.map((p) => p.range.start),
      [5, 9],
    );
    assert.deepEqual(plan.focus, { start: 9, end: 12 });
    assert.equal(planDecorations(ranges, [1, 0, 0, 0], 0).focus, undefined, 'BOS has no range to outline');
    assert.throws(() => planDecorations(ranges, [1], 0));
  });
});
