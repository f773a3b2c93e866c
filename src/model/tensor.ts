/**
 * A dense float32 tensor: row-major data plus its dims. The axis names are carried in the type
 * (e.g. `Float32Tensor<'batch pos d_model'>`) so shapes are documented where tensors flow.
 */
export interface Float32Tensor<Axes extends string = string> {
  readonly dims: readonly number[];
  readonly data: Float32Array;
  /** Phantom field: never set at runtime; it only makes the axis names part of the type. */
  readonly __axes?: Axes;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function float32Tensor<Axes extends string = string>(dims: readonly number[], data: Float32Array = new Float32Array(numel(dims))): Float32Tensor<Axes> {
  if (data.length !== numel(dims)) {
    throw new Error(`tensor data has ${data.length} elements but dims [${dims.join(', ')}] need ${numel(dims)}`);
  }
  return { dims: [...dims], data };
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

/** The sub-tensor at index `i` of the leading axis (a view, no copy). */
export function sliceLeading<Axes extends string>(t: Float32Tensor<Axes>, i: number): Float32Tensor {
  const inner = t.dims.slice(1);
  const size = numel(inner);
  if (i < 0 || i >= t.dims[0]) throw new RangeError(`index ${i} outside leading axis of size ${t.dims[0]}`);
  return { dims: inner, data: t.data.subarray(i * size, (i + 1) * size) };
}

/** Largest absolute finite value in the tensor (0 for an empty or all-infinite tensor). */
export function maxAbs(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > m && Number.isFinite(v)) m = v;
  }
  return m;
}

/** The part of `t` from index `from` on along `axis` (a copy). */
export function sliceAxisFrom<Axes extends string>(t: Float32Tensor<Axes>, axis: number, from: number, to = t.dims[axis]): Float32Tensor<Axes> {
  const dims = [...t.dims];
  const outer = numel(dims.slice(0, axis));
  const inner = numel(dims.slice(axis + 1));
  const n = to - from;
  const out = new Float32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    out.set(t.data.subarray((o * dims[axis] + from) * inner, (o * dims[axis] + to) * inner), o * n * inner);
  }
  dims[axis] = n;
  return { dims, data: out };
}

/** `t` with its leading (batch) axis of size 1 repeated to `batch` (returned as is when already that size). */
export function repeatBatch<Axes extends string>(t: Float32Tensor<Axes>, batch: number): Float32Tensor<Axes> {
  if (t.dims[0] === batch) return t;
  if (t.dims[0] !== 1) throw new Error(`cannot broadcast a batch of ${t.dims[0]} to ${batch}`);
  const out = new Float32Array(t.data.length * batch);
  for (let b = 0; b < batch; b++) out.set(t.data, b * t.data.length);
  return { dims: [batch, ...t.dims.slice(1)], data: out };
}
