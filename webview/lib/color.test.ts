import * as assert from 'node:assert/strict';
import { heatIndex, heatLut, mix, over, parseColor } from './color.js';

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
