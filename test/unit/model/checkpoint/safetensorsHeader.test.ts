import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile } from '../../../../src/model/checkpoint/safetensors';
import { encodeSafetensors } from '../../../../src/model/checkpoint/safetensorsWriter';
import { makeTempRoot, rejectsWith } from './fixtures';

/** A file with the given header text (length field = its byte length unless overridden) and data. */
function rawFile(header: string, dataLength: number, lengthField?: bigint): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const bytes = Buffer.alloc(8 + json.length + dataLength);
  bytes.writeBigUInt64LE(lengthField ?? BigInt(json.length), 0);
  json.copy(bytes, 8);
  return bytes;
}

function entry(dtype: string, shape: number[], begin: number, end: number): object {
  return { dtype, shape, data_offsets: [begin, end] };
}

describe('safetensors header validation', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let count = 0;
  before(async () => ({ root, cleanup } = await makeTempRoot()));
  after(() => cleanup());

  /** Writes `bytes` to a fresh file and expects opening it to fail naming the file and `parts`. */
  async function expectRefused(bytes: Uint8Array, ...parts: string[]): Promise<void> {
    const path = join(root, `bad-${count++}.safetensors`);
    await writeFile(path, bytes);
    await rejectsWith(SafetensorsFile.open(path), path, ...parts);
  }

  const header = (tensors: Record<string, object>) => JSON.stringify(tensors);

  it('accepts a well-formed file (control case)', async () => {
    const path = join(root, 'good.safetensors');
    await writeFile(path, rawFile(header({ a: entry('F32', [2], 0, 8), b: entry('U8', [3], 8, 11) }), 11));
    const file = await SafetensorsFile.open(path);
    await file.close();
  });

  it('refuses a file too short for the length field', () => expectRefused(new Uint8Array(5), 'too short'));

  it('refuses a header length over the 100 MB bound', () => expectRefused(rawFile('{}', 0, 2n ** 40n), 'header length', 'limit'));

  it('refuses a header length beyond the end of the file', () => expectRefused(rawFile('{}', 0, 4096n), 'header length 4096', 'truncated'));

  it('refuses a header that is not JSON', () => expectRefused(rawFile('{"a": {', 0), 'not valid JSON'));

  it('refuses a header that is not UTF-8', () => expectRefused(Buffer.concat([rawFile('{}', 0, 4n), Buffer.from([0x22, 0xff, 0xfe, 0x22])]), 'UTF-8'));

  it('refuses a JSON header that is not an object', () => expectRefused(rawFile('[1, 2]', 0), 'must be a JSON object'));

  it('refuses __metadata__ with a non-string value', () =>
    expectRefused(rawFile(JSON.stringify({ __metadata__: { total: 3 } }), 0), '__metadata__.total', 'string'));

  it('refuses an unknown dtype, naming the tensor', () =>
    expectRefused(rawFile(header({ w: entry('F17', [1], 0, 4) }), 4), "tensor 'w'", 'unknown dtype "F17"'));

  it('refuses a shape that is not a list of non-negative integers', () =>
    expectRefused(rawFile(header({ w: entry('F32', [2, -1], 0, 8) }), 8), "tensor 'w'", 'shape'));

  it('refuses a shape × dtype size that differs from the byte span', () =>
    expectRefused(rawFile(header({ w: entry('F16', [2, 3], 0, 8) }), 8), "tensor 'w'", 'needs 12 bytes', 'span 8'));

  it('refuses reversed offsets', () => expectRefused(rawFile(header({ w: entry('U8', [0], 4, 0) }), 4), "tensor 'w'", 'data_offsets'));

  it('refuses offsets outside the data section', () =>
    expectRefused(rawFile(header({ a: entry('F32', [1], 0, 4), far: entry('F32', [1], 64, 68) }), 16), "tensor 'far'", 'outside the data section'));

  it('refuses overlapping tensors, naming both', () =>
    expectRefused(rawFile(header({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }), 12), "'a'", "'b'", 'overlap'));

  it('says "truncated download?" when the data stops early', async () => {
    const whole = encodeSafetensors({
      a: { dtype: 'F32', shape: [4], data: new Float32Array(4) },
      b: { dtype: 'F32', shape: [4], data: new Float32Array(4) },
    });
    await expectRefused(whole.subarray(0, whole.length - 3), 'truncated', "'b'", 'truncated download?');
  });
});
