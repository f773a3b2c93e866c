import * as assert from 'node:assert/strict';
import { cellAt, labelledTokens, zoomLayout } from './zoomLayout.js';

describe('zoom layout', () => {
  it('labels every token when cells are tall enough, fewer otherwise, always the focused one', () => {
    const short = zoomLayout(20, 420, 80, 13);
    assert.equal(short.labelStep, 1);
    assert.equal(short.plot, 360);
    const long = zoomLayout(1024, 420, 80, 13);
    assert.equal(long.plot, 420);
    assert.equal(long.labelStep, Math.ceil(13 / (420 / 1024)));
    const labels = labelledTokens(long, 500);
    assert.ok(labels.includes(500));
    for (let i = 1; i < labels.length; i++) assert.ok(labels[i] - labels[i - 1] >= long.labelStep || labels[i] === 500 || labels[i - 1] === 500);
  });

  it('hit-tests cells, ignoring the masked upper triangle', () => {
    const l = zoomLayout(10, 420, 50, 13);
    const at = (q: number, k: number) => cellAt(l, l.left + (k + 0.5) * l.cell, l.top + (q + 0.5) * l.cell);
    assert.deepEqual(at(3, 2), { q: 3, k: 2 });
    assert.equal(at(2, 3), null);
    assert.equal(cellAt(l, 0, 0), null);
  });
});
