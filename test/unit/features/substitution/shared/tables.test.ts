import * as assert from 'node:assert/strict';
import type { PatchTable, SweepKind } from '../../../../../src/features/substitution/shared/protocol';
import { mergeTables, tableKey, type TableKey } from '../../../../../src/features/substitution/shared/tables';

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
