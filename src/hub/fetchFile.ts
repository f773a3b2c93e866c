/**
 * Downloads one file into the cache: streamed to `<partial>` (`….incomplete`), resumed with Range
 * when a partial of the same file exists, hashed while streaming, checked against the size and
 * checksum the hub announced, then renamed into place. A cancelled or dropped download leaves the
 * partial (and its `.json` sidecar) for the next attempt, never a file at the final path.
 *
 * The sidecar records which file the partial belongs to: the hub's identity ETag (sha256 for LFS,
 * git blob id otherwise) and the strong ETag of the server that sent the bytes. A retry sends
 * `Range: bytes=N-` with `If-Range: <that ETag>`, and drops the Range itself when the hub's
 * redirect already announces a different X-Linked-Etag, so a changed file is never glued onto an
 * old part. 206 appends; 200 (range ignored or If-Range mismatch) and 416 start from zero.
 */
import { type Hash, createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { checksumFromEtag, gitBlobSha1OfFile, normalizeEtag, strongEtag, updateHashFromFile } from './checksum';
import { HubError, abortError, isAbortError, isRetryable, retryDelay } from './errors';
import { type Headers, type OpenResponse, networkError, openUrl, statusError } from './http';

export interface FetchFileRequest {
  readonly url: string;
  /** repo-relative name, for messages */
  readonly file: string;
  /** final path */
  readonly dest: string;
  /** where the partial lives, e.g. `<cache>/.partial/model.safetensors.incomplete` */
  readonly partial: string;
  readonly token?: string;
  readonly tokenOrigin: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** automatic retries after a dropped connection or a 5xx/429 (each resumes); default 3 */
  readonly retries?: number;
  /** first backoff, doubled each retry; default 1000 */
  readonly retryDelayMs?: number;
  /**
   * What the hub said about the file before (its HEAD): used when the download response itself
   * carries no ETag or no length (a chunked body from a mirror), so the content is still checked.
   */
  readonly expected?: { readonly size?: number; readonly etag?: string };
  /** the most bytes accepted when no size is announced at all; default 256 MiB */
  readonly maxBytes?: number;
  /** bytes of this file on disk so far (resumed part included) and the total when known */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

export interface FetchedFile {
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  /** the hub's identity ETag, normalized (sha256 for LFS files, git blob sha1 otherwise) */
  readonly etag: string | undefined;
  /** X-Repo-Commit, when the hub sent it */
  readonly commit: string | undefined;
  /** what the content was checked against besides its size */
  readonly verified: 'sha256' | 'git-sha1' | 'size-only';
  /** bytes reused from an earlier partial download */
  readonly resumedFrom: number;
}

interface Sidecar {
  /** identity ETag of the file the partial belongs to */
  readonly etag?: string;
  /** strong ETag of the server that sent the bytes, for If-Range */
  readonly validator?: string;
}

/** Thrown inside an attempt to say: drop the partial and ask again from byte 0. */
class RestartFromZero extends Error {}

const MAX_RESTARTS = 2;

/** The bound on a file whose size nobody announced (config and tokenizer files are far smaller). */
export const DEFAULT_MAX_UNANNOUNCED_BYTES = 256 * 1024 * 1024;

export async function fetchFile(r: FetchFileRequest): Promise<FetchedFile> {
  const retries = r.retries ?? 3;
  const retryDelayMs = r.retryDelayMs ?? 1000;
  let restarts = 0;
  let failures = 0;
  for (;;) {
    try {
      return await attemptOnce(r);
    } catch (e) {
      if (r.signal?.aborted || isAbortError(e)) throw abortError(r.file);
      if (e instanceof RestartFromZero) {
        await discardPartial(r.partial);
        if (restarts++ < MAX_RESTARTS) continue;
        throw new HubError('http', `${r.file}: ${e.message} (gave up after ${MAX_RESTARTS} restarts) at ${r.url}.`, {
          file: r.file,
          url: r.url,
        });
      }
      if (isRetryable(e) && failures < retries) {
        await sleep(retryDelay(e, failures, retryDelayMs), r.signal, r.file);
        failures++;
        continue;
      }
      throw e;
    }
  }
}

async function attemptOnce(r: FetchFileRequest): Promise<FetchedFile> {
  let have = await sizeOf(r.partial);
  const side = have > 0 ? await readSidecar(r.partial) : undefined;
  if (have > 0 && (side === undefined || (side.etag === undefined && side.validator === undefined))) {
    await discardPartial(r.partial); // nothing tells us which file these bytes belong to
    have = 0;
  }
  const headers: Record<string, string> = {};
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (side?.validator !== undefined) headers['if-range'] = side.validator;
  }

  const res = await openUrl({
    method: 'GET',
    url: r.url,
    file: r.file,
    headers,
    token: r.token,
    tokenOrigin: r.tokenOrigin,
    signal: r.signal,
    timeoutMs: r.timeoutMs,
    onRedirect: (hop, _next, h) => {
      // The hub announces the file's identity on its redirect to the CDN: if it is not the file
      // the partial came from, do not ask the CDN for a range of it.
      const linked = normalizeEtag(hop.headers['x-linked-etag']);
      if (h.range !== undefined && linked !== undefined && side?.etag !== undefined && linked !== side.etag) {
        delete h.range;
        delete h['if-range'];
      }
    },
  });

  try {
    const told = describe(res, r.tokenOrigin);
    const meta: FileMeta = { ...told, etag: told.etag ?? r.expected?.etag };
    if (res.status === 416) throw new RestartFromZero('the server refused the resume range (HTTP 416)');
    if (res.status !== 200 && res.status !== 206) {
      throw statusError(r.file, res.url, res.status, res.headers, r);
    }

    let total = meta.size;
    if (res.status === 206) {
      const range = parseContentRange(res.headers);
      if (have === 0 || range === undefined || range.start !== have) {
        throw new RestartFromZero(`the server answered a different range (${String(res.headers['content-range'])})`);
      }
      if (meta.etag !== undefined && side?.etag !== undefined && meta.etag !== side.etag) {
        throw new RestartFromZero('the file changed on the hub since the partial download');
      }
      if (total !== undefined && range.total !== undefined && total !== range.total) {
        throw new RestartFromZero(`the announced size ${total} and the range total ${range.total} differ`);
      }
      total ??= range.total;
    } else {
      have = 0; // range ignored, If-Range mismatch, or no partial: start from zero
      total ??= contentLength(res.headers) ?? r.expected?.size;
    }

    await fsp.mkdir(path.dirname(r.partial), { recursive: true });
    // Old bytes go before the new sidecar is written, so a crash in between cannot pair them.
    if (have === 0) await fsp.rm(r.partial, { force: true });
    await writeSidecar(r.partial, { etag: meta.etag, validator: strongEtag(res.headers.etag) });

    const hash = createHash('sha256');
    if (have > 0) await updateHashFromFile(hash, r.partial, r.signal);
    const resumedFrom = have;
    const received = await streamToFile(r, res, hash, have, total);

    const sha256 = hash.digest('hex');
    const checksum = checksumFromEtag(meta.etag);
    let actual: string | undefined;
    if (checksum?.kind === 'sha256') actual = sha256;
    else if (checksum?.kind === 'git-sha1') actual = await gitBlobSha1OfFile(r.partial, received, r.signal);
    if (checksum !== undefined && actual !== checksum.hex) {
      await discardPartial(r.partial);
      if (resumedFrom > 0) throw new RestartFromZero(`the resumed file did not match its ${checksum.kind}`);
      throw integrityError(r, res.url, `${checksum.kind} is ${actual} but the hub announced ${checksum.hex}`);
    }

    await fsp.mkdir(path.dirname(r.dest), { recursive: true });
    await fsp.rename(r.partial, r.dest);
    await fsp.rm(sidecarPath(r.partial), { force: true });
    return {
      file: r.file,
      size: received,
      sha256,
      etag: meta.etag,
      commit: meta.commit,
      verified: checksum?.kind ?? 'size-only',
      resumedFrom,
    };
  } finally {
    res.body.destroy();
  }
}

/** What the hub says about the file, from the redirect that announced it or the final response. */
export interface FileMeta {
  /** identity ETag: X-Linked-Etag, else the ETag of a response from the hub's own origin */
  readonly etag: string | undefined;
  /** X-Linked-Size, else (for a 200) Content-Length */
  readonly size: number | undefined;
  readonly commit: string | undefined;
}

export function describe(res: Pick<OpenResponse, 'hops' | 'url' | 'status' | 'headers'>, hubOrigin: string): FileMeta {
  const all: Headers[] = [...res.hops.map((h) => h.headers), res.headers];
  const first = (name: string): string | undefined => {
    for (const h of all) {
      const v = h[name];
      const s = Array.isArray(v) ? v[0] : v;
      if (s !== undefined && s !== '') return s;
    }
    return undefined;
  };
  const linkedEtag = normalizeEtag(first('x-linked-etag'));
  const ownEtag = new URL(res.url).origin === hubOrigin ? normalizeEtag(res.headers.etag) : undefined;
  const linkedSize = first('x-linked-size');
  const size = linkedSize !== undefined ? toSize(linkedSize) : res.status === 200 ? contentLength(res.headers) : undefined;
  const commit = first('x-repo-commit')?.trim().toLowerCase();
  return { etag: linkedEtag ?? ownEtag, size, commit: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : undefined };
}

function toSize(s: string): number | undefined {
  return /^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function contentLength(headers: Headers): number | undefined {
  const v = headers['content-length'];
  return typeof v === 'string' ? toSize(v) : undefined;
}

function parseContentRange(headers: Headers): { start: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(headers['content-range'] ?? '').trim());
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

function integrityError(r: FetchFileRequest, url: string, why: string): HubError {
  return new HubError(
    'integrity',
    `${r.file} failed verification: ${why} (from ${url}). The download was deleted; try again, and if it keeps failing the mirror or proxy may be altering files.`,
    { file: r.file, url },
  );
}

export function sidecarPath(partial: string): string {
  return `${partial}.json`;
}

async function readSidecar(partial: string): Promise<Sidecar | undefined> {
  try {
    const raw: unknown = JSON.parse(await fsp.readFile(sidecarPath(partial), 'utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { etag, validator } = raw as Record<string, unknown>;
    return {
      etag: typeof etag === 'string' ? etag : undefined,
      validator: typeof validator === 'string' ? validator : undefined,
    };
  } catch {
    return undefined;
  }
}

async function writeSidecar(partial: string, side: Sidecar): Promise<void> {
  await fsp.writeFile(sidecarPath(partial), JSON.stringify(side));
}

export async function discardPartial(partial: string): Promise<void> {
  await fsp.rm(partial, { force: true });
  await fsp.rm(sidecarPath(partial), { force: true });
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * Appends the body to the partial (or truncates it first when `have` is 0), hashing each chunk and
 * reporting progress only once the chunk is written, so `received` is always what is on disk.
 * Returns the size of the partial.
 */
async function streamToFile(r: FetchFileRequest, res: OpenResponse, hash: Hash, have: number, total: number | undefined): Promise<number> {
  let received = have;
  const limit = total ?? r.maxBytes ?? DEFAULT_MAX_UNANNOUNCED_BYTES;
  const onAbort = (): void => {
    res.body.destroy(abortError(r.file));
  };
  r.signal?.addEventListener('abort', onAbort, { once: true });
  const fh = await fsp.open(r.partial, have > 0 ? 'a' : 'w');
  try {
    r.onProgress?.(received, total);
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (received + chunk.length > limit) {
          await fh.close().catch(() => undefined);
          await discardPartial(r.partial);
          throw integrityError(
            r,
            res.url,
            total !== undefined
              ? `the server sent more than the announced ${total} bytes`
              : `the server announced no size and sent more than ${limit} bytes, the most accepted for a file of unknown size`,
          );
        }
        await fh.write(chunk);
        hash.update(chunk);
        received += chunk.length;
        r.onProgress?.(received, total);
      }
    } catch (e) {
      if (r.signal?.aborted || isAbortError(e)) throw abortError(r.file);
      if (e instanceof HubError) throw e;
      throw networkError(new URL(res.url), r.file, e, received, total);
    }
    if (total !== undefined && received < total) {
      throw networkError(new URL(res.url), r.file, new Error('response ended early'), received, total);
    }
    await fh.sync();
    return received;
  } finally {
    r.signal?.removeEventListener('abort', onAbort);
    await fh.close().catch(() => undefined);
  }
}

/** Waits `ms`, or rejects with an AbortError naming `file` when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(file));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(file));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
