/**
 * The one rule for the shard files a `model.safetensors.index.json` may name, shared by the loader
 * (openTensorFiles) and the hub downloader: a `.safetensors` file in the same folder as the index,
 * so a plain name: no folder part (`/` or `\`), not `.` or `..`, no control characters. Pure: no
 * node builtins, so both layers can call it.
 */
export function shardFileProblem(shard: unknown): string | undefined {
  if (typeof shard !== 'string') return `expected a file name, got ${JSON.stringify(shard) ?? String(shard)}`;
  if (shard.includes('/') || shard.includes('\\')) return 'it has a folder part; shards must be in the same folder as the index';
  if (shard === '' || shard === '.' || shard === '..' || /[\x00-\x1f]/.test(shard)) return 'it is not a usable file name';
  if (shard.length > 255) return 'it is longer than 255 characters';
  if (!shard.endsWith('.safetensors')) return 'it is not a .safetensors file';
  return undefined;
}
