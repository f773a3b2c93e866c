/** Causal attention masks, made once per (positions, prefix) and reused. */
import type { FeedTensor } from './ort';

export class CausalMasks {
  private readonly cache = new Map<string, FeedTensor>();

  /** [query_pos, key_pos] for queries at positions [prefix, pos) over keys [0, pos): true where key ≤ query. */
  get(pos: number, prefix = 0): FeedTensor {
    const key = `${pos}:${prefix}`;
    let m = this.cache.get(key);
    if (!m) {
      const n = pos - prefix;
      const data = new Uint8Array(n * pos);
      for (let q = 0; q < n; q++) data.fill(1, q * pos, q * pos + prefix + q + 1);
      m = { type: 'bool', dims: [n, pos], data };
      this.cache.set(key, m);
    }
    return m;
  }
}
