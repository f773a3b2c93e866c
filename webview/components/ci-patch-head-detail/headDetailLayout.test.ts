import * as assert from 'node:assert/strict';
import { COMFORT_CELL, COMFORT_PLOT, MAX_CELL, headDetailCellAt, headDetailGeometry, plotOrigin } from './headDetailLayout.js';

describe('headDetailLayout', () => {
  it('three plots a row in a wide panel, filling it (cells up to MAX_CELL)', () => {
    const g = headDetailGeometry(17, 1360, 90);
    assert.equal(g.perRow, 3);
    assert.ok(g.width <= 1360 && g.width > 1300, `fills 1360 px (${g.width})`);
    assert.equal(headDetailGeometry(5, 1360, 40).cell, MAX_CELL, 'a short prompt does not get huge cells');
  });

  it('fewer plots a row when three would make the cells too small', () => {
    const g = headDetailGeometry(17, 560, 90);
    assert.equal(g.perRow, 2);
    assert.ok(g.cell >= COMFORT_CELL);
    assert.ok(g.width <= 560);
    const o = plotOrigin(g, 2);
    assert.equal(o.x, g.left, 'the difference starts the second row');
    assert.equal(o.y, g.top + g.rowPitch);
    assert.equal(g.height, 2 * g.rowPitch - 12);
    assert.equal(headDetailGeometry(60, 500, 90).perRow, 1);
  });

  it('a 12-token prompt in a 620 px editor-side panel: two a row, not three 160 px plots; a 5-token one keeps three', () => {
    const g = headDetailGeometry(12, 620, 60);
    assert.equal(g.perRow, 2);
    assert.ok(g.plot >= COMFORT_PLOT, `${g.plot} px`);
    assert.equal(headDetailGeometry(5, 620, 40).perRow, 3);
  });

  it('key labels: rotated when wider than a cell, thinned so none overlap', () => {
    const g = headDetailGeometry(60, 900, 90);
    assert.ok(g.rotated);
    assert.ok(g.keyEvery * g.cell * Math.sin(Math.PI / 3) >= 13, `every ${g.keyEvery} at ${g.cell.toFixed(1)} px`);
    assert.ok(g.queryEvery * g.cell >= 12);
    assert.ok(g.top > 90 * Math.sin(Math.PI / 3), 'room above the plots for them');
  });

  it('headDetailCellAt finds the plot and cell under a point, null in the gaps', () => {
    const g = headDetailGeometry(17, 560, 90);
    const o = plotOrigin(g, 1);
    assert.deepEqual(headDetailCellAt(g, o.x + 3.5 * g.cell, o.y + 5.5 * g.cell), { panel: 1, q: 5, k: 3 });
    const d = plotOrigin(g, 2);
    assert.deepEqual(headDetailCellAt(g, d.x + 0.5 * g.cell, d.y + 16.5 * g.cell), { panel: 2, q: 16, k: 0 });
    assert.equal(headDetailCellAt(g, o.x - 2, o.y + 10), null);
    assert.equal(headDetailCellAt(g, g.left + 1, g.top - 5), null);
  });
});
