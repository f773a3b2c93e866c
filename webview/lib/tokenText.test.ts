import * as assert from 'node:assert/strict';
import { heatIndex, heatLut, mix, over, parseColor } from '../../../webview/lib/color.js';
import { PatternStore } from '../../../webview/lib/patternStore.js';
import { endsLine, shortLabel, visibleText, weightLevel } from '../../../webview/lib/tokenText.js';
import { fromVisibleText } from '../../../src/shared/tokens.js';
import { cellOrigin, gridSize, headAt, moveCursor } from '../../../webview/components/ci-head-grid/gridGeometry.js';
import { cellAt, labelledTokens, zoomLayout } from '../../../webview/components/ci-head-zoom/zoomLayout.js';

describe('token text', () => {
  it('makes whitespace and control characters visible, reversibly', () => {
    assert.equal(visibleText(' param'), '·param');
    assert.equal(visibleText('\n\t  x\r'), '⏎→··x␍');
    assert.equal(visibleText('\u0000\u001b\u007f'), '␀␛␡');
    assert.equal(visibleText('<script>'), '<script>');
    for (const t of [' self', '\n    ', '\t\r\n', 'a\u0001b']) assert.equal(fromVisibleText(visibleText(t)), t);
    assert.ok(endsLine(':\n    '));
    assert.ok(!endsLine(' x'));
  });

  it('shortens labels by characters, not UTF-16 units', () => {
    assert.equal(shortLabel(' parameterization', 8), '·parame…');
    assert.equal(shortLabel('😀😀😀', 2), '😀…');
    assert.equal(shortLabel('ab', 5), 'ab');
  });

  it('quantizes weights into 0..10 with any visible weight at least 1', () => {
    assert.deepEqual([0, 0.004, 0.006, 0.1, 0.11, 0.5, 1, 1.2, NaN].map((w) => weightLevel(w)), [0, 0, 1, 1, 2, 5, 10, 10, 0]);
  });
});

describe('colours', () => {
  it('parses what canvases normalize colours to', () => {
    assert.deepEqual(parseColor('#3794ff'), { r: 0x37, g: 0x94, b: 0xff, a: 1 });
    assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColor('#FFFFFF1A'), { r: 255, g: 255, b: 255, a: 0x1a / 255 });
    assert.deepEqual(parseColor('rgba(204, 204, 204, 0.04)'), { r: 204, g: 204, b: 204, a: 0.04 });
    assert.deepEqual(parseColor('rgb(1 2 3 / 50%)'), { r: 1, g: 2, b: 3, a: 0.5 });
    assert.equal(parseColor('var(--x)'), undefined);
  });

  it('composites and interpolates', () => {
    const white = { r: 255, g: 255, b: 255, a: 1 };
    const black = { r: 0, g: 0, b: 0, a: 1 };
    assert.deepEqual(over({ ...white, a: 0.5 }, black), { r: 127.5, g: 127.5, b: 127.5, a: 1 });
    assert.deepEqual(mix(black, white, 0.25), { r: 63.75, g: 63.75, b: 63.75, a: 1 });
  });

  it('maps attention 0..1 onto a 256-entry RGBA table', () => {
    const lut = heatLut({ r: 0, g: 0, b: 0, a: 1 }, { r: 255, g: 0, b: 0, a: 1 });
    assert.equal(lut[0], 0xff000000);
    assert.equal(lut[255], 0xff0000ff); // little-endian RGBA: red in the low byte
    assert.deepEqual([-1, 0, 0.5, 1, 2, NaN].map(heatIndex), [0, 0, 128, 255, 255, 0]);
  });
});

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

describe('pattern store', () => {
  const head = { layer: 1, head: 2 };
  it('tracks requests, ignores outdated responses and caches by LRU within a byte budget', () => {
    const s = new PatternStore(3 * 16); // three 2×2 patterns
    s.reset('i1');
    assert.ok(s.needs(head));
    const id = s.begin(head);
    assert.ok(!s.needs(head) && s.isPending(head));
    assert.deepEqual(s.complete(id, 'i1', { pattern: new Float32Array(4) }), head);
    assert.ok(s.view().get(head));
    assert.equal(s.complete(id, 'i1', { pattern: new Float32Array(4) }), undefined, 'an id answers once');

    const old = s.begin({ layer: 0, head: 0 });
    s.reset('i2');
    assert.equal(s.complete(old, 'i1', { pattern: new Float32Array(4) }), undefined, 'requests of the old inspection are dropped');

    for (let h = 0; h < 4; h++) s.complete(s.begin({ layer: 0, head: h }), 'i2', { pattern: new Float32Array(4) });
    const v = s.view();
    assert.equal(v.get({ layer: 0, head: 0 }), undefined, 'the least recently used went first');
    assert.ok(v.get({ layer: 0, head: 3 }));

    const e = s.begin({ layer: 9, head: 9 });
    s.complete(e, undefined, { error: 'boom' });
    assert.equal(s.view().errorOf({ layer: 9, head: 9 }), 'boom');
    assert.ok(!s.needs({ layer: 9, head: 9 }), 'failed heads are not re-requested');
    assert.notEqual(s.view().version, v.version);
  });
});
