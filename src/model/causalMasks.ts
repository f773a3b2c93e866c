/**
 * Causal attention masks, made once per (positions, prefix, kind) and reused. The most recently
 * used few are kept (a 1024-position bias is 4 MiB; one per prompt length would add up).
 */
import type { FeedTensor } from './ort';

const KEEP = 8;

export class CausalMasks {
  private readonly cache = new Map<string, FeedTensor>();

  /** bool [query_pos, key_pos] for queries at positions [prefix, pos) over keys [0, pos): true where key ≤ query. */
  get(pos: number, prefix = 0): FeedTensor {
    return this.memo(`mask:${pos}:${prefix}`, () => {
      const n = pos - prefix;
      const data = new Uint8Array(n * pos);
      for (let q = 0; q < n; q++) data.fill(1, q * pos, q * pos + prefix + q + 1);
      return { type: 'bool', dims: [n, pos], data };
    });
  }

  /** float [query_pos, key_pos], the additive form of `get`: 0 where key ≤ query, −inf elsewhere. */
  bias(pos: number, prefix = 0): FeedTensor {
    return this.memo(`bias:${pos}:${prefix}`, () => {
      const n = pos - prefix;
      const data = new Float32Array(n * pos);
      for (let q = 0; q < n; q++) data.fill(-Infinity, q * pos + prefix + q + 1, (q + 1) * pos);
      return { type: 'float32', dims: [n, pos], data };
    });
  }

  private memo(key: string, make: () => FeedTensor): FeedTensor {
    const m = this.cache.get(key) ?? make();
    this.cache.delete(key); // most recent last
    this.cache.set(key, m);
    if (this.cache.size > KEEP) this.cache.delete(this.cache.keys().next().value as string);
    return m;
  }
}
