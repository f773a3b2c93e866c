import assert from 'node:assert/strict';
import { describeLensCell, cellText, lensCellAt, lensGeometry, probColour, textOn, visibleColumns, boundaryLabel } from './lensLayout';
import { makeResidualFixture } from '../../../test/webview/residualFixtures';

const base = { rows: 13, fontPx: 11, titlePx: 20, rowLabelPx: 24, colLabelPx: 60 };

describe('logit lens layout', () => {
  it('fills the width at 30 tokens and labels every column', () => {
    const g = lensGeometry({ ...base, cols: 30, width: 1400, zoom: 'fit' });
    assert.ok(g.cellW >= 40, `cell ${g.cellW}px`);
    assert.equal(g.contentW, g.viewW, 'no scrolling');
    assert.ok(g.left + g.contentW <= 1400);
    assert.ok(g.left + g.contentW > 1300, 'uses the width');
  });

  it('at 512 tokens in 600 px keeps cells at least 6 px and scrolls, drawing only the visible columns', () => {
    const g = lensGeometry({ ...base, cols: 512, width: 600, zoom: 'fit' });
    assert.equal(g.cellW, 6);
    assert.ok(g.contentW > g.viewW);
    const v = visibleColumns(g, 1200);
    assert.equal(v.first, 200);
    assert.ok(v.last - v.first <= Math.ceil(g.viewW / g.cellW) + 1);
  });

  it('readable zoom makes cells wide enough for a short token and scrolls', () => {
    const g = lensGeometry({ ...base, cols: 512, width: 1400, zoom: 'read' });
    assert.ok(g.cellW >= 58);
    assert.equal(cellText(' self', g.cellW, 6.6), '·self');
  });

  it('finds the cell under a point, scrolled', () => {
    const g = lensGeometry({ ...base, cols: 512, width: 600, zoom: 'fit' });
    assert.deepEqual(lensCellAt(g, 600, g.left + 3, g.top + g.cellH * 2 + 1), { row: 2, col: 100 });
    assert.equal(lensCellAt(g, 0, g.left - 2, g.top + 1), null, 'row labels are not cells');
  });

  it('abbreviates token text to the cell and hides it in cells too narrow to read', () => {
    assert.equal(cellText(' parameters', 40, 6.6), '·par…');
    assert.equal(cellText('\n', 40, 6.6), '⏎');
    assert.equal(cellText(' the', 10, 6.6), '');
  });

  it('labels the last boundary as the stream after the last layer', () => {
    assert.equal(boundaryLabel(12, 0), 'L0');
    assert.equal(boundaryLabel(12, 12), 'out');
  });

  it('picks the text colour that reads on the cell', () => {
    const dark = { r: 31, g: 31, b: 31, a: 1 };
    const light = { r: 204, g: 204, b: 204, a: 1 };
    const heat = { r: 55, g: 148, b: 255, a: 1 };
    assert.deepEqual(textOn(probColour(0, dark, heat), light, dark), light);
    const white = { r: 255, g: 255, b: 255, a: 1 };
    const ink = { r: 31, g: 31, b: 31, a: 1 };
    assert.deepEqual(textOn(probColour(1, white, { r: 0, g: 60, b: 160, a: 1 }), ink, white), white);
  });

  it('the hover names the hook, lists the top tokens, the entropy, and the answer with a 1-based rank', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const text = describeLensCell(r.lens, r.tokens, r.n_layers, 12, 29);
    assert.match(text, /^blocks\.11\.hook_resid_post · position 29/);
    assert.match(text, /entropy \d+\.\d\d nats/);
    assert.match(text, /answer '·old': p [\d.e-]+, rank 1$/, 'the answer is the top token at the last position');
    assert.equal(text.split('\n').filter((l) => l.startsWith('  ')).length, 5);
  });
});
