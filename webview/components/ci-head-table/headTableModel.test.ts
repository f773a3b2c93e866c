import * as assert from 'node:assert/strict';
import type { HeadSummary } from '../../../src/shared/inspection.js';
import { DEFAULT_SORT, nextSort, parseHeadFilter, sortHeads } from './headTableModel.js';

const row = (layer: number, head: number, prevToken: number, induction: number | null, bos = 0.5, entropy = 1): HeadSummary => ({
  layer,
  head,
  prevToken,
  induction,
  bos,
  entropy,
});
const ROWS = [row(0, 0, 0.1, 0.2), row(0, 1, 0.9, null), row(1, 0, 0.5, 0.8, 0.1, 2), row(1, 1, 0.5, 0.05, 0.9, 0.5)];
const labels = (rs: HeadSummary[]) => rs.map((r) => `${r.layer}.${r.head}`);

describe('head table model', () => {
  it('sorts by head, then by scores; nulls last; ties by head', () => {
    assert.deepEqual(labels(sortHeads(ROWS, DEFAULT_SORT)), ['0.0', '0.1', '1.0', '1.1']);
    assert.deepEqual(labels(sortHeads(ROWS, { key: 'prevToken', direction: 'descending' })), ['0.1', '1.0', '1.1', '0.0']);
    assert.deepEqual(labels(sortHeads(ROWS, { key: 'induction', direction: 'descending' })), ['1.0', '0.0', '1.1', '0.1']);
    assert.deepEqual(labels(sortHeads(ROWS, { key: 'induction', direction: 'ascending' })), ['1.1', '0.0', '1.0', '0.1']);
    assert.deepEqual(labels(ROWS), ['0.0', '0.1', '1.0', '1.1'], 'input untouched');
  });

  it('toggles direction on the same column; scores start descending', () => {
    const s = nextSort(DEFAULT_SORT, 'bos');
    assert.deepEqual(s, { key: 'bos', direction: 'descending' });
    assert.deepEqual(nextSort(s, 'bos'), { key: 'bos', direction: 'ascending' });
    assert.deepEqual(nextSort(s, 'head'), { key: 'head', direction: 'ascending' });
  });

  it('filters by layer, head, layer.head and score comparisons', () => {
    const apply = (f: string) => {
      const p = parseHeadFilter(f);
      if (!p.ok) throw new Error(p.error);
      return labels(ROWS.filter(p.test));
    };
    assert.deepEqual(apply(''), ['0.0', '0.1', '1.0', '1.1']);
    assert.deepEqual(apply('L1'), ['1.0', '1.1']);
    assert.deepEqual(apply('h1'), ['0.1', '1.1']);
    assert.deepEqual(apply('1.0'), ['1.0']);
    assert.deepEqual(apply('prev>=0.5 bos<0.5'), ['1.0']);
    assert.deepEqual(apply('ind>0'), ['0.0', '1.0', '1.1'], 'null induction never matches');
    assert.deepEqual(apply('entropy<=1 L0'), ['0.0', '0.1']);
  });

  it('explains what it cannot read', () => {
    const bad = parseHeadFilter('L1 speed>3');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /unknown score 'speed'/);
    const worse = parseHeadFilter('???');
    assert.match(worse.ok ? '' : worse.error, /cannot read '\?\?\?'/);
  });
});
