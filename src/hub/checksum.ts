/**
 * What the hub's ETags say about a file's content. LFS files (weights) are identified by the
 * sha256 of their content (`X-Linked-Etag`, 64 hex digits); plain git files (config, tokenizer) by
 * their git blob id, sha1("blob <length>\0" + content) (40 hex digits).
 */
import { type Hash, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type Checksum = { readonly kind: 'sha256'; readonly hex: string } | { readonly kind: 'git-sha1'; readonly hex: string };

/** Strips `W/` and quotes and lowercases; undefined for a missing or empty header. */
export function normalizeEtag(raw: string | readonly string[] | undefined): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return undefined;
  const stripped = value.trim().replace(/^W\//i, '').replace(/^"|"$/g, '').trim().toLowerCase();
  return stripped.length > 0 ? stripped : undefined;
}

/** A strong ETag (not `W/`), usable in If-Range; undefined otherwise. */
export function strongEtag(raw: string | readonly string[] | undefined): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value.trim().length === 0 || /^W\//i.test(value.trim())) return undefined;
  return value.trim();
}

export function checksumFromEtag(etag: string | undefined): Checksum | undefined {
  if (etag === undefined) return undefined;
  if (/^[0-9a-f]{64}$/.test(etag)) return { kind: 'sha256', hex: etag };
  if (/^[0-9a-f]{40}$/.test(etag)) return { kind: 'git-sha1', hex: etag };
  return undefined;
}

async function hashFile(file: string, algorithm: 'sha256' | 'sha1', prefix?: Buffer, signal?: AbortSignal): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(file, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  return hashFile(file, 'sha256', undefined, signal);
}

/** The git blob id of a file of `size` bytes: sha1 over "blob <size>\0" then the content. */
export function gitBlobSha1OfFile(file: string, size: number, signal?: AbortSignal): Promise<string> {
  return hashFile(file, 'sha1', Buffer.from(`blob ${size}\0`), signal);
}

/** Feeds an existing partial file into `hash`, so a resumed download hashes the whole content. */
export async function updateHashFromFile(hash: Hash, file: string, signal?: AbortSignal): Promise<void> {
  for await (const chunk of createReadStream(file, { signal })) hash.update(chunk as Buffer);
}
