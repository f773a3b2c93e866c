/**
 * IEEE binary16 (F16) and bfloat16 (BF16) <-> float32 conversions, bit-exact. BF16 is the top 16 bits
 * of a float32; F16 has 5 exponent bits (bias 15), 10 mantissa bits, subnormals, inf and NaN.
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function float32Bits(x: number): number {
  f32Scratch[0] = x;
  return u32Scratch[0];
}

function float32FromBits(bits: number): number {
  u32Scratch[0] = bits;
  return f32Scratch[0];
}

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function bfloat16BitsToFloat32(bits: number): number {
  return float32FromBits((bits & 0xffff) << 16);
}

/** Rounds to nearest, ties to even; overflow gives ±inf, NaN stays NaN (quiet). */
export function float32ToFloat16Bits(x: number): number {
  const bits = float32Bits(x);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal in F16 (or zero): value / 2^-24 = (1.mantissa · 2^23) · 2^(halfExponent - 14).
    if (halfExponent < -10) return sign;
    return sign | roundShiftRightEven(mantissa | 0x800000, 14 - halfExponent);
  }
  // A carry out of the mantissa correctly bumps the exponent (and reaches inf at the top).
  return sign | (roundShiftRightEven((halfExponent << 23) | mantissa, 13) & 0x7fff);
}

/** Rounds to nearest, ties to even; NaN stays NaN (quiet). */
export function float32ToBfloat16Bits(x: number): number {
  const bits = float32Bits(x);
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  return roundShiftRightEven(bits, 16) & 0xffff;
}

function roundShiftRightEven(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
}

let float16Table: Float32Array | undefined;

/** float32 value of every F16 bit pattern (256 KiB, built on first use). */
function float16Lookup(): Float32Array {
  if (!float16Table) {
    float16Table = new Float32Array(0x10000);
    for (let bits = 0; bits < 0x10000; bits++) float16Table[bits] = float16BitsToFloat32(bits);
  }
  return float16Table;
}

/**
 * Widens 16-bit values that sit in the upper half of `out`'s own buffer into `out`, in place: element i
 * is read from byte 2n + 2i and written to bytes 4i..4i+3, which only ever overwrites elements already
 * read (4i + 3 < 2n + 2(i + 1) for i < n). So a tensor is read from disk once, with no scratch buffer.
 * Returns the index of the first NaN or ±Inf (all exponent bits set), or -1: found while converting,
 * so checking weights costs no extra pass.
 */
export function widenInPlace(out: Float32Array, dtype: 'F16' | 'BF16'): number {
  const n = out.length;
  const halves = new Uint16Array(out.buffer, out.byteOffset + 2 * n, n);
  let firstNonFinite = -1;
  if (dtype === 'BF16') {
    const words = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const h = halves[i];
      if ((h & 0x7f80) === 0x7f80 && firstNonFinite < 0) firstNonFinite = i;
      words[i] = h << 16;
    }
  } else {
    const table = float16Lookup();
    for (let i = 0; i < n; i++) {
      const h = halves[i];
      if ((h & 0x7c00) === 0x7c00 && firstNonFinite < 0) firstNonFinite = i;
      out[i] = table[h];
    }
  }
  return firstNonFinite;
}
