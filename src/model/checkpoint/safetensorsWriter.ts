import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { numel } from '../tensor';
import { CheckpointError, formatShape } from './checkpointError';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from './halfFloat';
import { SAFETENSORS_DTYPE_BYTES, type FloatDtype, type SafetensorsDtype } from './safetensorsDtype';

/**
 * Writes safetensors files: float32 values stored as F32, F16 or BF16 (rounded to nearest even), or
 * raw bytes of any dtype (e.g. a BOOL causal mask in a test fixture). The header is padded with
 * spaces to a multiple of 8 bytes, as the reference implementation does. `data` may be a function so
 * a benchmark can generate GPT-2-small-sized weights one tensor at a time.
 */
export type TensorToWrite =
  | {
      readonly dtype: FloatDtype;
      readonly shape: readonly number[];
      readonly data: Float32Array | (() => Float32Array);
    }
  | { readonly dtype: SafetensorsDtype; readonly shape: readonly number[]; readonly bytes: Uint8Array };

export type TensorsToWrite = ReadonlyMap<string, TensorToWrite> | Readonly<Record<string, TensorToWrite>>;

interface PlannedTensor {
  readonly name: string;
  readonly tensor: TensorToWrite;
  readonly byteLength: number;
}

interface Layout {
  /** length field + JSON header, padded */
  readonly prefix: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
}

/** The whole file in memory (tests, small fixtures). */
export function encodeSafetensors(tensors: TensorsToWrite, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const layout = planLayout(tensors, metadata);
  const total = layout.tensors.reduce((n, t) => n + t.byteLength, layout.prefix.length);
  const out = new Uint8Array(total);
  out.set(layout.prefix, 0);
  let position = layout.prefix.length;
  for (const planned of layout.tensors) {
    out.set(encodeTensor(planned), position);
    position += planned.byteLength;
  }
  return out;
}

/** Streams the file to disk one tensor at a time, so only one encoded tensor is in memory at once. */
export async function writeSafetensorsFile(path: string, tensors: TensorsToWrite, metadata?: Readonly<Record<string, string>>): Promise<void> {
  const layout = planLayout(tensors, metadata);
  const handle = await open(path, 'w');
  try {
    await handle.write(layout.prefix);
    for (const planned of layout.tensors) await handle.write(encodeTensor(planned));
  } finally {
    await handle.close();
  }
}

/** float32 values in the little-endian byte layout of `dtype`. */
export function encodeFloats(dtype: FloatDtype, data: Float32Array): Uint8Array {
  if (endianness() !== 'LE') throw new CheckpointError('writing safetensors needs a little-endian host');
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const halves = new Uint16Array(data.length);
  const convert = dtype === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
  for (let i = 0; i < data.length; i++) halves[i] = convert(data[i]);
  return new Uint8Array(halves.buffer);
}

function planLayout(tensors: TensorsToWrite, metadata?: Readonly<Record<string, string>>): Layout {
  const entries: [string, TensorToWrite][] =
    tensors instanceof Map ? [...(tensors as ReadonlyMap<string, TensorToWrite>)] : Object.entries(tensors as Record<string, TensorToWrite>);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const planned: PlannedTensor[] = [];
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__') throw new CheckpointError(`'__metadata__' cannot be a tensor name`);
    const byteLength = numel(tensor.shape) * SAFETENSORS_DTYPE_BYTES[tensor.dtype];
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + byteLength] };
    planned.push({ name, tensor, byteLength });
    offset += byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const paddedLength = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + paddedLength).fill(0x20);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(paddedLength), true);
  prefix.set(json, 8);
  return { prefix, tensors: planned };
}

function encodeTensor({ name, tensor, byteLength }: PlannedTensor): Uint8Array {
  let bytes: Uint8Array;
  if ('bytes' in tensor) {
    bytes = tensor.bytes;
  } else {
    const data = typeof tensor.data === 'function' ? tensor.data() : tensor.data;
    if (data.length !== numel(tensor.shape)) {
      throw new CheckpointError(`tensor '${name}': ${data.length} values do not fill shape ${formatShape(tensor.shape)}`);
    }
    bytes = encodeFloats(tensor.dtype, data);
  }
  if (bytes.length !== byteLength) {
    throw new CheckpointError(`tensor '${name}': ${bytes.length} bytes but shape ${formatShape(tensor.shape)} of ${tensor.dtype} needs ${byteLength}`);
  }
  return bytes;
}
