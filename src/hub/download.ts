/**
 * downloadModel: fetch what a GPT-2 checkpoint needs from the hub into the cache.
 *
 * 1. HEAD config.json to resolve the revision to a commit (X-Repo-Commit); if that snapshot is
 *    already complete, return it.
 * 2. HEAD the candidates: model.safetensors, else model.safetensors.index.json and its shards.
 *    A repo with only pytorch_model.bin is refused (unpickling runs code). Tokenizer: vocab.json +
 *    merges.txt and/or tokenizer.json; one layout must exist, 404 on the others is fine.
 * 3. Download each file (resumable, verified, atomic; see fetchFile), pinned to the commit so all
 *    files come from the same revision, then write manifest.json last.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import {
  type CacheManifest,
  type ManifestFile,
  MANIFEST_NAME,
  findCachedModel,
  partialPath,
  readCompleteManifest,
  repoDir,
  snapshotDir,
  writeFileAtomic,
  writeManifest,
  writeRef,
} from './cache';
import { checksumFromEtag, gitBlobSha1OfFile, sha256OfFile } from './checksum';
import { originOf, resolveEndpoint, resolveToken, resolveUrl } from './endpoint';
import { HubError, abortError, isAbortError, isRetryable, retryDelay } from './errors';
import { describe, fetchFile, sleep } from './fetchFile';
import { openUrl, statusError } from './http';
import { VerifiedBlobs, findHfSnapshot, hfRepoFolderName, snapshotFiles, verifySnapshot } from './hfCache';
import { acquireLock } from './lock';
import { type ModelRef, formatModelRef, isCommitSha, parseModelRef } from './modelRef';
import { shardFileProblem } from '../model/checkpoint/shardFileName';
import { errorMessage } from '../shared/errors';

export interface DownloadOptions {
  /** the cache root (the extension's globalStorage); models go under `<root>/models/` unless `hfCache` is set */
  readonly cacheRoot: string;
  /**
   * A Hugging Face cache folder (see hfCache.ts): when set, files go there in huggingface_hub's
   * layout (blobs, snapshots/<commit> links, refs), shared with Python tools, and blobs already
   * there are reused after checking them. A hub that sends no commit (X-Repo-Commit) falls back to
   * `cacheRoot`, since that layout needs one.
   */
  readonly hfCache?: string;
  /** where checked blobs are remembered (default: `<cacheRoot>/verified-blobs.json`) */
  readonly verifiedBlobs?: VerifiedBlobs;
  /** Hugging Face token (a setting); empty or absent falls back to HF_TOKEN */
  readonly token?: string;
  /** hub base URL (a setting); empty or absent falls back to HF_ENDPOINT, then https://huggingface.co */
  readonly endpoint?: string;
  /** revision when `ref` is a string without `@revision`; default `main` */
  readonly revision?: string;
  /** cancels the download: the call rejects with an AbortError and no file is left at a final path */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** automatic retries per request after a dropped connection or a 5xx/429; default 3 */
  readonly retries?: number;
  /** first retry delay in ms, doubled each time; default 1000 */
  readonly retryDelayMs?: number;
  /** idle socket timeout in ms; default 60000 */
  readonly timeoutMs?: number;
  /** the most bytes accepted for a file whose size the hub does not announce; default 256 MiB (64 GiB for .safetensors) */
  readonly maxUnannouncedBytes?: number;
  /** environment for HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE; default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface DownloadProgress {
  readonly file: string;
  /** bytes of `file` on disk so far, a resumed part included */
  readonly received: number;
  /** size of `file` when announced */
  readonly total: number | undefined;
  /** 0-based position of `file` among the files to fetch */
  readonly fileIndex: number;
  readonly fileCount: number;
  readonly overallReceived: number;
  /** sum of all announced sizes; undefined when one is unknown */
  readonly overallTotal: number | undefined;
}

export interface DownloadResult {
  /** the snapshot folder: config.json, weights, tokenizer files and manifest.json */
  readonly folder: string;
  readonly manifest: CacheManifest;
  /** true when nothing had to be downloaded */
  readonly fromCache: boolean;
}

interface Context {
  readonly ref: ModelRef;
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly tokenOrigin: string;
  readonly o: DownloadOptions;
  /** the commit when known, else the revision: every URL uses it */
  pinned: string;
  /** true when `pinned` is a commit, so files already in its snapshot cannot be stale */
  immutable: boolean;
  /** set when downloading into a Hugging Face cache: its repo folder, and the checked-blob store */
  hf?: { readonly repoFolder: string; readonly store: VerifiedBlobs };
}

export interface Probe {
  readonly file: string;
  readonly url: string;
  readonly exists: boolean;
  readonly size?: number;
  readonly etag?: string;
  readonly commit?: string;
}

export const CONFIG_FILE = 'config.json';
export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
export const PICKLE_FILES = ['pytorch_model.bin', 'pytorch_model.bin.index.json'] as const;
export const BPE_TOKENIZER_FILES = ['vocab.json', 'merges.txt'] as const;
export const TOKENIZER_JSON_FILE = 'tokenizer.json';

const MAX_UNANNOUNCED_WEIGHTS_BYTES = 64 * 1024 ** 3;

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

/** Downloads (or finds in the cache) a GPT-2 model and returns its snapshot folder. */
export async function downloadModel(ref: string | ModelRef, o: DownloadOptions): Promise<DownloadResult> {
  const env = o.env ?? process.env;
  const r = typeof ref === 'string' ? parseModelRef(ref, o.revision) : ref;
  const label = formatModelRef(r);
  if (TRUTHY.has((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase())) {
    const cached = await findCachedModel(o.cacheRoot, r);
    if (cached) return { folder: cached.folder, manifest: cached.manifest, fromCache: true };
    const hf = o.hfCache === undefined ? undefined : await findHfSnapshot(r, [o.hfCache]);
    if (hf?.kind === 'found') {
      await verifySnapshot(hf.model.folder, hf.model.files.present, o.verifiedBlobs ?? defaultStore(o), o.signal);
      return {
        folder: hf.model.folder,
        manifest: hfManifest(
          r,
          '',
          hf.model.commit,
          hf.model.files.present.map((name) => ({ name, size: 0, sha256: '' })),
          hf.model.files,
        ),
        fromCache: true,
      };
    }
    throw new HubError('offline', `HF_HUB_OFFLINE is set and ${label} is not in the cache (${o.cacheRoot}); unset it to download.`);
  }
  const endpoint = resolveEndpoint(o.endpoint, env);
  const ctx: Context = {
    ref: r,
    endpoint,
    token: resolveToken(o.token, env),
    tokenOrigin: originOf(endpoint),
    o,
    pinned: r.revision,
    immutable: false,
  };

  const lockFile =
    o.hfCache !== undefined
      ? path.join(o.hfCache, '.locks', hfRepoFolderName(r.repoId), 'circuit-inspector.lock')
      : path.join(repoDir(o.cacheRoot, r.repoId), '.lock');
  const lock = await acquireLock(lockFile, label);
  try {
    return await downloadLocked(ctx, label);
  } finally {
    await lock.release();
  }
}

async function downloadLocked(ctx: Context, label: string): Promise<DownloadResult> {
  const { ref: r, o } = ctx;
  const config = await probe(ctx, CONFIG_FILE);
  if (!config.exists) {
    throw new HubError(
      'not-found',
      `${CONFIG_FILE}: not found (HTTP 404) at ${config.url}. ${label} is not a transformers model repo at this revision; check the model id and revision.`,
      { file: CONFIG_FILE, url: config.url, status: 404 },
    );
  }
  const commit = config.commit ?? null;
  ctx.pinned = commit ?? r.revision;
  ctx.immutable = commit !== null || isCommitSha(r.revision);
  if (o.hfCache !== undefined && commit !== null) {
    ctx.hf = { repoFolder: path.join(o.hfCache, hfRepoFolderName(r.repoId)), store: o.verifiedBlobs ?? defaultStore(o) };
  }
  const folder = ctx.hf ? path.join(ctx.hf.repoFolder, 'snapshots', ctx.pinned) : snapshotDir(o.cacheRoot, r.repoId, ctx.pinned);

  if (ctx.hf && commit !== null) {
    const have = await snapshotFiles(folder);
    if (have.missing.length === 0) {
      const checked = await verifySnapshot(folder, have.present, ctx.hf.store, o.signal).then(
        () => true,
        (e: unknown) => {
          if (isAbortError(e)) throw abortError();
          return false; // a damaged blob: download again below, which replaces it
        },
      );
      if (checked) {
        await writeHfRef(ctx.hf.repoFolder, r.revision, commit);
        const files = await Promise.all(have.present.map(async (name) => ({ name, size: (await fsp.stat(path.join(folder, name))).size, sha256: '' })));
        return { folder, manifest: hfManifest(r, ctx.endpoint, commit, files, have), fromCache: true };
      }
    }
  } else if (commit !== null) {
    const cached = await readCompleteManifest(folder);
    if (cached !== undefined && cached.repoId === r.repoId) {
      await writeRef(o.cacheRoot, r.repoId, r.revision, commit);
      return { folder, manifest: cached, fromCache: true };
    }
  } else {
    // Named by revision: its files may be replaced, so it is not complete until the new manifest.
    await fsp.rm(path.join(folder, MANIFEST_NAME), { force: true });
  }

  // Weights
  let weightsProbe: Probe[];
  let index: Probe | undefined;
  const single = await probe(ctx, SAFETENSORS_FILE);
  if (single.exists) {
    weightsProbe = [single];
  } else {
    index = await probe(ctx, SAFETENSORS_INDEX_FILE);
    if (!index.exists) throw await noSafetensorsError(ctx, label, single.url);
    weightsProbe = [];
  }

  // Tokenizer
  const tokProbes = await Promise.all([...BPE_TOKENIZER_FILES, TOKENIZER_JSON_FILE].map((f) => probe(ctx, f)));
  const [vocab, merges, tokJson] = tokProbes;
  const tokenizer = [...(vocab.exists && merges.exists ? [vocab, merges] : []), ...(tokJson.exists ? [tokJson] : [])];
  if (tokenizer.length === 0) {
    const found = tokProbes.filter((p) => p.exists).map((p) => p.file);
    throw new HubError(
      'no-tokenizer',
      `${label} has no tokenizer: neither vocab.json + merges.txt nor tokenizer.json exists at ${ctx.endpoint}/${r.repoId}/resolve/${ctx.pinned}/` +
        (found.length > 0 ? ` (found only ${found.join(', ')}).` : '.'),
      { file: TOKENIZER_JSON_FILE, url: tokJson.url },
    );
  }

  const done: ManifestFile[] = [];
  const first = [config, ...(index ? [index] : [])];
  let plan: Probe[] = [...first, ...weightsProbe, ...tokenizer];
  const progress = new Progress(ctx, plan);
  for (const p of first) done.push(await fetchInto(ctx, folder, p, progress));

  let weights = weightsProbe.map((p) => p.file);
  if (index) {
    weights = await readShardList(path.join(folder, SAFETENSORS_INDEX_FILE), index.url);
    const shards = await Promise.all(weights.map((f) => probe(ctx, f)));
    const missing = shards.find((s) => !s.exists);
    if (missing) {
      throw new HubError('not-found', `${missing.file}: not found (HTTP 404) at ${missing.url}, though ${SAFETENSORS_INDEX_FILE} lists it.`, {
        file: missing.file,
        url: missing.url,
        status: 404,
      });
    }
    plan = [...first, ...shards, ...tokenizer];
    progress.replan(plan);
  }
  for (const p of plan.slice(first.length)) done.push(await fetchInto(ctx, folder, p, progress));

  if (ctx.hf && commit !== null) {
    await writeHfRef(ctx.hf.repoFolder, r.revision, commit);
    return { folder, manifest: hfManifest(r, ctx.endpoint, commit, done, { weights, tokenizer: tokenizer.map((p) => p.file) }), fromCache: false };
  }
  const manifest: CacheManifest = {
    format: 1,
    repoId: r.repoId,
    revision: r.revision,
    commit,
    endpoint: ctx.endpoint,
    files: done,
    weights,
    tokenizer: tokenizer.map((p) => p.file),
    downloadedAt: new Date().toISOString(),
  };
  await writeManifest(folder, manifest);
  if (commit !== null) await writeRef(o.cacheRoot, r.repoId, r.revision, commit);
  return { folder, manifest, fromCache: false };
}

async function fetchInto(ctx: Context, folder: string, p: Probe, progress: Progress): Promise<ManifestFile> {
  if (ctx.hf) return fetchIntoHf(ctx, ctx.hf, folder, p, progress);
  const dest = path.join(folder, ...p.file.split('/'));
  // A file already in a commit's snapshot was verified before it was renamed there; reuse it.
  if (ctx.immutable) {
    const st = await fsp.stat(dest).catch(() => undefined);
    if (st?.isFile() && (p.size === undefined || st.size === p.size)) {
      const sha256 = await sha256OfFile(dest, ctx.o.signal).catch((e: unknown) => {
        throw isAbortError(e) ? abortError(p.file) : e;
      });
      progress.report(p.file, st.size, st.size);
      return { name: p.file, size: st.size, sha256, ...(p.etag ? { etag: p.etag } : {}) };
    }
  }
  const got = await fetchFile(fetchRequest(ctx, p, progress, dest, partialPath(ctx.o.cacheRoot, ctx.ref.repoId, p.file)));
  return { name: p.file, size: got.size, sha256: got.sha256, ...(got.etag ? { etag: got.etag } : {}) };
}

/** What fetchFile needs for one probed file of the repo, written to `dest` by way of `partial`. */
function fetchRequest(ctx: Context, p: Probe, progress: Progress, dest: string, partial: string): Parameters<typeof fetchFile>[0] {
  return {
    url: resolveUrl(ctx.endpoint, ctx.ref.repoId, ctx.pinned, p.file),
    file: p.file,
    dest,
    partial,
    token: ctx.token,
    tokenOrigin: ctx.tokenOrigin,
    signal: ctx.o.signal,
    timeoutMs: ctx.o.timeoutMs,
    retries: ctx.o.retries,
    retryDelayMs: ctx.o.retryDelayMs,
    expected: { size: p.size, etag: p.etag },
    maxBytes: ctx.o.maxUnannouncedBytes ?? (p.file.endsWith('.safetensors') ? MAX_UNANNOUNCED_WEIGHTS_BYTES : undefined),
    onProgress: (received, total) => progress.report(p.file, received, total),
  };
}

/**
 * One file into a Hugging Face cache: the blob `blobs/<etag>` (reused when it is there and matches
 * its name, else downloaded and checked), then the snapshot link to it (a copy where links fail).
 */
async function fetchIntoHf(ctx: Context, hf: NonNullable<Context['hf']>, folder: string, p: Probe, progress: Progress): Promise<ManifestFile> {
  const blobs = path.join(hf.repoFolder, 'blobs');
  const link = path.join(folder, ...p.file.split('/'));
  const named = checksumFromEtag(p.etag);
  const rethrow = (e: unknown): never => {
    throw isAbortError(e) ? abortError(p.file) : e;
  };
  if (named !== undefined) {
    const blob = path.join(blobs, named.hex);
    const st = await fsp.stat(blob).catch(() => undefined);
    if (st?.isFile() && (p.size === undefined || st.size === p.size)) {
      const stamp = `${st.size}:${Math.round(st.mtimeMs)}:${named.hex}`;
      let ok = await hf.store.has(blob, stamp);
      if (!ok) {
        const actual =
          named.kind === 'sha256' ? await sha256OfFile(blob, ctx.o.signal).catch(rethrow) : await gitBlobSha1OfFile(blob, st.size, ctx.o.signal).catch(rethrow);
        ok = actual === named.hex;
        if (ok) await hf.store.add(blob, stamp);
      }
      if (ok) {
        await linkIntoSnapshot(blob, link);
        progress.report(p.file, st.size, st.size);
        const sha256 = named.kind === 'sha256' ? named.hex : await sha256OfFile(blob, ctx.o.signal).catch(rethrow);
        return { name: p.file, size: st.size, sha256, etag: named.hex };
      }
    }
  }
  const partialName = named?.hex ?? `${encodeURIComponent(p.file)}.${ctx.pinned}`;
  const dest = path.join(blobs, named?.hex ?? `${partialName}.download`);
  const got = await fetchFile(fetchRequest(ctx, p, progress, dest, path.join(blobs, `${partialName}.circuit-inspector.incomplete`)));
  let blob = dest;
  if (named === undefined) {
    // No identity from the hub: name the blob by its sha256 (huggingface_hub would refuse such a file).
    blob = path.join(blobs, got.etag ?? got.sha256);
    await fsp.rename(dest, blob);
  }
  if (got.verified !== 'size-only' && named !== undefined) {
    const st = await fsp.stat(blob);
    await hf.store.add(blob, `${st.size}:${Math.round(st.mtimeMs)}:${named.hex}`);
  }
  await linkIntoSnapshot(blob, link);
  return { name: p.file, size: got.size, sha256: got.sha256, ...(got.etag ? { etag: got.etag } : {}) };
}

/** `snapshots/<commit>/<file>` → a relative link to its blob, as huggingface_hub makes it; a copy where links are refused. */
async function linkIntoSnapshot(blob: string, link: string): Promise<void> {
  await fsp.mkdir(path.dirname(link), { recursive: true });
  const target = path.relative(path.dirname(link), blob);
  const current = await fsp.readlink(link).catch(() => undefined);
  if (current === target) return;
  const tmp = `${link}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fsp.symlink(target, tmp);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    await fsp.copyFile(blob, tmp);
  }
  await fsp.rename(tmp, link);
}

async function writeHfRef(repoFolder: string, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  await writeFileAtomic(path.join(repoFolder, 'refs', ...revision.split('/')), commit);
}

function hfManifest(
  r: ModelRef,
  endpoint: string,
  commit: string,
  files: ManifestFile[],
  layout: { weights: readonly string[]; tokenizer: readonly string[] },
): CacheManifest {
  return {
    format: 1,
    repoId: r.repoId,
    revision: r.revision,
    commit,
    endpoint,
    files,
    weights: layout.weights,
    tokenizer: layout.tokenizer,
    downloadedAt: new Date().toISOString(),
  };
}

function defaultStore(o: DownloadOptions): VerifiedBlobs {
  return new VerifiedBlobs(path.join(o.cacheRoot, 'verified-blobs.json'));
}

/** What `probe` reads from a download's context (exported for the SAE downloader, which probes its own files). */
export type ProbeContext = Pick<Context, 'ref' | 'pinned' | 'endpoint' | 'token' | 'tokenOrigin'> & {
  readonly o: Pick<DownloadOptions, 'signal' | 'timeoutMs' | 'retries' | 'retryDelayMs'>;
};

/** Existence and metadata of one file, by HEAD; redirects to another host (the CDN) are not followed. */
export async function probe(ctx: ProbeContext, file: string): Promise<Probe> {
  const url = resolveUrl(ctx.endpoint, ctx.ref.repoId, ctx.pinned, file);
  const retries = ctx.o.retries ?? 3;
  for (let failures = 0; ; failures++) {
    try {
      const res = await openUrl({
        method: 'HEAD',
        url,
        file,
        token: ctx.token,
        tokenOrigin: ctx.tokenOrigin,
        signal: ctx.o.signal,
        timeoutMs: ctx.o.timeoutMs,
        followRedirect: (from, to) => from.origin === to.origin,
      });
      res.body.resume();
      const code = res.headers['x-error-code'];
      if (res.status === 404 && code !== 'RepoNotFound' && code !== 'RevisionNotFound') return { file, url, exists: false };
      if (res.status === 200 || (res.status >= 300 && res.status < 400)) {
        const meta = describe(res, ctx.tokenOrigin);
        return { file, url, exists: true, size: meta.size, etag: meta.etag, commit: meta.commit };
      }
      throw statusError(file, res.url, res.status, res.headers, ctx);
    } catch (e) {
      if (ctx.o.signal?.aborted || isAbortError(e)) throw abortError(file);
      if (!isRetryable(e) || failures >= retries) throw e;
      await sleep(retryDelay(e, failures, ctx.o.retryDelayMs ?? 1000), ctx.o.signal, file);
    }
  }
}

async function noSafetensorsError(ctx: Context, label: string, url: string): Promise<HubError> {
  for (const file of PICKLE_FILES) {
    const p = await probe(ctx, file);
    if (p.exists) {
      return new HubError(
        'pickle-only',
        `${label} has no ${SAFETENSORS_FILE}, only ${file} (a PyTorch pickle checkpoint, at ${p.url}). ` +
          'Circuit Inspector refuses pickle checkpoints because unpickling runs arbitrary code. ' +
          'Look for a revision with safetensors weights (conversion PRs are often at refs/pr/N), or convert it with a tool you trust and open the folder locally.',
        { file, url: p.url },
      );
    }
  }
  return new HubError(
    'no-weights',
    `${label} has no weights we can load: neither ${SAFETENSORS_FILE} (${url}) nor ${SAFETENSORS_INDEX_FILE} exists at this revision.`,
    { file: SAFETENSORS_FILE, url, status: 404 },
  );
}

/** The shard files named by a safetensors index, in order of first appearance, each checked to stay inside the folder. */
export async function readShardList(indexPath: string, url: string): Promise<string[]> {
  const bad = (why: string): HubError =>
    new HubError('bad-index', `${SAFETENSORS_INDEX_FILE} (from ${url}) is not a usable index: ${why}.`, {
      file: SAFETENSORS_INDEX_FILE,
      url,
    });
  let raw: unknown;
  try {
    raw = JSON.parse(await fsp.readFile(indexPath, 'utf8'));
  } catch (e) {
    throw bad(`it is not JSON (${errorMessage(e)})`);
  }
  const map = (raw as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('it has no "weight_map" object');
  const shards: string[] = [];
  for (const [tensor, file] of Object.entries(map) as [string, unknown][]) {
    const problem = shardFileProblem(file);
    if (problem !== undefined) {
      throw bad(`tensor "${tensor}" maps to ${JSON.stringify(file)}: ${problem}`);
    }
    if (!shards.includes(file as string)) shards.push(file as string);
  }
  if (shards.length === 0) throw bad('its weight_map is empty');
  return shards;
}

/** Turns per-file byte counts into DownloadProgress events with overall totals. */
class Progress {
  private received = new Map<string, number>();
  private plan: readonly Probe[];

  constructor(
    private readonly ctx: Context,
    plan: readonly Probe[],
  ) {
    this.plan = plan;
  }

  replan(plan: readonly Probe[]): void {
    this.plan = plan;
  }

  report(file: string, received: number, total: number | undefined): void {
    const cb = this.ctx.o.onProgress;
    if (cb === undefined) return;
    this.received.set(file, received);
    const sizes = this.plan.map((p) => p.size);
    const overallTotal = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
    let overallReceived = 0;
    for (const n of this.received.values()) overallReceived += n;
    cb({
      file,
      received,
      total,
      fileIndex: this.plan.findIndex((p) => p.file === file),
      fileCount: this.plan.length,
      overallReceived,
      overallTotal,
    });
  }
}
