/** The dataset webview protocol: each message's guard accepts what the host sends and refuses what it must not. */
import * as assert from 'node:assert/strict';
import {
  CancelRun,
  Dataset,
  DatasetRunState,
  ExportPng,
  ExportTables,
  isDatasetHostToWebview,
  isDatasetWebviewToHost,
  mergeTables,
  OpenPair,
  progressText,
  Rerun,
  Summary,
  Tables,
  cellPerPair,
  type DatasetParams,
  type DatasetTable,
} from '../../../../src/features/dataset/shared/protocol';

const table = (over: Partial<DatasetTable> = {}): DatasetTable => ({
  sweep: 'z',
  direction: 'denoise',
  source: 'exact',
  dims: [2, 3],
  axes: ['layer', 'head_index'],
  mean: new Float32Array(6),
  normalised: new Float32Array(6),
  standardError: new Float32Array(6),
  restoredFraction: null,
  perPair: Float32Array.from({ length: 12 }, (_, i) => i),
  ...over,
});

const dataset: DatasetParams = {
  runId: 'r',
  modelName: 'm',
  fileName: 'a.prompts.jsonl',
  n_layers: 2,
  n_heads: 3,
  pairs: [{ line: 1, clean: 'a b', corrupt: 'a c', answer: ' b', wrong: ' c', n_tokens: 3 }],
  pairsInFile: 4,
  sweeps: ['z'],
  directions: ['denoise', 'noise'],
  positions: null,
  notes: [],
};

describe('dataset protocol', () => {
  it('host → webview: the set, its summary, tables and run state pass their guards', () => {
    assert.ok(isDatasetHostToWebview(Dataset.create(dataset)));
    const summary = {
      pairs: 2,
      metricClean: new Float32Array([1, 2]),
      metricCorrupt: new Float32Array([0, 0]),
      meanClean: 1.5,
      meanCorrupt: 0,
      cleanBeatsCorrupt: 1,
      zeroGap: false,
    };
    assert.ok(isDatasetHostToWebview(Summary.create({ runId: 'r', summary, partial: { done: 2, total: 5 }, notes: ['x'] })));
    assert.ok(isDatasetHostToWebview(Tables.create({ runId: 'r', tables: [table()] })));
    const progress = { pairsDone: 3, pairsTotal: 10, tablesDone: 1, tablesTotal: 4, sweep: 'z' as const, direction: 'noise' as const, fraction: 0.4 };
    assert.ok(isDatasetHostToWebview(DatasetRunState.create({ runId: 'r', state: 'sweeping', progress })));
  });

  it('refuses malformed payloads: cells that do not match dims, more done than total, a summary without pairs', () => {
    assert.ok(!Tables.is(Tables.create({ runId: 'r', tables: [table({ mean: new Float32Array(5) })] })));
    assert.ok(!Tables.is(Tables.create({ runId: 'r', tables: [table({ perPair: new Float32Array(7) })] })));
    assert.ok(!Tables.is(Tables.create({ runId: 'r', tables: [table({ pairIndex: [0] })] })), 'pairIndex has one entry per perPair row');
    assert.ok(Tables.is(Tables.create({ runId: 'r', tables: [table({ pairIndex: [3, 7] })] })));
    assert.ok(!Dataset.is(Dataset.create({ ...dataset, pairsInFile: 0 })), 'more pairs than the file holds');
    const progress = { pairsDone: 11, pairsTotal: 10, tablesDone: 1, tablesTotal: 4, sweep: 'z' as const, direction: 'noise' as const, fraction: 0.4 };
    assert.ok(!DatasetRunState.is(DatasetRunState.create({ runId: 'r', state: 'sweeping', progress })));
    const empty = {
      pairs: 0,
      metricClean: new Float32Array(0),
      metricCorrupt: new Float32Array(0),
      meanClean: NaN,
      meanCorrupt: NaN,
      cleanBeatsCorrupt: 0,
      zeroGap: true,
    };
    assert.ok(!Summary.is(Summary.create({ runId: 'r', summary: empty, notes: [] })));
  });

  it('webview → host: cancel, export, open a pair, rerun; refuses an unknown format, a bad PNG name and an empty sweep list', () => {
    assert.ok(isDatasetWebviewToHost(CancelRun.create({ runId: 'r' })));
    assert.ok(isDatasetWebviewToHost(ExportTables.create({ runId: 'r', format: 'csv' })));
    assert.ok(!isDatasetWebviewToHost({ method: 'exportTables', params: { runId: 'r', format: 'html' } }));
    assert.ok(isDatasetWebviewToHost(ExportPng.create({ runId: 'r', name: 'z-denoise', dataUrl: 'data:image/png;base64,AAAA' })));
    assert.ok(!isDatasetWebviewToHost(ExportPng.create({ runId: 'r', name: '../x', dataUrl: 'data:image/png;base64,AAAA' })));
    assert.ok(isDatasetWebviewToHost(OpenPair.create({ runId: 'r', pair: 3 })));
    assert.ok(!isDatasetWebviewToHost(OpenPair.create({ runId: 'r', pair: -1 })));
    assert.ok(isDatasetWebviewToHost(Rerun.create({ runId: 'r', sweeps: ['z'], directions: ['noise'] })));
    assert.ok(!isDatasetWebviewToHost(Rerun.create({ runId: 'r', sweeps: [], directions: ['noise'] })));
  });

  it('an exact table is never replaced by an estimate; a cell read per pair; progress counts from 1', () => {
    const exact = table();
    const merged = mergeTables(new Map(), [exact]);
    const after = mergeTables(merged, [table({ source: 'attribution' })]);
    assert.equal(after.get('z/denoise'), exact);
    assert.deepEqual([...cellPerPair(exact, 4)], [4, 10]);
    assert.equal(
      progressText({ pairsDone: 0, pairsTotal: 10, tablesDone: 3, tablesTotal: 4, sweep: 'z', direction: 'noise', fraction: 0.7 }),
      'pair 1 of 10, table 4 of 4 (z, noise)',
    );
  });
});
