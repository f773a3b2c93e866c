import * as assert from 'node:assert/strict';
import type { ComparisonParams, PatchTable } from '../../../src/features/substitution/shared/protocol.js';
import { tableKey, type TableKey } from '../../../src/features/substitution/shared/tables.js';
import { availableModes, defaultMode, describeCell, heatmapView, hintsFor, sharedScale, smallGapText, sweepStatus } from './patchView.js';

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
  diff: { ops: [], differingPositions: [1] },
  metric: { spec: { kind: 'kl' }, label: 'KL', clean, corrupt },
  n_layers: 1,
  n_heads: 2,
  sweeps: ['z'],
  notes: [],
  stale: false,
});
const t = (direction: 'denoise' | 'noise', source: 'exact' | 'attribution', v: number[]): PatchTable => ({
  sweep: 'z',
  direction,
  source,
  dims: [1, 2],
  axes: ['layer', 'head_index'],
  patched: Float32Array.from(v),
});
const byKey = (...ts: PatchTable[]): Map<TableKey, PatchTable> => new Map(ts.map((x) => [tableKey(x.sweep, x.direction), x]));

describe('substitution panel view', () => {
  it("marks a sweep exact, partial, estimate or none from its two tables' sources", () => {
    assert.equal(sweepStatus('z', byKey(t('denoise', 'exact', [2, 2]))), 'partial');
    assert.equal(sweepStatus('z', byKey(t('denoise', 'exact', [2, 2]), t('noise', 'attribution', [0, 0]))), 'partial');
    assert.equal(sweepStatus('z', byKey(t('denoise', 'attribution', [1, 1]), t('noise', 'attribution', [0, 0]))), 'estimate');
    assert.equal(sweepStatus('z', byKey(t('denoise', 'exact', [2, 2]), t('noise', 'exact', [0, 0]))), 'exact');
    assert.equal(sweepStatus('k', byKey(t('denoise', 'exact', [2, 2]))), 'none');
  });

  it('offers no normalised mode when the metrics are equal, and never divides by 0', () => {
    assert.deepEqual(availableModes(comparison(1, 1)), ['change', 'raw']);
    const v = heatmapView(comparison(1, 1), t('denoise', 'exact', [1, 1]), 'normalised');
    assert.deepEqual(v.values, [null, null]);
    const flat = heatmapView(comparison(1, 1), t('noise', 'exact', [1, Math.fround(1.0000001)]), 'raw');
    assert.ok(sharedScale([flat]) >= 1e-5, 'float32 rounding does not saturate the scale');
    assert.match(describeCell(comparison(1, 1), t('noise', 'exact', [1, 1]), 1), /undefined \(clean = corrupt\)/);
  });

  it('hints come with readable component labels', () => {
    const h = hintsFor(comparison(0, 2), 'z', byKey(t('denoise', 'exact', [2, 0.2]), t('noise', 'exact', [0, 0])))!;
    assert.equal(h.length, 1);
    assert.equal(h[0].label, 'head 0.1');
    assert.equal(h[0].hint, 'or-like');
  });

  it('a small gap: raw values by default, no AND/OR verdicts, and the threshold stated', () => {
    // KL gap of 0.015 nats, like ` low` → ` high`: shares of 200% are noise.
    const c = comparison(0.015, 0);
    assert.equal(defaultMode(c), 'raw');
    assert.equal(defaultMode(comparison(3, 0)), 'effect');
    assert.deepEqual(hintsFor(c, 'z', byKey(t('denoise', 'exact', [0.03, 0.02]), t('noise', 'exact', [-0.015, -0.008]))), []);
    assert.match(smallGapText(c), /0\.015 nats, below the 0\.5 nats/);
  });

  it('the significance threshold decides the verdicts: 34% is not sufficient at the default 50%', () => {
    const tables = byKey(t('denoise', 'exact', [0, 1.02]), t('noise', 'exact', [3, 3]));
    assert.deepEqual(hintsFor(comparison(3, 0), 'z', tables), []);
    assert.deepEqual(
      hintsFor(comparison(3, 0), 'z', tables, 0.3)!.map((h) => [h.label, h.hint]),
      [['head 0.1', 'or-like']],
    );
  });

  it('effect mode: one scale for both directions, 0 at the unpatched run, full colour at the whole gap', () => {
    const c = comparison(3, 1);
    const d = heatmapView(c, t('denoise', 'exact', [1, 3]), 'effect');
    const n = heatmapView(c, t('noise', 'exact', [3, 1]), 'effect');
    assert.deepEqual([d.values, d.centre, n.values, n.centre], [[0, 1], 0, [0, 1], 0]);
    assert.equal(sharedScale([d, n], 'effect'), 1);
    assert.match(describeCell(c, t('noise', 'exact', [3, 2]), 1), /effect 0\.5 of the gap removed/);
  });
});
