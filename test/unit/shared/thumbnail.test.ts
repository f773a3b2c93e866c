import * as assert from 'node:assert/strict';
import { maxPoolPattern, poolBins, thumbnailSize } from '../../../src/shared/thumbnail';

function identity(n: number): Float32Array {
  const p = new Float32Array(n * n);
  for (let i = 0; i < n; i++) p[i * n + i] = 1;
  return p;
}

describe('thumbnails', () => {
  it('sizes: at most 32, never above the token count', () => {
    assert.equal(thumbnailSize(1024), 32);
    assert.equal(thumbnailSize(20), 20);
    assert.equal(thumbnailSize(100, 16), 16);
    assert.throws(() => thumbnailSize(10, 0), /positive integer/);
  });

  it('pools positions into contiguous, non-empty bins', () => {
    const bins = poolBins(10, 4);
    assert.deepEqual([...bins], [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]);
    for (const [n, s] of [
      [1024, 32],
      [33, 32],
      [257, 32],
      [5, 5],
    ]) {
      const b = poolBins(n, s);
      const counts = new Array(s).fill(0);
      b.forEach((x) => counts[x]++);
      assert.ok(
        counts.every((c) => c > 0),
        `empty bin for ${n} → ${s}`,
      );
      for (let i = 1; i < n; i++) assert.ok(b[i] >= b[i - 1]);
    }
  });

  it('max-pooling keeps a sharp diagonal at full brightness', () => {
    const t = maxPoolPattern(identity(256), 256, 32);
    for (let i = 0; i < 32; i++) assert.equal(t[i * 32 + i], 1);
    // Mean-pooling would give 1/8 on the diagonal; max-pooling must not.
    const offDiag = t.reduce((s, v, i) => s + (i % 33 === 0 ? 0 : v), 0);
    assert.equal(offDiag, 0);
  });

  it('a previous-token line stays visible and the thumbnail stays causal', () => {
    const n = 100;
    const p = new Float32Array(n * n);
    p[0] = 1;
    for (let q = 1; q < n; q++) p[q * n + q - 1] = 0.9;
    const t = maxPoolPattern(p, n, 32);
    for (let i = 1; i < 32; i++) assert.ok(t[i * 32 + i] === Math.fround(0.9) || t[i * 32 + i - 1] === Math.fround(0.9), `row ${i}`);
    for (let r = 0; r < 32; r++) for (let c = r + 1; c < 32; c++) assert.equal(t[r * 32 + c], 0);
  });

  it('is the identity when the size equals the token count, and writes at offsets', () => {
    const n = 6;
    const p = new Float32Array(n * n).map((_, i) => i / (n * n));
    assert.deepEqual([...maxPoolPattern(p, n, n)], [...p]);
    const two = new Float32Array(2 * n * n);
    two.set(p, n * n);
    const out = new Float32Array(3 * 4);
    out.fill(7);
    maxPoolPattern(two, n, 2, out, n * n, 4);
    assert.deepEqual([...out.subarray(0, 4)], [7, 7, 7, 7]);
    assert.deepEqual([...out.subarray(4, 8)], [p[2 * n + 2], p[2 * n + 5], p[5 * n + 2], p[5 * n + 5]]);
    assert.deepEqual([...out.subarray(8)], [7, 7, 7, 7]);
  });

  it('refuses to upsample', () => {
    assert.throws(() => maxPoolPattern(identity(4), 4, 8), /upsampling/);
  });
});
