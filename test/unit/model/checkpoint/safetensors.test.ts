import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile, readSafetensorsFloat32, withSafetensorsFile } from '../../../../src/model/checkpoint/safetensors';
import { encodeSafetensors, writeSafetensorsFile } from '../../../../src/model/checkpoint/safetensorsWriter';
import { makeTempRoot, rejectsWith } from './fixtures';

/** Values every float dtype stores exactly, and the special ones. */
const SPECIALS = new Float32Array([0, -0, 1, -2, 0.5, 65504, 2 ** -24, 2 ** -20, Infinity, -Infinity, NaN, 3.140625]);

function assertSameFloats(actual: Float32Array, expected: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('safetensors reader and writer', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ root, cleanup } = await makeTempRoot()));
  after(() => cleanup());

  it('round-trips F32, F16 and BF16 tensors, specials included', async () => {
    const path = join(root, 'specials.safetensors');
    await writeSafetensorsFile(path, {
      f32: { dtype: 'F32', shape: [3, 4], data: SPECIALS },
      f16: { dtype: 'F16', shape: [12], data: SPECIALS },
      bf16: { dtype: 'BF16', shape: [2, 6], data: SPECIALS },
    });
    const tensors = await readSafetensorsFloat32(path);
    assert.deepEqual(tensors.get('f32')?.dims, [3, 4]);
    assertSameFloats(tensors.get('f32')!.data, SPECIALS);
    assertSameFloats(tensors.get('f16')!.data, SPECIALS);
    // BF16 keeps 8 mantissa bits: 65504 rounds to 65536; the small powers of two and the rest are exact.
    const bf16Expected = Array.from(SPECIALS, (v) => (v === 65504 ? 65536 : v));
    assertSameFloats(tensors.get('bf16')!.data, bf16Expected);
  });

  it('decodes hand-written F16 and BF16 bytes, independently of the writer', async () => {
    const path = join(root, 'hand.safetensors');
    const f16 = [0x0001, 0x03ff, 0x3c00, 0xc000, 0x7c00, 0xfc00, 0x8000];
    const bf16 = [0x3f80, 0xc040, 0x7f80, 0x0001];
    const bytes = (halves: number[]) => new Uint8Array(new Uint16Array(halves).buffer);
    await writeFile(
      path,
      encodeSafetensors({
        h: { dtype: 'F16', shape: [f16.length], bytes: bytes(f16) },
        b: { dtype: 'BF16', shape: [bf16.length], bytes: bytes(bf16) },
      }),
    );
    const tensors = await readSafetensorsFloat32(path);
    assertSameFloats(tensors.get('h')!.data, [2 ** -24, 1023 * 2 ** -24, 1, -2, Infinity, -Infinity, -0]);
    assertSameFloats(tensors.get('b')!.data, [1, -3, Infinity, 2 ** -133]);
  });

  it('reads tensors at unaligned offsets and skips non-float buffers unread', async () => {
    const path = join(root, 'unaligned.safetensors');
    await writeSafetensorsFile(path, {
      flag: { dtype: 'BOOL', shape: [3], bytes: new Uint8Array([1, 0, 1]) },
      w: { dtype: 'F32', shape: [2], data: new Float32Array([1.25, -7]) },
      h: { dtype: 'F16', shape: [1], data: new Float32Array([0.5]) },
      ids: { dtype: 'I64', shape: [1], bytes: new Uint8Array(8) },
    });
    const tensors = await readSafetensorsFloat32(path);
    assert.deepEqual([...tensors.keys()].sort(), ['h', 'w']);
    assertSameFloats(tensors.get('w')!.data, [1.25, -7]);
    assertSameFloats(tensors.get('h')!.data, [0.5]);
    await withSafetensorsFile(path, async (file) => {
      assert.deepEqual([...(await file.readBytes('flag'))], [1, 0, 1]);
      await rejectsWith(file.readFloat32('flag'), path, "'flag'", 'BOOL');
      await rejectsWith(file.readFloat32('nope'), path, "'nope'");
    });
  });

  it('writes a header padded to a multiple of 8 and keeps __metadata__', async () => {
    const path = join(root, 'meta.safetensors');
    let generated = 0;
    await writeSafetensorsFile(path, { x: { dtype: 'F32', shape: [5], data: () => (generated++, new Float32Array([1, 2, 3, 4, 5])) } }, { format: 'pt' });
    assert.equal(generated, 1);
    const bytes = await readFile(path);
    assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0);
    await withSafetensorsFile(path, async (file) => {
      assert.deepEqual(file.header.metadata, { format: 'pt' });
      assert.equal(file.header.dataStart % 8, 0);
      assertSameFloats(await file.readFloat32('x'), [1, 2, 3, 4, 5]);
    });
  });

  it('refuses to write data that does not fill the shape', () => {
    assert.throws(() => encodeSafetensors({ x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), /'x'.*\[3\]/);
  });

  it('names the path when the file cannot be opened', async () => {
    const path = join(root, 'absent.safetensors');
    await rejectsWith(SafetensorsFile.open(path), path, 'cannot open');
  });
});
