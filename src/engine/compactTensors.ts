/**
 * Typed arrays cross the process boundary by structured clone, which writes a view's whole backing
 * buffer. A result holding a view into a larger buffer (one head of a [head, q, k] cache tensor)
 * would ship the whole tensor: this copies exactly such views into buffers of their own, and leaves
 * every other value (and every array that already owns its buffer) as it is.
 */
export function compactTensors<T>(value: T): T {
  return compact(value, 0) as T;
}

const MAX_DEPTH = 8;

function compact(v: unknown, depth: number): unknown {
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return v;
    const a = v as unknown as { byteLength: number; buffer: ArrayBufferLike; slice(): unknown };
    return a.byteLength === a.buffer.byteLength ? v : a.slice();
  }
  if (depth >= MAX_DEPTH || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    v.forEach((x, i) => {
      const c = compact(x, depth + 1);
      if (c !== x) (out ??= [...v])[i] = c;
    });
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const c = compact(x, depth + 1);
    if (c !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = c;
  }
  return out ?? v;
}
