import * as assert from 'node:assert/strict';
import type { PatchTable, SweepKind, SweepProgress } from '../../../../../src/features/substitution/shared/protocol';
import { mergeTables, sweepFraction, tableKey, type TableKey } from '../../../../../src/features/substitution/shared/tables';

const t = (sweep: SweepKind, direction: 'denoise' | 'noise', source: 'exact' | 'attribution', v: number[]): PatchTable => ({
  sweep,
  direction,
  source,
  dims: [1, v.length],
  axes: ['layer', 'head_index'],
  patched: Float32Array.from(v),
});
const values = (m: ReadonlyMap<TableKey, PatchTable>, k: TableKey) => [...(m.get(k)?.patched ?? [])];

describe('substitution tables: mergeTables', () => {
  it('an exact table replaces an estimate, never the other way round', () => {
    let m = mergeTables(new Map(), [t('z', 'denoise', 'attribution', [1, 1])]);
    assert.equal(m.get('z/denoise')?.source, 'attribution');
    m = mergeTables(m, [t('z', 'denoise', 'exact', [2, 2])]);
    assert.equal(m.get('z/denoise')?.source, 'exact');
    m = mergeTables(m, [t('z', 'denoise', 'attribution', [3, 3])]);
    assert.equal(m.get('z/denoise')?.source, 'exact', 'a late estimate does not undo an exact table');
    assert.deepEqual(values(m, 'z/denoise'), [2, 2]);
    m = mergeTables(m, [t('z', 'denoise', 'exact', [4, 4])]);
    assert.deepEqual(values(m, 'z/denoise'), [4, 4], 'a newer exact table replaces an older one');
    m = mergeTables(m, [t('z', 'noise', 'attribution', [5, 5]), t('z', 'noise', 'attribution', [6, 6])]);
    assert.deepEqual(values(m, 'z/noise'), [6, 6], 'a newer estimate replaces an older one');
  });

  it('returns a new map and leaves the previous one as it was', () => {
    const prev = mergeTables(new Map(), [t('z', 'denoise', 'attribution', [1, 1])]);
    const before = [...prev.entries()];
    const next = mergeTables(prev, [t('z', 'denoise', 'exact', [2, 2]), t('k', 'noise', 'exact', [3, 3])]);
    assert.notEqual(next, prev);
    assert.deepEqual([...prev.entries()], before);
    assert.equal(prev.get('z/denoise')?.source, 'attribution');
    assert.equal(prev.has('k/noise'), false);
    assert.notEqual(mergeTables(prev, []), prev, 'even with nothing to add');
  });

  it('keeps one table per (sweep, direction), keyed by tableKey', () => {
    const m = mergeTables(new Map(), [
      t('z', 'denoise', 'attribution', [1, 1]),
      t('z', 'noise', 'attribution', [2, 2]),
      t('resid_pre', 'denoise', 'attribution', [3, 3]),
      t('z', 'denoise', 'exact', [4, 4]),
      t('resid_pre', 'denoise', 'exact', [5, 5]),
    ]);
    assert.deepEqual([...m.keys()].sort(), ['resid_pre/denoise', 'z/denoise', 'z/noise']);
    assert.equal(tableKey('z', 'noise'), 'z/noise');
    for (const [k, table] of m) assert.equal(k, tableKey(table.sweep, table.direction));
    assert.deepEqual(values(m, 'z/denoise'), [4, 4]);
    assert.deepEqual(values(m, 'resid_pre/denoise'), [5, 5]);
  });
});

describe('substitution tables: sweepFraction', () => {
  // 2 tables of a 3-layer model, 4 cells per layer, reported as the engine does: after each batch
  // of cells, with the number of tables already finished.
  const n_layers = 3;
  const tablesTotal = 2;
  const cellsTotal = 4;
  const progress = (tablesDone: number, layer: number, cellsDone: number): SweepProgress => ({
    direction: 'denoise',
    sweep: 'z',
    tablesDone,
    tablesTotal,
    layer,
    cellsDone,
    cellsTotal,
  });
  const sequence: SweepProgress[] = [];
  for (let tablesDone = 0; tablesDone < tablesTotal; tablesDone++) {
    for (let layer = 0; layer < n_layers; layer++)
      for (let cellsDone = 1; cellsDone <= cellsTotal; cellsDone++) sequence.push(progress(tablesDone, layer, cellsDone));
  }
  const endOfFirstTable = sequence.findIndex((p) => p.tablesDone === 0 && p.layer === n_layers - 1 && p.cellsDone === cellsTotal);
  const increasesMonotonically = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);

  it('never moves back along a run, is 1/2 after the first of 2 tables and 1 at the end', () => {
    const fractions = sequence.map((p) => sweepFraction(p, n_layers));
    assert.ok(increasesMonotonically(fractions), `fractions decrease: ${fractions.map((f) => f.toFixed(3)).join(' ')}`);
    assert.equal(fractions[endOfFirstTable], 1 / 2);
    assert.equal(sweepFraction(progress(1, 0, 0), n_layers), 1 / 2, 'the second table, not begun');
    assert.equal(fractions[fractions.length - 1], 1);
    assert.equal(sweepFraction(progress(2, 0, 0), n_layers), 1, 'both tables done');
    assert.ok(fractions.every((f) => f > 0 && f <= 1));
  });

  it('guards against the old formula, which moved back at each new layer', () => {
    // What the bar used to show: the current layer's cells scaled by how many layers were reached.
    const old = (p: SweepProgress) => (p.tablesDone + (p.cellsDone / p.cellsTotal) * ((p.layer + 1) / n_layers)) / p.tablesTotal;
    const fractions = sequence.map(old);
    assert.ok(!increasesMonotonically(fractions), 'the old formula is not monotonic on this sequence, so the test above would fail on it');
    // For instance layer 0 done (1/6), then the first cell of layer 1 (1/12).
    const layer0Done = sequence.findIndex((p) => p.tablesDone === 0 && p.layer === 0 && p.cellsDone === cellsTotal);
    assert.ok(fractions[layer0Done + 1] < fractions[layer0Done]);
  });

  it('is 0 for a run with no tables or no layers, and clamps out-of-range progress to 1', () => {
    assert.equal(sweepFraction({ ...progress(0, 0, 0), tablesTotal: 0 }, n_layers), 0);
    assert.equal(sweepFraction(progress(0, 1, 2), 0), 0);
    assert.equal(sweepFraction({ ...progress(0, 0, 0), cellsTotal: 0 }, n_layers), 0);
    assert.equal(sweepFraction(progress(1, 9, 9), n_layers), 1);
  });
});
