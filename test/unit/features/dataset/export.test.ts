/**
 * The dataset exports and results: JSON and CSV carry the mean, standard error, normalised mean,
 * restored fraction and every pair's value, each pair named by its line; a partial run's rows go to
 * the right pairs; an exact table is never replaced by an estimate; another run's data is dropped.
 */
import * as assert from 'node:assert/strict';
import { cellAddress, CSV_HEADER, datasetToCsv, datasetToJson } from '../../../../src/features/dataset/export';
import { DatasetResults } from '../../../../src/features/dataset/results';
import type { DatasetParams, DatasetTable, SummaryParams } from '../../../../src/features/dataset/shared/protocol';

const dataset: DatasetParams = {
  runId: 'r1',
  modelName: 'tiny',
  fileName: 'set.prompts.jsonl',
  n_layers: 2,
  n_heads: 2,
  pairs: [
    { line: 1, clean: 'def f(a):', corrupt: 'def f(b):', answer: ' a', wrong: ' b', n_tokens: 3 },
    { line: 4, clean: '=x, "y"', corrupt: '=z, "y"', answer: ' x', wrong: ' z', n_tokens: 3 },
    { line: 5, clean: 'c', corrupt: 'd', answer: ' c', wrong: ' d', n_tokens: 3 },
  ],
  pairsInFile: 3,
  sweeps: ['z'],
  directions: ['denoise'],
  positions: [
    { text: '<|endoftext|>', varies: false },
    { text: 'def', varies: false },
    { text: ' a', varies: true },
  ],
  notes: ['a note'],
};

/** z over 2 layers × 2 heads; the rows are pairs 2 and 0 of the set (a partial run's order). */
const z: DatasetTable = {
  sweep: 'z',
  direction: 'denoise',
  source: 'exact',
  dims: [2, 2],
  axes: ['layer', 'head_index'],
  mean: new Float32Array([1, 2, 3, 4]),
  normalised: new Float32Array([0.1, 0.2, 0.3, 0.4]),
  standardError: new Float32Array([0.5, 0.5, 0.5, 0.5]),
  restoredFraction: new Float32Array([0, 0.5, 1, 1]),
  perPair: new Float32Array([10, 11, 12, 13, 20, 21, 22, 23]),
  pairIndex: [2, 0],
};
const resid: DatasetTable = {
  ...z,
  sweep: 'resid_pre',
  axes: ['layer', 'pos'],
  dims: [2, 3],
  mean: new Float32Array(6),
  normalised: null,
  standardError: new Float32Array(6),
  restoredFraction: null,
  perPair: new Float32Array(18),
  pairIndex: undefined,
};
const summary: SummaryParams = {
  runId: 'r1',
  summary: {
    pairs: 2,
    metricClean: new Float32Array([5, 6]),
    metricCorrupt: new Float32Array([1, 2]),
    meanClean: 5.5,
    meanCorrupt: 1.5,
    cleanBeatsCorrupt: 1,
    zeroGap: false,
  },
  partial: { done: 2, total: 3 },
  pairIndex: [2, 0],
  notes: ['another note'],
};

interface ExportJson {
  partial: unknown;
  notes: string[];
  summary: { meanClean: number; gap: number; gapStandardError: number | null; warnings: string[] };
  pairs: { line: number; metricClean: number | null }[];
  tables: { mean: unknown; standardError: unknown; restoredFraction: unknown; normalised: unknown; perPairLines: unknown; perPair: unknown[] }[];
}

describe('dataset export', () => {
  it('JSON: summary, partial, notes, each pair with its metrics, and per table mean, standard error, normalised, restored fraction and per-pair rows by line', () => {
    const j = datasetToJson({ dataset, summary, tables: [z, resid] }) as ExportJson;
    assert.deepEqual(j.partial, { done: 2, total: 3 });
    assert.deepEqual(j.notes, ['a note', 'another note']);
    assert.equal(j.summary.meanClean, 5.5);
    // The gap as the CLI writes it: gaps 4 and 4, so the mean is 4 with no spread and nothing to warn of.
    assert.equal(j.summary.gap, 4);
    assert.equal(j.summary.gapStandardError, 0);
    assert.deepEqual(j.summary.warnings, []);
    const noisy = datasetToJson({
      dataset,
      summary: { ...summary, summary: { ...summary.summary, metricClean: new Float32Array([5, 1]), metricCorrupt: new Float32Array([1, 4.5]) } },
      tables: [],
    }) as ExportJson;
    assert.match(noisy.summary.warnings.join(' | '), /within 2 standard errors/);
    assert.deepEqual(
      j.pairs.map((p: { line: number; metricClean: number | null }) => [p.line, p.metricClean]),
      [
        [1, 6],
        [4, null],
        [5, 5],
      ],
      'the summary’s entries go to the pairs they are of; a pair not finished has none',
    );
    const t = j.tables[0];
    assert.deepEqual(t.mean, [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(t.standardError, [
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    assert.deepEqual(t.restoredFraction, [
      [0, 0.5],
      [1, 1],
    ]);
    assert.deepEqual(t.perPairLines, [5, 1]);
    assert.deepEqual(t.perPair[1], [
      [20, 21],
      [22, 23],
    ]);
    assert.equal(j.tables[1].normalised, null);
    assert.equal(JSON.parse(JSON.stringify(j)).tables.length, 2);
  });

  it('CSV: one row per cell with its statistics and one column per pair (by line), empty for a pair the table lacks; token text written as text', () => {
    const csv = datasetToCsv({ dataset, summary, tables: [z, resid] });
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], [...CSV_HEADER, 'line_1', 'line_4', 'line_5'].join(','));
    assert.equal(lines.length, 1 + 4 + 6);
    // z, layer 0 head 1: mean 2, SE 0.5, normalised 0.2, restored 0.5; pair on line 1 (row 1) = 21, line 4 missing, line 5 (row 0) = 11.
    assert.equal(lines[2], 'denoise,z,exact,0,1,,,2,2,0.5,0.2,0.5,21,,11');
    // resid_pre position 0: the BOS token text; position 2: ' a' quoted (leading space kept).
    assert.equal(lines[5], 'denoise,resid_pre,exact,0,,0,<|endoftext|>,3,0,0,,,0,0,0', 'no pairIndex: the rows are the pairs in order');
    assert.ok(lines[7].includes(',0,,2," a",'), lines[7]);
  });

  it('cells are addressed as layer/head or layer/position', () => {
    assert.deepEqual(cellAddress(z, 3), { layer: 1, head: 1 });
    assert.deepEqual(cellAddress(resid, 5), { layer: 1, pos: 2 });
    assert.deepEqual(cellAddress({ dims: [2, 2, 3], axes: ['layer', 'head_index', 'pos'] }, 7), { layer: 1, head: 0, pos: 1 });
  });
});

describe('dataset results', () => {
  it('an exact table is never replaced by an estimate; another run’s tables, summary and state are dropped', () => {
    const r = new DatasetResults();
    r.start(dataset);
    assert.equal(r.addTables('r1', [z]).length, 1);
    assert.equal(r.addTables('r1', [{ ...z, source: 'attribution' }]).length, 0);
    assert.equal(r.snapshot()!.tables[0].source, 'exact');
    assert.equal(r.addTables('other', [resid]).length, 0);
    assert.equal(r.setSummary({ ...summary, runId: 'other' }), false);
    assert.equal(r.setRunState({ runId: 'other', state: 'done' }), false);
    assert.ok(r.setRunState({ runId: 'r1', state: 'cancelled', partial: { done: 2, total: 3 } }));
    assert.equal(r.exactCount, 1);
    assert.throws(() => r.snapshotOf('other'), /no longer shown/);
    r.start({ ...dataset, runId: 'r2' });
    assert.equal(r.snapshot()!.tables.length, 0, 'a new run starts empty');
    assert.equal(r.snapshot()!.runState, undefined);
  });
});
