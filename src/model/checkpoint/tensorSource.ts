import { coordinatesOf, firstNonFiniteIndex, nonFiniteName } from '../finiteChecks';
import { numel, type Float32Tensor } from '../tensor';
import { CheckpointError, formatShape } from './checkpointError';
import type { SafetensorsDtype } from './safetensorsDtype';

/** What a header says about one stored tensor, before any of its bytes are read. */
export interface StoredTensorInfo {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

/** How to read a tensor. */
export interface ReadOptions {
  /** Refuse NaN and ±Inf with a CheckpointError naming the tensor (weights must be finite). */
  readonly finite?: boolean;
}

/**
 * Named tensors whose dtype and shape are known up front and whose data is read on demand, so that a
 * mapping can check every name and shape before reading anything, and never reads what it ignores.
 */
export interface TensorSource {
  /** Where the tensors come from (a file path, or a list of shards), for error messages. */
  readonly description: string;
  readonly tensors: ReadonlyMap<string, StoredTensorInfo>;
  /** The tensor's values as float32; only F32, F16 and BF16 tensors can be read. */
  readFloat32(name: string, options?: ReadOptions): Promise<Float32Array>;
  /** The file a tensor lives in (for sharded checkpoints), for error messages. */
  fileOf(name: string): string;
}

/** An in-memory source of float32 tensors (tests, or weights already in memory). */
export function tensorSourceFromArrays(tensors: ReadonlyMap<string, Float32Tensor>, description = 'in-memory tensors'): TensorSource {
  const infos = new Map<string, StoredTensorInfo>();
  for (const [name, t] of tensors) {
    if (t.data.length !== numel(t.dims)) {
      throw new CheckpointError(`${description}: tensor '${name}' has ${t.data.length} values but shape ${formatShape(t.dims)}`);
    }
    infos.set(name, { dtype: 'F32', shape: [...t.dims] });
  }
  return {
    description,
    tensors: infos,
    fileOf: () => description,
    readFloat32: async (name, options) => {
      const t = tensors.get(name);
      if (!t) throw new CheckpointError(`${description}: no tensor named '${name}'`);
      if (options?.finite) checkFinite(t.data, firstNonFiniteIndex(t.data), description, name, t.dims);
      return t.data;
    },
  };
}

/**
 * One source over several (the shards of a checkpoint). A name stored in two of them is an error,
 * because which copy wins would otherwise depend on file order.
 */
export function combineTensorSources(sources: readonly TensorSource[], description: string): TensorSource {
  const owner = new Map<string, TensorSource>();
  const infos = new Map<string, StoredTensorInfo>();
  for (const source of sources) {
    for (const [name, info] of source.tensors) {
      const previous = owner.get(name);
      if (previous) {
        throw new CheckpointError(`tensor '${name}' is stored twice: in ${previous.fileOf(name)} and in ${source.fileOf(name)}`);
      }
      owner.set(name, source);
      infos.set(name, info);
    }
  }
  const sourceOf = (name: string): TensorSource => {
    const source = owner.get(name);
    if (!source) throw new CheckpointError(`${description}: no tensor named '${name}'`);
    return source;
  };
  return {
    description,
    tensors: infos,
    fileOf: (name) => sourceOf(name).fileOf(name),
    readFloat32: (name, options) => sourceOf(name).readFloat32(name, options),
  };
}

/**
 * Throws when `index` (the first non-finite value of `data`, or -1) is a value: a checkpoint with NaN
 * or Inf in any weight gives NaN everywhere downstream, so it is refused at load, naming the tensor.
 */
export function checkFinite(data: Float32Array, index: number, file: string, name: string, shape: readonly number[]): void {
  if (index < 0) return;
  throw new CheckpointError(
    `${file}: tensor '${name}' holds ${nonFiniteName(data[index])} (first at ${coordinatesOf(index, shape)} of shape ${formatShape(shape)}); ` +
      `weights must be finite numbers: the checkpoint is corrupt (a diverged training run, or an overflowing conversion to float16?)`,
  );
}
