import * as assert from 'node:assert/strict';
import { MAX_CELL_H, MAX_CELL_W, MIN_CELL_H, ROTATION, cellAt, heatmapLayout, labelEvery, snap, wrapText, type LayoutInput } from './heatmapLayout.js';

const base: LayoutInput = { rows: 6, cols: 8, rowLabelPx: 14, colLabelPx: 14, maxWidth: 680, fontPx: 11, titlePx: 20 };

describe('heatmapLayout', () => {
  it('fills the width it is given: 8 heads in a 680 px half of a 1400 px panel', () => {
    const l = heatmapLayout(base);
    assert.equal(l.width, 680);
    assert.ok(l.cellW > 70, `cells sized from the width (${l.cellW})`);
    assert.equal(l.cellH, MAX_CELL_H, 'rows stop growing at MAX_CELL_H');
    assert.equal(l.rotated, false);
  });

  it('a wider panel gives wider cells, up to MAX_CELL_W; the plot then stops growing', () => {
    assert.ok(heatmapLayout({ ...base, maxWidth: 900 }).cellW > heatmapLayout(base).cellW);
    const huge = heatmapLayout({ ...base, cols: 2, maxWidth: 2000 });
    assert.equal(huge.cellW, MAX_CELL_W);
    assert.ok(huge.width < 2000);
  });

  it('many rows get shorter cells (down to MIN_CELL_H) so the plot stays on screen', () => {
    const l = heatmapLayout({ ...base, rows: 48, cols: 17 });
    assert.ok(l.rows * l.cellH <= 560, `${l.rows} × ${l.cellH}`);
    assert.equal(heatmapLayout({ ...base, rows: 144, cols: 17 }).cellH, MIN_CELL_H);
  });

  it('token labels wider than a cell are rotated, leave room on the right for the last one, and are thinned not to overlap', () => {
    const l = heatmapLayout({ ...base, cols: 60, colLabelPx: 90, maxWidth: 600 });
    assert.ok(l.rotated);
    const plotRight = l.left + l.cols * l.cellW;
    assert.ok(l.width - plotRight >= 90 * Math.cos(ROTATION) - l.cellW / 2, 'the last rotated label fits');
    assert.ok(l.colEvery * l.cellW * Math.sin(ROTATION) >= 11 + 2, `labels a line apart (every ${l.colEvery})`);
    assert.ok(l.top >= 20 + 90 * Math.sin(ROTATION), 'the band above the plot holds a rotated label');
  });

  it('labelEvery: all labels when cells are big, fewer as cells shrink', () => {
    assert.equal(labelEvery(40, 11, true), 1);
    assert.equal(labelEvery(5, 11, false), 3);
    assert.ok(labelEvery(5, 11, true) > labelEvery(5, 11, false));
  });

  it('cellAt maps points to cells, null outside', () => {
    const l = heatmapLayout(base);
    assert.deepEqual(cellAt(l, l.left + 2.5 * l.cellW, l.top + 1.5 * l.cellH), { row: 1, col: 2 });
    assert.equal(cellAt(l, l.left - 1, l.top), null);
    assert.equal(cellAt(l, l.left + l.cols * l.cellW + 1, l.top), null);
  });

  it('snap puts a coordinate on a device pixel edge', () => {
    assert.equal(snap(10.3, 1), 10);
    assert.equal(snap(10.3, 2), 10.5);
    assert.equal(snap(10.2, 1.5) * 1.5, Math.round(10.2 * 1.5));
  });

  it('wrapText: lines no wider than the limit, at spaces', () => {
    const measure = (s: string) => s.length * 6;
    assert.deepEqual(wrapText('share of the gap moved: 0 = no effect', 60, measure), ['share of', 'the gap', 'moved: 0 =', 'no effect']);
    assert.deepEqual(wrapText('', 60, measure), []);
    assert.deepEqual(wrapText('unbreakable-long-word', 30, measure), ['unbreakable-long-word']);
  });
});
