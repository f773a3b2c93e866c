import * as assert from 'node:assert/strict';
import type { PatchTable, SweepKind, SweepProgress } from '../../../../../src/features/substitution/shared/protocol';
import { formatTimeLeft, mergeTables, sweepFraction, sweepSecondsLeft, tableKey, type TableKey } from '../../../../../src/features/substitution/shared/tables';

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

describe('substitution tables: the work-weighted bar and the time left', () => {
  // A run as the engine plans it: 2 tables × 12 layers, cells at positions 8..29 sorted by position,
  // 6 per batch; a batch's work is its cells × its suffix × the layers from its own (plus a fixed
  // cost), and here its time is proportional to that work, with ±30% noise (a loaded machine).
  const n_layers = 12;
  const nPos = 30;
  const batches: { layer: number; tablesDone: number; work: number; ms: number }[] = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.6;
  for (let table = 0; table < 2; table++) {
    for (let layer = 0; layer < n_layers; layer++) {
      for (let start = 8; start < nPos; start += 6) {
        const work = (n_layers - layer) * (Math.min(6, nPos - start) * (nPos - start) + 8);
        batches.push({ layer, tablesDone: table, work, ms: work * 0.4 * (1 + noise()) });
      }
    }
  }
  const workTotal = batches.reduce((n, b) => n + b.work, 0);
  const totalMs = batches.reduce((n, b) => n + b.ms, 0);
  const progressAfter = (i: number): SweepProgress => {
    const done = batches.slice(0, i + 1);
    return {
      direction: 'denoise',
      sweep: 'z_by_pos',
      tablesDone: batches[i].tablesDone,
      tablesTotal: 2,
      layer: batches[i].layer,
      cellsDone: 1,
      cellsTotal: 4,
      workDone: done.reduce((n, b) => n + b.work, 0),
      workTotal,
      elapsedMs: done.reduce((n, b) => n + b.ms, 0),
    };
  };

  it('the bar follows the work and reaches 1; the time left is within 15% of the truth past the first tenth', () => {
    let previous = 0;
    for (let i = 0; i < batches.length; i++) {
      const p = progressAfter(i);
      const f = sweepFraction(p, n_layers);
      assert.ok(f >= previous && f <= 1);
      previous = f;
      const left = sweepSecondsLeft(p);
      const trueLeft = (totalMs - p.elapsedMs!) / 1000;
      if (p.elapsedMs! > totalMs / 10) {
        assert.ok(left !== undefined, `an estimate after ${p.elapsedMs} ms`);
        assert.ok(Math.abs(left - trueLeft) <= 0.15 * (totalMs / 1000), `${left.toFixed(1)} s left vs ${trueLeft.toFixed(1)} s`);
      }
    }
    assert.equal(previous, 1);
    assert.equal(sweepSecondsLeft(progressAfter(batches.length - 1)), 0);
  });

  it('counting cells instead of work would be far off: early layers and early positions cost more', () => {
    // Cells done per second: the first quarter of the batches is more than a quarter of the time.
    const quarter = Math.floor(batches.length / 4);
    const timeShare = batches.slice(0, quarter).reduce((n, b) => n + b.ms, 0) / totalMs;
    assert.ok(timeShare > 0.35, `${timeShare}`);
    const p = progressAfter(quarter - 1);
    const byWork = sweepSecondsLeft(p)!;
    const byCells = ((p.elapsedMs! / quarter) * (batches.length - quarter)) / 1000;
    const trueLeft = (totalMs - p.elapsedMs!) / 1000;
    assert.ok(Math.abs(byWork - trueLeft) < Math.abs(byCells - trueLeft) / 3, `work ${byWork}, cells ${byCells}, truth ${trueLeft}`);
  });

  it('no estimate before 2 s or 2% of the work, or without work counts', () => {
    assert.equal(sweepSecondsLeft({ ...progressAfter(0), elapsedMs: 1500 }), undefined);
    assert.equal(sweepSecondsLeft({ ...progressAfter(0), workDone: workTotal / 100, elapsedMs: 5000 }), undefined);
    const { workDone: _w, workTotal: _t, elapsedMs: _e, ...bare } = progressAfter(10);
    assert.equal(sweepSecondsLeft(bare), undefined);
  });

  it('says the time left in words, rounded', () => {
    assert.equal(formatTimeLeft(3), 'a few seconds left');
    assert.equal(formatTimeLeft(41), 'about 40 s left');
    assert.equal(formatTimeLeft(88), 'about 90 s left');
    assert.equal(formatTimeLeft(185), 'about 3 min left');
    assert.equal(formatTimeLeft(3 * 3600), 'about 3 h left');
  });
});
