import * as assert from 'node:assert/strict';
import { MAX_CELL, MIN_PLOT, READABLE_CELL, axisLabels, cellAt, moveCell, pointCell, scrollToShow, visibleRange, zoomAbout, zoomLayout } from './zoomLayout.js';

const input = { available: 800, maxPlot: 10_000, labelWidth: 80, lineHeight: 13, zoom: 1 };

describe('zoom layout', () => {
  it('fills the available width, but gives short prompts comfortable cells instead of huge ones', () => {
    const long = zoomLayout({ ...input, nTokens: 512 });
    assert.equal(long.width, 800, 'the canvas takes the whole width');
    assert.equal(long.plot, 800 - 88 - 2);
    const short = zoomLayout({ ...input, nTokens: 10 });
    assert.equal(short.plot, 10 * MAX_CELL);
    assert.equal(short.labelStep, 1, 'every token of a short prompt is labelled');
    assert.equal(zoomLayout({ ...input, nTokens: 512, available: 100 }).plot, MIN_PLOT, 'a very narrow element scrolls');
    assert.equal(zoomLayout({ ...input, nTokens: 512, maxPlot: 400 }).plot, 400, 'the plot fits on screen');
  });

  it('zooms up to readable cells, and labels fewer tokens the smaller the cells', () => {
    const fit = zoomLayout({ ...input, nTokens: 1024 });
    assert.equal(fit.zoom, 1);
    assert.equal(fit.labelStep, Math.ceil(13 / (fit.plot / 1024)));
    const most = zoomLayout({ ...input, nTokens: 1024, zoom: 1000 });
    assert.equal(most.zoom, most.maxZoom);
    assert.equal(most.cell, READABLE_CELL);
    assert.equal(most.labelStep, 1, 'at the largest zoom every token has its label');
    assert.equal(zoomLayout({ ...input, nTokens: 1024, zoom: 0.2 }).zoom, 1, 'no zooming out past the fit');
  });

  it('labels multiples of the step and the forced tokens, never two closer than a step', () => {
    assert.deepEqual(axisLabels(0, 20, 5), [0, 5, 10, 15]);
    assert.deepEqual(axisLabels(3, 20, 5), [5, 10, 15], 'labels stay on multiples while scrolling');
    const withFocus = axisLabels(0, 40, 5, [12, null]);
    assert.ok(withFocus.includes(12));
    for (let i = 1; i < withFocus.length; i++) assert.ok(withFocus[i] - withFocus[i - 1] >= 5, `${withFocus}`);
    assert.deepEqual(axisLabels(0, 40, 5, [12, 14]), [0, 5, 12, 20, 25, 30, 35], 'a second forced label too close to the first is dropped');
    assert.deepEqual(axisLabels(0, 10, 5, [30]), [0, 5], 'forced labels outside the range are not drawn');
  });

  it('hit-tests cells through the scroll offset, ignoring the masked upper triangle and the scrollbars', () => {
    const l = zoomLayout({ ...input, nTokens: 1024, zoom: 8 });
    const size = { w: l.plot - 10, h: l.plot - 10 };
    const scroll = { x: 3 * l.cell, y: 612 * l.cell };
    assert.deepEqual(cellAt(l, scroll, size, 0.5 * l.cell, 0.5 * l.cell), { q: 612, k: 3 });
    assert.equal(cellAt(l, { x: 700 * l.cell, y: 0 }, size, 1, 1), null, 'above the diagonal');
    assert.deepEqual(pointCell(l, { x: 700 * l.cell, y: 0 }, size, 1, 1), { q: 0, k: 700 }, 'which pointCell still names (masked)');
    assert.equal(cellAt(l, scroll, size, size.w + 1, 5), null, 'on the scrollbar');
    assert.equal(cellAt(l, scroll, size, -1, 5), null);
  });

  it('zooms about the pointer and keeps the scroll inside the content', () => {
    const l = zoomLayout({ ...input, nTokens: 1024 });
    const size = { w: l.plot, h: l.plot };
    const z = zoomAbout(l, { x: 0, y: 0 }, size, { x: l.plot / 2, y: l.plot / 2 }, 4);
    assert.equal(z.zoom, 4);
    assert.equal(z.x, (l.plot / 2) * 4 - l.plot / 2, 'the point under the pointer stays put');
    const out = zoomAbout(zoomLayout({ ...input, nTokens: 1024, zoom: 4 }), { x: z.x, y: z.y }, size, { x: 0, y: 0 }, 1 / 16);
    assert.deepEqual(out, { zoom: 1, x: 0, y: 0 });
    const range = visibleRange(zoomLayout({ ...input, nTokens: 1024, zoom: 4 }), z.x, size.w);
    assert.ok(range.from > 300 && range.to < 700 && range.to - range.from >= 256, `${range.from}–${range.to}`);
  });

  it('scrolls a focused token into view only when it is out of view', () => {
    const l = zoomLayout({ ...input, nTokens: 1024, zoom: 8 });
    assert.equal(scrollToShow(l, 0, l.plot, 2), 0);
    const s = scrollToShow(l, 0, l.plot, 900);
    assert.ok(s <= 900 * l.cell && s + l.plot >= 901 * l.cell);
  });

  it('moves a keyboard cursor cell by cell, by pages and to the row ends, never above the diagonal', () => {
    const c = { q: 10, k: 4 };
    assert.deepEqual(moveCell(c, 'ArrowRight', 100, 20), { q: 10, k: 5 });
    assert.deepEqual(moveCell({ q: 10, k: 10 }, 'ArrowRight', 100, 20), { q: 10, k: 10 }, 'a query attends to no later key');
    assert.deepEqual(moveCell({ q: 10, k: 10 }, 'ArrowUp', 100, 20), { q: 9, k: 9 });
    assert.deepEqual(moveCell(c, 'PageDown', 100, 20), { q: 30, k: 4 });
    assert.deepEqual(moveCell({ q: 95, k: 4 }, 'PageDown', 100, 20), { q: 99, k: 4 });
    assert.deepEqual(moveCell(c, 'PageUp', 100, 20), { q: 0, k: 0 });
    assert.deepEqual(moveCell(c, 'End', 100, 20), { q: 10, k: 10 });
    assert.deepEqual(moveCell(c, 'Home', 100, 20), { q: 10, k: 0 });
    assert.equal(moveCell(c, 'a', 100, 20), null);
  });
});
