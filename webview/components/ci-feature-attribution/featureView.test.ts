import * as assert from 'node:assert/strict';
import type { ComparisonParams, SaeFeaturesParams } from '../../../src/features/substitution/shared/protocol.js';
import { directionTitles, featureRows } from './featureView.js';

const comparison = (clean: number, corrupt: number): ComparisonParams => ({
  runId: 'r',
  modelName: 'm',
  clean: {
    text: 'ab',
    tokens: [
      { id: 0, text: 'a', isBos: false },
      { id: 1, text: 'b', isBos: false },
    ],
  },
  corrupt: {
    text: 'ac',
    tokens: [
      { id: 0, text: 'a', isBos: false },
      { id: 2, text: 'c', isBos: false },
    ],
  },
  diff: {
    ops: [
      { kind: 'equal', a: 0, b: 0 },
      { kind: 'replace', a: 1, b: 1 },
    ],
    differingPositions: [1],
  },
  metric: { spec: { kind: 'logit_diff', answer: { id: 5, text: 'x' }, wrong: { id: 6, text: 'y' } }, label: 'l', clean, corrupt },
  n_layers: 1,
  n_heads: 1,
  sweeps: ['resid_pre'],
  notes: [],
  stale: false,
});

const features = (rows: [number, number, number | undefined][], c = comparison(3, -1)): SaeFeaturesParams => ({
  runId: 'r',
  state: 'done',
  warnings: [],
  features: rows.map(([f, est, exact]) => ({
    feature: f,
    attribution: { denoise: est, noise: -est },
    exact: exact === undefined ? undefined : { denoise: c.metric.corrupt + exact, noise: c.metric.clean - exact },
    denoise_pos: Float32Array.of(0, est),
    noise_pos: Float32Array.of(0, -est),
  })),
});

describe('ci-feature-attribution: featureRows', () => {
  it('bars are shares of the gap, clamped to ±1; the peak names the position and its tokens', () => {
    const [a, b] = featureRows(
      comparison(3, -1),
      features([
        [1, 2, 6],
        [2, -1, undefined],
      ]),
    );
    assert.equal(a.cells.denoise.estimateBar, 0.5);
    assert.equal(a.cells.denoise.exactBar, 1, 'a 150% share is clamped');
    assert.equal(a.cells.denoise.exactText, '+150%');
    assert.equal(a.peak, '1 b→c');
    assert.equal(b.cells.noise.estimateBar, -0.25);
    assert.equal(b.cells.noise.exactText, undefined);
  });

  it('with a small gap the bars are raw changes scaled to the largest on screen, and the titles say change', () => {
    const c = comparison(1.01, 1.0);
    const [a, b] = featureRows(
      c,
      features(
        [
          [1, 0.004, 0.002],
          [2, -0.001, undefined],
        ],
        c,
      ),
    );
    assert.equal(a.cells.denoise.estimateBar, 1);
    assert.equal(b.cells.denoise.estimateBar, -0.25);
    assert.equal(a.cells.denoise.estimateText, '+0.004 nats');
    assert.deepEqual(directionTitles(c), { denoise: 'denoising: change', noise: 'noising: change' });
    assert.deepEqual(directionTitles(comparison(3, -1)), { denoise: 'denoising restores', noise: 'noising removes' });
  });
});
