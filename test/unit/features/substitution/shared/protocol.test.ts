import * as assert from 'node:assert/strict';
import {
  CancelRun,
  Comparison,
  ExportPng,
  ExportTables,
  HeadPatterns,
  isSubstitutionHostToWebview,
  isSubstitutionWebviewToHost,
  PatchTables,
  RequestHeadPatterns,
  SubstitutionReady,
  SubstitutionRunState,
  type ComparisonParams,
  type PatchTable,
} from '../../../../../src/features/substitution/shared/protocol';

const tokens = [
  { id: 0, text: '<|endoftext|>', isBos: true },
  { id: 5, text: ' param', isBos: false },
];
const comparison: ComparisonParams = {
  runId: 'r1',
  modelName: 'tiny',
  clean: { text: ' param', tokens },
  corrupt: { text: ' arg', tokens: [tokens[0], { id: 6, text: ' arg', isBos: false }] },
  diff: {
    ops: [
      { kind: 'equal', a: 0, b: 0 },
      { kind: 'replace', a: 1, b: 1 },
    ],
    differingPositions: [1],
  },
  metric: { spec: { kind: 'logit_diff', answer: { id: 1, text: ' a' }, wrong: { id: 2, text: ' b' } }, label: 'x', clean: 1, corrupt: 1 },
  n_layers: 2,
  n_heads: 4,
  sweeps: ['z', 'resid_pre'],
  notes: [],
  stale: false,
};
const zTable: PatchTable = { sweep: 'z', direction: 'noise', source: 'exact', dims: [2, 4], axes: ['layer', 'head_index'], patched: new Float32Array(8) };

describe('patchingUi: protocol guards', () => {
  it('accepts well-formed messages in each direction (equal metrics allowed)', () => {
    assert.ok(isSubstitutionHostToWebview(Comparison.create(comparison)));
    assert.ok(isSubstitutionHostToWebview(PatchTables.create({ runId: 'r1', tables: [zTable] })));
    assert.ok(
      isSubstitutionHostToWebview(
        SubstitutionRunState.create({
          runId: 'r1',
          state: 'sweeping',
          progress: { direction: 'denoise', sweep: 'z', tablesDone: 1, tablesTotal: 4, layer: 0, cellsDone: 2, cellsTotal: 4 },
        }),
      ),
    );
    assert.ok(
      isSubstitutionHostToWebview(
        HeadPatterns.result(3, { runId: 'r1', layer: 1, head: 2, n_tokens: 2, clean_q_k: new Float32Array(4), corrupt_q_k: new Float32Array(4) }),
      ),
    );
    assert.ok(isSubstitutionHostToWebview(HeadPatterns.error(3, 'gone')));
    assert.ok(isSubstitutionWebviewToHost(SubstitutionReady.create({ protocolVersion: 1 })));
    assert.ok(isSubstitutionWebviewToHost(CancelRun.create({ runId: 'r1' })));
    assert.ok(isSubstitutionWebviewToHost(ExportTables.create({ runId: 'r1', format: 'csv' })));
    assert.ok(isSubstitutionWebviewToHost(ExportPng.create({ runId: 'r1', name: 'z-denoise', dataUrl: 'data:image/png;base64,AAAA' })));
    assert.ok(isSubstitutionWebviewToHost(RequestHeadPatterns.create(1, { runId: 'r1', layer: 0, head: 0 })));
  });

  it('rejects tables whose values do not fit their dims, or unknown sweeps and sources', () => {
    assert.ok(!PatchTables.is(PatchTables.create({ runId: 'r1', tables: [{ ...zTable, patched: new Float32Array(7) }] })));
    assert.ok(!PatchTables.is(PatchTables.create({ runId: 'r1', tables: [{ ...zTable, patched: [0, 0, 0, 0, 0, 0, 0, 0] as unknown as Float32Array }] })));
    assert.ok(!PatchTables.is({ method: 'tables', params: { runId: 'r1', tables: [{ ...zTable, sweep: 'attn' }] } }));
    assert.ok(!PatchTables.is({ method: 'tables', params: { runId: 'r1', tables: [{ ...zTable, source: 'guess' }] } }));
    assert.ok(!PatchTables.is({ method: 'tables', params: { runId: 'r1', tables: [{ ...zTable, axes: ['head_index', 'layer'] }] } }));
  });

  it('rejects comparisons with out-of-range diff ops, non-finite metrics or bad metric specs', () => {
    assert.ok(!Comparison.is(Comparison.create({ ...comparison, diff: { ops: [{ kind: 'replace', a: 5, b: 1 }], differingPositions: [1] } })));
    assert.ok(!Comparison.is(Comparison.create({ ...comparison, metric: { ...comparison.metric, clean: NaN } })));
    assert.ok(!Comparison.is({ method: 'comparison', params: { ...comparison, metric: { ...comparison.metric, spec: { kind: 'prob' } } } }));
    assert.ok(!Comparison.is({ method: 'comparison', params: { ...comparison, diff: { ops: [{ kind: 'insert', a: 0, b: 0 }], differingPositions: [] } } }));
  });

  it('position tokens may carry isSpecial (a literal <|endoftext|>), and only as a boolean', () => {
    const special = { id: 0, text: '<|endoftext|>', isBos: false, isSpecial: true };
    const withSpecial = (t: unknown) => ({ ...comparison, clean: { ...comparison.clean, tokens: [tokens[0], t] } });
    assert.ok(Comparison.is(Comparison.create(withSpecial(special) as typeof comparison)));
    assert.ok(!Comparison.is({ method: 'comparison', params: withSpecial({ ...special, isSpecial: 'yes' }) }));
  });

  it('rejects progress that runs past its totals, patterns of the wrong size, and unsafe exports', () => {
    assert.ok(
      !SubstitutionRunState.is({
        method: 'runState',
        params: {
          runId: 'r',
          state: 'sweeping',
          progress: { direction: 'noise', sweep: 'z', tablesDone: 5, tablesTotal: 4, layer: 0, cellsDone: 0, cellsTotal: 1 },
        },
      }),
    );
    assert.ok(!SubstitutionRunState.is({ method: 'runState', params: { runId: 'r', state: 'paused' } }));
    assert.ok(
      !HeadPatterns.is(
        HeadPatterns.result(1, { runId: 'r', layer: 0, head: 0, n_tokens: 3, clean_q_k: new Float32Array(9), corrupt_q_k: new Float32Array(4) }),
      ),
    );
    assert.ok(!ExportPng.is(ExportPng.create({ runId: 'r', name: '../../etc/passwd', dataUrl: 'data:image/png;base64,AA' })));
    assert.ok(!ExportPng.is(ExportPng.create({ runId: 'r', name: 'x', dataUrl: 'data:text/html;base64,AA' })));
    assert.ok(!ExportTables.is({ method: 'exportTables', params: { runId: 'r', format: 'xlsx' } }));
    assert.ok(!isSubstitutionWebviewToHost({ method: 'ready', params: { protocolVersion: 0 } }));
    assert.ok(!isSubstitutionWebviewToHost({ method: 'requestHeadPatterns', params: { runId: 'r', layer: 0, head: 0 } }), 'a request needs an id');
  });
});
