import * as assert from 'node:assert/strict';
import {
  cellAddress,
  cellValue,
  classifyComponent,
  componentHints,
  DEFAULT_SIGNIFICANCE,
  gapShare,
  isSmallGap,
  normalised,
  tableGrid,
  unpatchedValue,
  type PatchTable,
} from '../../../../../src/features/substitution/shared/protocol';

const table = (direction: 'denoise' | 'noise', values: number[], dims = [2, 3]): PatchTable => ({
  sweep: 'z',
  direction,
  source: 'exact',
  dims,
  axes: dims.length === 3 ? ['layer', 'head_index', 'pos'] : ['layer', 'head_index'],
  patched: Float32Array.from(values),
});

describe('patchingUi: normalisation and the OR/AND reading aid', () => {
  it('normalises (patched − corrupt)/(clean − corrupt), and is undefined (null) when the denominator is 0', () => {
    assert.equal(normalised(3, 4, 2), 0.5);
    assert.equal(normalised(2, 4, 2), 0);
    assert.equal(normalised(4, 4, 2), 1);
    assert.equal(normalised(1.5, 1.5, 1.5), null);
    assert.equal(normalised(7, 1.5, 1.5), null);
    assert.equal(cellValue('normalised', 7, 'denoise', 1.5, 1.5), null);
    assert.equal(cellValue('raw', 7, 'denoise', 1.5, 1.5), 7);
    assert.equal(cellValue('change', 7, 'noise', 1.5, 2), 5.5);
  });

  it('centres each direction on its unpatched run: 0 for denoising, 1 for noising (normalised)', () => {
    assert.equal(unpatchedValue('normalised', 'denoise', 4, 2), 0);
    assert.equal(unpatchedValue('normalised', 'noise', 4, 2), 1);
    assert.equal(unpatchedValue('raw', 'noise', 4, 2), 4);
    assert.equal(unpatchedValue('change', 'denoise', 4, 2), 0);
    assert.equal(unpatchedValue('normalised', 'noise', 2, 2), 0, 'undefined normalisation falls back to 0');
  });

  it('reads gap shares: restored by denoising, removed by noising', () => {
    assert.equal(gapShare(3, 'denoise', 4, 2), 0.5);
    assert.equal(gapShare(3, 'noise', 4, 2), 0.5);
    assert.equal(gapShare(4, 'noise', 4, 2), 0);
    assert.equal(gapShare(3, 'noise', 2, 2), null);
  });

  it('classifies: noising only ⇒ AND-like, denoising only ⇒ OR-like, both, none', () => {
    assert.equal(classifyComponent(0.05, 0.6), 'and-like');
    assert.equal(classifyComponent(0.6, 0.05), 'or-like');
    assert.equal(classifyComponent(0.6, 0.6), 'both');
    assert.equal(classifyComponent(0.1, -0.1), 'none');
    assert.equal(classifyComponent(-0.6, 0), 'or-like', 'a negative effect is still significant');
    assert.equal(classifyComponent(null, 0.9), 'and-like');
    assert.equal(classifyComponent(0.25, 0.25, 0.3), 'none', 'threshold');
    assert.equal(classifyComponent(0.25, 0.25, 0.2), 'both', 'a lower threshold the user picked');
  });

  it('significance defaults to half the gap: 34% restored is not called sufficient', () => {
    assert.equal(DEFAULT_SIGNIFICANCE, 0.5);
    assert.equal(classifyComponent(0.34, 0.05), 'none');
    assert.equal(classifyComponent(0.5, 0.05), 'or-like');
    // The threshold reaches componentHints: clean 4, corrupt 2; denoising restores 34%.
    const d = table('denoise', [2.68, 2, 2, 2, 2, 2]);
    const n = table('noise', [4, 4, 4, 4, 4, 4]);
    assert.deepEqual(componentHints(d, n, 4, 2), []);
    assert.deepEqual(
      componentHints(d, n, 4, 2, 0.3).map((h) => h.hint),
      ['or-like'],
    );
  });

  it('reads effect as the share of the gap moved: 0 = unpatched, 1 = whole gap, in both directions', () => {
    // clean 4, corrupt 2: denoising to 3.5 restores 75%; noising to 2.5 removes 75%.
    assert.equal(cellValue('effect', 3.5, 'denoise', 4, 2), 0.75);
    assert.equal(cellValue('effect', 2.5, 'noise', 4, 2), 0.75);
    assert.equal(unpatchedValue('effect', 'denoise', 4, 2), 0);
    assert.equal(unpatchedValue('effect', 'noise', 4, 2), 0);
    assert.equal(cellValue('effect', 3, 'noise', 2, 2), null, 'undefined without a gap');
  });

  it('calls a gap small below a fixed threshold per metric kind: 0.5 nats, 0.05 probability', () => {
    assert.equal(isSmallGap('logit_diff', 1.015, 1), true, 'the 0.015-logit gap of low → high');
    assert.equal(isSmallGap('logit_diff', 3.2, -0.8), false);
    assert.equal(isSmallGap('logit_diff', -0.8, -0.5), true, 'either sign');
    assert.equal(isSmallGap('kl', 0.6, 0), false);
    assert.equal(isSmallGap('prob', 0.43, 0.4), true);
    assert.equal(isSmallGap('prob', 0.5, 0.1), false);
    assert.equal(isSmallGap('logit_diff', 2, 2), true);
  });

  it('lists hints per component, strongest first, skipping insignificant ones', () => {
    // clean 4, corrupt 2 (gap 2). Cells: [0,0] none, [0,1] AND-like, [0,2] OR-like, [1,0] both.
    const d = table('denoise', [2, 2.1, 3.8, 4, 2, 2]);
    const n = table('noise', [4, 2.4, 3.9, 2, 4, 4]);
    const hints = componentHints(d, n, 4, 2);
    assert.deepEqual(
      hints.map((h) => [h.layer, h.index, h.hint]),
      [
        [1, 0, 'both'],
        [0, 2, 'or-like'],
        [0, 1, 'and-like'],
      ],
    );
    assert.deepEqual(componentHints(d, n, 3, 3), [], 'no hints when the gap is 0');
    assert.deepEqual(componentHints(table('denoise', Array(12).fill(0), [2, 2, 3]), table('noise', Array(12).fill(0), [2, 2, 3]), 4, 2), [], 'only 2-D sweeps');
  });

  it('addresses cells and labels grids for each table shape', () => {
    assert.deepEqual(cellAddress({ dims: [2, 3], axes: ['layer', 'pos'] }, 4), { layer: 1, pos: 1 });
    assert.deepEqual(cellAddress({ dims: [2, 3], axes: ['layer', 'head_index'] }, 5), { layer: 1, head: 2 });
    assert.deepEqual(cellAddress({ dims: [2, 3, 4], axes: ['layer', 'head_index', 'pos'] }, 12 + 4 * 2 + 3), { layer: 1, head: 2, pos: 3 });
    const g = tableGrid({ dims: [2, 3, 4], axes: ['layer', 'head_index', 'pos'] }, ['BOS', 'a', 'b→c', 'd']);
    assert.equal(g.rows, 6);
    assert.equal(g.cols, 4);
    assert.equal(g.rowLabels[4], '1.1');
    assert.equal(g.colLabels[2], '2 b→c');
    assert.equal(tableGrid({ dims: [2, 3], axes: ['layer', 'head_index'] }, []).colLabels[2], 'H2');
  });
});
