/**
 * The residual feature's pure host pieces against the harness's synthetic record: the per-source
 * decoration plan, the hover line, the CSV/JSON exports, and the protocol guards.
 */
import * as assert from 'node:assert/strict';
import { dlaCsv, lensTop1Csv, residualJson } from '../../../../src/features/residual/export';
import { boundaryLabel, hoverBoundaries, lensHoverLine } from '../../../../src/features/residual/hoverLine';
import {
  hasLens,
  isResidualHostToWebview,
  isResidualStreamRecord,
  isResidualViewRecord,
  isResidualWebviewToHost,
  recordVariant,
  ResidualStream,
  SelectHead,
  SetAnswer,
} from '../../../../src/features/residual/shared/protocol';
import { headSources, MIN_PAINTED_FRACTION, planSourceDecorations, SIGNED_BUCKETS } from '../../../../src/features/residual/sourcePlan';
import type { ResidualStreamRecord } from '../../../../src/shared/residualStream';
import { makeResidualFixture, makeResidualPartial } from '../../../webview/residualFixtures';

const record = makeResidualFixture({ nTokens: 24, nLayers: 4, nHeads: 3 });
const ranges = record.tokens.map((t) => ({ start: t.start, end: t.end }));

describe('residual: per-source decorations, hover line, exports, guards', () => {
  it('paints a head’s sources diverging by sign, strength relative to the largest, skipping BOS and near-zero sources', () => {
    const src = headSources(record, 2, 1);
    const plan = planSourceDecorations(record, ranges, 2, 1);
    const largest = Math.max(...Array.from(src, Math.abs));
    assert.equal(plan.largest, largest);
    assert.ok(Math.abs(plan.total - Array.from(src).reduce((a, b) => a + b, 0)) < 1e-6);
    assert.ok(plan.painted.length > 0);
    for (const p of plan.painted) {
      assert.equal(p.sign, src[p.tokenIndex] > 0 ? 1 : -1);
      assert.ok(Math.abs(src[p.tokenIndex]) >= MIN_PAINTED_FRACTION * largest);
      assert.ok(p.range.end > p.range.start, 'BOS (empty) is never painted');
    }
    for (const p of plan.painted)
      assert.equal(p.bucket, Math.max(1, Math.ceil((Math.abs(p.value) / largest) * SIGNED_BUCKETS)), 'strength relative to the largest');
    const buckets = plan.painted.map((p) => p.bucket);
    assert.ok(new Set(buckets).size > 1, 'strengths differ');
    assert.throws(() => headSources(record, 4, 0), RangeError);
  });

  it('hover line: top token at the first, middle and last boundary, "out" for the stream ln_final reads', () => {
    assert.deepEqual(hoverBoundaries(13), [0, 6, 12]);
    assert.deepEqual(hoverBoundaries(2), [0, 1]);
    assert.equal(boundaryLabel(12, 12), 'out');
    const line = lensHoverLine(record, 5);
    assert.ok(line);
    const parts = line.replace(/^Logit lens: /, '').split(' → ');
    assert.equal(parts.length, 3);
    assert.match(parts[0], /^L0 `'.*'` \d+%$/);
    assert.match(parts[2], /^out /);
    const lastId = record.lens.top_ids_boundary_pos_k[(4 * record.lens.n_tokens + 5) * record.lens.k];
    assert.ok(parts[2].includes(record.lens.tokenTexts[lastId].replace(/ /g, '·')));
    assert.equal(lensHoverLine(record, 99), undefined);
  });

  it('CSV: the DLA components add up to the total row; the lens grid has one row per boundary and position', () => {
    const lines = dlaCsv(record).trim().split('\n');
    assert.match(lines[0], /^# direct logit attribution/);
    const rows = lines.slice(2).map((l) => l.split(','));
    const value = (name: string) => Number(rows.find((r) => r[0] === name)?.[3]);
    const components = rows.filter((r) => !['total', 'logit_diff'].includes(r[0])).reduce((s, r) => s + Number(r[3]), 0);
    assert.ok(Math.abs(components - value('total')) < 1e-3, `${components} vs ${value('total')}`);
    assert.equal(rows.filter((r) => r[0] === 'head').length, 4 * 3);
    const lens = lensTop1Csv(record);
    // A row starts with its boundary label and hook (a token text with a newline is quoted and spans lines).
    assert.equal(lens.match(/^(L\d+|out),blocks\./gm)?.length, record.lens.n_boundaries * record.lens.n_tokens);
    const json = JSON.parse(residualJson(record)) as { dla: { heads_layer_head: number[] } };
    assert.equal(json.dla.heads_layer_head.length, 12, 'typed arrays become arrays');
  });

  it('guards: a real record passes, a truncated array or a DLA position outside the prompt fails; webview commands are checked', () => {
    assert.ok(isResidualStreamRecord(record));
    const short: ResidualStreamRecord = { ...record, dla: { ...record.dla, heads_layer_head: new Float32Array(5) } };
    assert.equal(isResidualStreamRecord(short), false);
    const outside: ResidualStreamRecord = { ...record, dla: { ...record.dla, position: record.tokens.length } };
    assert.equal(isResidualStreamRecord(outside), false);
    assert.ok(isResidualHostToWebview(ResidualStream.create({ record, stale: false, notes: [], answerText: '', wrongText: '' })));
    assert.ok(isResidualWebviewToHost(SelectHead.create({ inspectionId: 'x', layer: 1, head: 2 })));
    assert.equal(isResidualWebviewToHost({ method: 'selectHead', params: { inspectionId: 'x', layer: -1, head: 0 } }), false);
    assert.ok(isResidualWebviewToHost(SetAnswer.create({ inspectionId: 'x', answer: ' self', wrong: '' })));
  });

  it('guards: a record without its lens passes as a view record when it names the variant being computed, never as a whole record', () => {
    const partial = makeResidualPartial({ nTokens: 24, nLayers: 4, nHeads: 3, variant: 'cached-scale' });
    assert.equal(hasLens(partial), false);
    assert.equal(recordVariant(partial), 'cached-scale');
    assert.equal(recordVariant(record), record.lens.variant);
    assert.ok(isResidualViewRecord(partial));
    assert.ok(isResidualViewRecord(record));
    assert.equal(isResidualStreamRecord(partial), false, 'not a whole record');
    const params = { record: partial, stale: false, notes: [], answerText: '', wrongText: '' };
    assert.ok(ResidualStream.is(ResidualStream.create(params)));
    assert.ok(isResidualHostToWebview(ResidualStream.create(params)));
    // No lens and no variant, a bad variant, or a broken DLA beside the missing lens: refused.
    const { pendingVariant: _v, ...noVariant } = partial;
    assert.equal(isResidualViewRecord(noVariant), false);
    assert.equal(isResidualViewRecord({ ...partial, pendingVariant: 'tl-1076' }), false);
    assert.equal(isResidualViewRecord({ ...partial, dla: { ...partial.dla, sources_layer_head_key: new Float32Array(3) } }), false);
    assert.equal(isResidualViewRecord({ ...partial, norms: { ...partial.norms, n_tokens: 3 } }), false);
    // A lens present must be whole, whatever else the record says.
    assert.equal(isResidualViewRecord({ ...record, lens: { ...record.lens, entropy_boundary_pos: new Float32Array(2) } }), false);
    assert.equal(ResidualStream.is({ method: 'residualStream', params: { ...params, record: noVariant } }), false);
  });
});
