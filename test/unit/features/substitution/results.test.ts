import * as assert from 'node:assert/strict';
import { comparisonToJson } from '../../../../src/features/substitution/export';
import { ComparisonResults } from '../../../../src/features/substitution/results';
import type { ComparisonParams, PatchTable } from '../../../../src/features/substitution/shared/protocol';

const comparison = (runId: string): ComparisonParams => ({
  runId,
  modelName: 'tiny',
  clean: {
    text: 'a b',
    tokens: [
      { id: 0, text: '<|endoftext|>', isBos: true },
      { id: 1, text: 'a', isBos: false },
      { id: 2, text: ' b', isBos: false },
    ],
  },
  corrupt: {
    text: 'a c',
    tokens: [
      { id: 0, text: '<|endoftext|>', isBos: true },
      { id: 1, text: 'a', isBos: false },
      { id: 3, text: ' c', isBos: false },
    ],
  },
  diff: {
    ops: [
      { kind: 'equal', a: 0, b: 0 },
      { kind: 'equal', a: 1, b: 1 },
      { kind: 'replace', a: 2, b: 2 },
    ],
    differingPositions: [2],
  },
  metric: { spec: { kind: 'kl' }, label: 'KL', clean: 0, corrupt: 2 },
  n_layers: 1,
  n_heads: 2,
  sweeps: ['z'],
  notes: [],
  stale: false,
});
const table = (direction: 'denoise' | 'noise', source: 'exact' | 'attribution', values: number[]): PatchTable => ({
  sweep: 'z',
  direction,
  source,
  dims: [1, 2],
  axes: ['layer', 'head_index'],
  patched: Float32Array.from(values),
});

describe('substitution: the session’s results', () => {
  it('keeps one table per sweep and direction; an exact table replaces an estimate, never the reverse', () => {
    const r = new ComparisonResults();
    r.start(comparison('r1'));
    const estimate = table('denoise', 'attribution', [1, 1]);
    assert.deepEqual(r.addTables('r1', [estimate]), [estimate], 'an estimate is shown');
    const exact = table('denoise', 'exact', [2, 2]);
    assert.deepEqual(r.addTables('r1', [exact]), [exact], 'the exact table replaces it');
    assert.deepEqual(r.addTables('r1', [table('denoise', 'attribution', [3, 3])]), [], 'a late estimate changes nothing');
    assert.deepEqual([...r.snapshot()!.tables[0].patched], [2, 2]);
    assert.equal(r.exactCount, 1);
  });

  it('ignores tables and run states of another run, and a new comparison starts empty', () => {
    const r = new ComparisonResults();
    r.start(comparison('r1'));
    r.addTables('r1', [table('noise', 'exact', [0, 1])]);
    assert.equal(r.setRunState({ runId: 'r1', state: 'sweeping' }), true);
    assert.deepEqual(r.addTables('old', [table('denoise', 'exact', [5, 5])]), []);
    assert.equal(r.setRunState({ runId: 'old', state: 'done' }), false);
    assert.equal(r.snapshot()!.runState?.state, 'sweeping');
    r.start(comparison('r2'));
    const s = r.snapshot()!;
    assert.equal(s.comparison.runId, 'r2');
    assert.deepEqual(s.tables, []);
    assert.equal(s.runState, undefined);
    assert.equal(r.exactCount, 0);
  });

  it('marks a comparison stale once, with the reason, and the comparison says so', () => {
    const r = new ComparisonResults();
    assert.equal(r.markStale('r1', 'edited'), false, 'nothing shown');
    r.start(comparison('r1'));
    assert.equal(r.markStale('other', 'edited'), false);
    assert.equal(r.markStale('r1', 'edited'), true);
    assert.equal(r.markStale('r1', 'edited again'), false, 'once');
    const s = r.snapshot()!;
    assert.equal(s.staleReason, 'edited');
    assert.equal(s.comparison.stale, true);
  });

  it('export reads the results of the comparison asked for, and refuses one that was replaced', () => {
    const r = new ComparisonResults();
    r.start(comparison('r1'));
    r.addTables('r1', [table('denoise', 'exact', [1.5, 0.5]), table('noise', 'attribution', [0, 2])]);
    const { comparison: c, tables } = r.snapshotOf('r1');
    const json = comparisonToJson(c, tables) as { tables: { direction: string; source: string }[] };
    assert.deepEqual(json.tables.map((t) => `${t.direction}/${t.source}`).sort(), ['denoise/exact', 'noise/attribution']);
    r.start(comparison('r2'));
    assert.throws(() => r.snapshotOf('r1'), /no longer shown/);
  });
});
