import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { openRegularFile } from '../boundedFiles';
import { firstNonFiniteIndex } from '../finiteChecks';
import { numel, type Float32Tensor } from '../tensor';
import { CheckpointError } from './checkpointError';
import { widenInPlace } from './halfFloat';
import { isFloatDtype } from './safetensorsDtype';
import { checkHeaderLength, parseSafetensorsHeader, type SafetensorsHeader } from './safetensorsHeader';
import { checkFinite, type ReadOptions, type StoredTensorInfo, type TensorSource } from './tensorSource';

/**
 * A safetensors file opened for positional reads. Opening reads only the length field and the header;
 * each tensor is then read on demand with one positional read straight into the Float32Array that is
 * returned (F16/BF16 land in its upper half and are widened in place), so the file is never copied
 * whole and no scratch buffer is needed. Call `close()` (or use `withSafetensorsFile`).
 */
export class SafetensorsFile implements TensorSource {
  private constructor(
    readonly path: string,
    readonly header: SafetensorsHeader,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    if (endianness() !== 'LE') throw new CheckpointError(`${path}: reading safetensors needs a little-endian host`);
    const { handle, size } = await openRegularFile(path, 'safetensors file', CheckpointError);
    try {
      const lengthBytes = new Uint8Array(8);
      if (size >= 8) await readFully(handle, lengthBytes, 0, path);
      const headerLength = checkHeaderLength(Buffer.from(lengthBytes).readBigUInt64LE(0), size, path);
      const headerBytes = new Uint8Array(headerLength);
      await readFully(handle, headerBytes, 8, path);
      return new SafetensorsFile(path, parseSafetensorsHeader(headerBytes, size, path), handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  get description(): string {
    return this.path;
  }

  get tensors(): ReadonlyMap<string, StoredTensorInfo> {
    return this.header.tensors;
  }

  fileOf(): string {
    return this.path;
  }

  async readFloat32(name: string, options?: ReadOptions): Promise<Float32Array> {
    const entry = this.entry(name);
    const { dtype } = entry;
    if (!isFloatDtype(dtype)) {
      throw new CheckpointError(`${this.path}: tensor '${name}' has dtype ${dtype}; only F32, F16 and BF16 can be read as float32`);
    }
    const out = new Float32Array(numel(entry.shape));
    const byteLength = entry.dataOffsets[1] - entry.dataOffsets[0];
    const landing = new Uint8Array(out.buffer, out.byteLength - byteLength, byteLength);
    await readFully(this.handle, landing, this.header.dataStart + entry.dataOffsets[0], this.path, name);
    const nonFinite = dtype === 'F32' ? (options?.finite ? firstNonFiniteIndex(out) : -1) : widenInPlace(out, dtype);
    if (options?.finite) checkFinite(out, nonFinite, this.path, name, entry.shape);
    return out;
  }

  /** The stored bytes of any tensor, whatever its dtype. */
  async readBytes(name: string): Promise<Uint8Array> {
    const entry = this.entry(name);
    const bytes = new Uint8Array(entry.dataOffsets[1] - entry.dataOffsets[0]);
    await readFully(this.handle, bytes, this.header.dataStart + entry.dataOffsets[0], this.path, name);
    return bytes;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private entry(name: string) {
    const entry = this.header.tensors.get(name);
    if (!entry) throw new CheckpointError(`${this.path}: no tensor named '${name}'`);
    return entry;
  }
}

/** Opens the file, runs `use`, and always closes it. */
export async function withSafetensorsFile<T>(path: string, use: (file: SafetensorsFile) => Promise<T>): Promise<T> {
  const file = await SafetensorsFile.open(path);
  try {
    return await use(file);
  } finally {
    await file.close();
  }
}

/** Every F32/F16/BF16 tensor of a file as float32; tensors of other dtypes are skipped unread. */
export async function readSafetensorsFloat32(path: string): Promise<Map<string, Float32Tensor>> {
  return withSafetensorsFile(path, async (file) => {
    const result = new Map<string, Float32Tensor>();
    for (const [name, info] of file.tensors) {
      if (isFloatDtype(info.dtype)) result.set(name, { dims: info.shape, data: await file.readFloat32(name) });
    }
    return result;
  });
}

/** One read call moves at most this much (Node refuses single reads of 2 GiB or more). */
const MAX_READ_BYTES = 1 << 30;

/** Positional read that loops over short reads; a read that hits end of file is a truncated file. */
async function readFully(handle: FileHandle, target: Uint8Array, position: number, path: string, tensor?: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, Math.min(target.length - done, MAX_READ_BYTES), position + done);
    if (bytesRead === 0) {
      const what = tensor ? `tensor '${tensor}'` : 'header';
      throw new CheckpointError(`${path}: unexpected end of file while reading ${what}; truncated download?`);
    }
    done += bytesRead;
  }
}
