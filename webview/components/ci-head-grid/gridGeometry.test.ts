import * as assert from 'node:assert/strict';
import { MAX_CELL, MIN_CELL, cellOrigin, fitCell, gridSize, headAt, moveCursor } from './gridGeometry.js';

describe('grid geometry', () => {
  const g = { nLayers: 12, nHeads: 12, cell: 36, gap: 4 };
  it('lays heads out left to right and layers top to bottom', () => {
    assert.deepEqual(gridSize(g), { width: 476, height: 476 });
    assert.deepEqual(cellOrigin(g, { layer: 2, head: 3 }), { x: 120, y: 80 });
    assert.deepEqual(headAt(g, 121, 81), { layer: 2, head: 3 });
    assert.deepEqual(headAt(g, 158, 118), { layer: 2, head: 3 }, 'a gap belongs to the cell before it');
    assert.equal(headAt(g, 480, 10), null);
    assert.equal(headAt(g, -1, 10), null);
  });

  it('sizes the cells to fill the width, clamped', () => {
    // 12 cells of 60 px and 11 gaps of 4 px: 764 px.
    assert.equal(fitCell(764, 12, 4), 60);
    assert.ok(gridSize({ nLayers: 12, nHeads: 12, cell: fitCell(760, 12, 4), gap: 4 }).width <= 760);
    assert.equal(fitCell(760, 4, 4), MAX_CELL, 'a 4-head model does not get 186 px thumbnails');
    assert.equal(fitCell(200, 12, 4), MIN_CELL, 'a narrow panel scrolls');
    assert.equal(fitCell(0, 12, 4), MIN_CELL);
  });

  it('moves the cursor with arrows, Home/End and PageUp/PageDown, clamped', () => {
    const c = { layer: 0, head: 0 };
    assert.deepEqual(moveCursor(c, 'ArrowLeft', 12, 12), c);
    assert.deepEqual(moveCursor(c, 'ArrowRight', 12, 12), { layer: 0, head: 1 });
    assert.deepEqual(moveCursor(c, 'ArrowDown', 12, 12), { layer: 1, head: 0 });
    assert.deepEqual(moveCursor({ layer: 3, head: 4 }, 'End', 12, 12), { layer: 3, head: 11 });
    assert.deepEqual(moveCursor({ layer: 3, head: 4 }, 'PageDown', 12, 12), { layer: 11, head: 4 });
    assert.equal(moveCursor(c, 'a', 12, 12), null);
  });
});
