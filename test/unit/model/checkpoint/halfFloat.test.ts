import { strict as assert } from 'node:assert';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from '../../../../src/model/checkpoint/halfFloat';

describe('halfFloat: F16 decoding', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14], // smallest normal
    [0x3c00, 1],
    [0x3c01, 1 + 2 ** -10],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504], // largest finite
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x8001, -(2 ** -24)],
  ];
  for (const [bits, value] of cases) {
    it(`0x${bits.toString(16).padStart(4, '0')} is ${value}`, () => assert.equal(float16BitsToFloat32(bits), value));
  }
  it('keeps the sign of zero and decodes NaN', () => {
    assert.ok(Object.is(float16BitsToFloat32(0x8000), -0));
    assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
    assert.ok(Number.isNaN(float16BitsToFloat32(0xfc01)));
  });
});

describe('halfFloat: F16 encoding (round to nearest even)', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [65504, 0x7bff],
    [65519, 0x7bff], // just below the rounding boundary to inf
    [65520, 0x7c00], // rounds to inf
    [1e6, 0x7c00],
    [-1e6, 0xfc00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal: even is 0
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal units: even is 2
    [1 + 2 ** -11, 0x3c00], // tie: stays on the even mantissa
    [1 + 3 * 2 ** -11, 0x3c02], // tie: goes up to the even mantissa
    [2 ** -14 - 2 ** -25, 0x0400], // rounds up from the subnormal range into the smallest normal
    [1e-10, 0x0000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ];
  for (const [value, bits] of cases) {
    it(`${value} → 0x${bits.toString(16).padStart(4, '0')}`, () => assert.equal(float32ToFloat16Bits(value), bits));
  }
  it('keeps -0 and NaN', () => {
    assert.equal(float32ToFloat16Bits(-0), 0x8000);
    assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
  });
  it('round-trips every non-NaN bit pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16BitsToFloat32(bits);
      if (Number.isNaN(value)) continue;
      if (float32ToFloat16Bits(value) !== bits) assert.fail(`0x${bits.toString(16)} → ${value} → 0x${float32ToFloat16Bits(value).toString(16)}`);
    }
  });
});

describe('halfFloat: BF16', () => {
  it('decodes the top 16 bits of a float32', () => {
    assert.equal(bfloat16BitsToFloat32(0x3f80), 1);
    assert.equal(bfloat16BitsToFloat32(0xc040), -3);
    assert.equal(bfloat16BitsToFloat32(0x4049), 3.140625);
    assert.equal(bfloat16BitsToFloat32(0x0001), 2 ** -133); // float32 subnormal
    assert.equal(bfloat16BitsToFloat32(0x7f80), Infinity);
    assert.equal(bfloat16BitsToFloat32(0xff80), -Infinity);
    assert.ok(Number.isNaN(bfloat16BitsToFloat32(0x7fc0)));
  });
  it('encodes with round to nearest even', () => {
    assert.equal(float32ToBfloat16Bits(Math.PI), 0x4049);
    assert.equal(float32ToBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie, even stays
    assert.equal(float32ToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie, rounds up to even
    assert.equal(float32ToBfloat16Bits(3.4028234663852886e38), 0x7f80); // max float rounds to inf
    assert.equal(float32ToBfloat16Bits(-Infinity), 0xff80);
    assert.ok(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN))));
  });
});
