/**
 * The model cache under a root the caller owns (the extension passes its globalStorage):
 *
 *   <root>/models/<org>--<name>/          one folder per repo (`gpt2` for legacy ids)
 *     <commit>/                           a snapshot: the files, then manifest.json written last
 *     .refs/<revision, URI-encoded>       text: the commit a branch or tag resolved to
 *     .partial/<file>.incomplete(.json)   downloads in progress, kept for resuming
 *     .lock                               pid of the process downloading into this repo folder
 *
 * When the hub sends no X-Repo-Commit (some mirrors), the snapshot folder is named by the
 * URI-encoded revision instead. A snapshot counts as cached only when its manifest exists and
 * every file it lists is on disk with the listed size; nothing here touches the network.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { type ModelRef, isCommitSha, parseModelRef } from './modelRef';

export const MANIFEST_NAME = 'manifest.json';

export interface ManifestFile {
  /** repo-relative name, e.g. `model.safetensors` */
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** the hub's identity ETag (sha256 for LFS files, git blob sha1 otherwise), when it sent one */
  readonly etag?: string;
}

export interface CacheManifest {
  readonly format: 1;
  readonly repoId: string;
  /** the revision that was asked for */
  readonly revision: string;
  /** the commit it resolved to (X-Repo-Commit), or null when the hub did not say */
  readonly commit: string | null;
  readonly endpoint: string;
  readonly files: readonly ManifestFile[];
  /** the weight files, in load order: `model.safetensors`, or the shards of the index */
  readonly weights: readonly string[];
  /** `vocab.json` + `merges.txt`, and/or `tokenizer.json` */
  readonly tokenizer: readonly string[];
  /** ISO 8601 */
  readonly downloadedAt: string;
}

export interface CachedModel {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string | null;
  /** the folder holding config.json, the weights and the tokenizer */
  readonly folder: string;
  readonly manifest: CacheManifest;
  readonly totalBytes: number;
  /** the revisions (branches, tags) recorded as resolving to this snapshot */
  readonly revisions: readonly string[];
}

export function modelsDir(cacheRoot: string): string {
  return path.join(cacheRoot, 'models');
}

/** `org/name` → `org--name` (the hub forbids `--` inside ids, so this is reversible). */
export function repoFolderName(repoId: string): string {
  return repoId.replace('/', '--');
}

export function repoDir(cacheRoot: string, repoId: string): string {
  return path.join(modelsDir(cacheRoot), repoFolderName(repoId));
}

/** The snapshot folder for a commit, or for a revision when no commit is known. */
export function snapshotDir(cacheRoot: string, repoId: string, commitOrRevision: string): string {
  return path.join(repoDir(cacheRoot, repoId), encodeURIComponent(commitOrRevision));
}

export function partialPath(cacheRoot: string, repoId: string, file: string): string {
  return path.join(repoDir(cacheRoot, repoId), '.partial', `${encodeURIComponent(file)}.incomplete`);
}

function refPath(cacheRoot: string, repoId: string, revision: string): string {
  return path.join(repoDir(cacheRoot, repoId), '.refs', encodeURIComponent(revision));
}

/** Writes `data` to a temporary sibling and renames it over `file`. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

export async function writeRef(cacheRoot: string, repoId: string, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  await writeFileAtomic(refPath(cacheRoot, repoId, revision), `${commit}\n`);
}

async function readRef(cacheRoot: string, repoId: string, revision: string): Promise<string | undefined> {
  try {
    const commit = (await fsp.readFile(refPath(cacheRoot, repoId, revision), 'utf8')).trim();
    return isCommitSha(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

async function readRefs(cacheRoot: string, repoId: string): Promise<Map<string, string[]>> {
  const byCommit = new Map<string, string[]>();
  let names: string[];
  try {
    names = await fsp.readdir(path.join(repoDir(cacheRoot, repoId), '.refs'));
  } catch {
    return byCommit;
  }
  for (const name of names) {
    let revision: string;
    try {
      revision = decodeURIComponent(name);
    } catch {
      continue;
    }
    const commit = await readRef(cacheRoot, repoId, revision);
    if (commit !== undefined) byCommit.set(commit, [...(byCommit.get(commit) ?? []), revision]);
  }
  return byCommit;
}

export async function writeManifest(folder: string, manifest: CacheManifest): Promise<void> {
  await writeFileAtomic(path.join(folder, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of a snapshot folder when it parses and every listed file is present at its size. */
export async function readCompleteManifest(folder: string): Promise<CacheManifest | undefined> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await fsp.readFile(path.join(folder, MANIFEST_NAME), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isManifest(manifest)) return undefined;
  for (const f of manifest.files) {
    try {
      const st = await fsp.stat(path.join(folder, f.name));
      if (!st.isFile() || st.size !== f.size) return undefined;
    } catch {
      return undefined;
    }
  }
  return manifest;
}

function isManifest(m: unknown): m is CacheManifest {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  return (
    o.format === 1 &&
    typeof o.repoId === 'string' &&
    typeof o.revision === 'string' &&
    (o.commit === null || typeof o.commit === 'string') &&
    typeof o.endpoint === 'string' &&
    typeof o.downloadedAt === 'string' &&
    strings(o.weights) &&
    strings(o.tokenizer) &&
    Array.isArray(o.files) &&
    o.files.every((f: unknown) => {
      const x = f as Record<string, unknown> | null;
      return typeof x === 'object' && x !== null && isSafeRelativePath(x.name) && typeof x.size === 'number' && typeof x.sha256 === 'string';
    })
  );
}

/** A repo-relative file name that stays inside its folder: no absolute path, no `..`, no backslash. */
export function isSafeRelativePath(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    !name.includes('\\') &&
    !/[\x00-\x1f]/.test(name) &&
    name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !/^[A-Za-z]:/.test(seg))
  );
}

function toCachedModel(folder: string, manifest: CacheManifest, revisions: readonly string[]): CachedModel {
  return {
    repoId: manifest.repoId,
    revision: manifest.revision,
    commit: manifest.commit,
    folder,
    manifest,
    totalBytes: manifest.files.reduce((n, f) => n + f.size, 0),
    revisions,
  };
}

/** Every complete cached snapshot, sorted by repo id then newest first. No network. */
export async function listCachedModels(cacheRoot: string): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  let repos: string[];
  try {
    repos = await fsp.readdir(modelsDir(cacheRoot));
  } catch {
    return out;
  }
  for (const repo of repos) {
    if (repo.startsWith('.')) continue;
    const dir = path.join(modelsDir(cacheRoot), repo);
    let snapshots: string[];
    try {
      snapshots = await fsp.readdir(dir);
    } catch {
      continue;
    }
    for (const snap of snapshots) {
      if (snap.startsWith('.')) continue;
      const folder = path.join(dir, snap);
      const manifest = await readCompleteManifest(folder);
      if (manifest === undefined || repoFolderName(manifest.repoId) !== repo) continue;
      const refs = manifest.commit === null ? new Map<string, string[]>() : await readRefs(cacheRoot, manifest.repoId);
      const revisions = manifest.commit === null ? [manifest.revision] : (refs.get(manifest.commit) ?? []);
      out.push(toCachedModel(folder, manifest, revisions));
    }
  }
  return out.sort((a, b) => (a.repoId === b.repoId ? b.manifest.downloadedAt.localeCompare(a.manifest.downloadedAt) : a.repoId.localeCompare(b.repoId)));
}

/**
 * The cached snapshot for a reference, without network: a commit sha names its snapshot; a branch
 * or tag goes through the commit it last resolved to. Undefined when not (completely) cached.
 */
export async function findCachedModel(cacheRoot: string, ref: string | ModelRef, revision?: string): Promise<CachedModel | undefined> {
  const r = typeof ref === 'string' ? parseModelRef(ref, revision) : ref;
  const candidates: string[] = [];
  if (isCommitSha(r.revision)) candidates.push(r.revision);
  const commit = await readRef(cacheRoot, r.repoId, r.revision);
  if (commit !== undefined) candidates.push(commit);
  candidates.push(r.revision); // a snapshot named by revision (hub without X-Repo-Commit)
  for (const key of candidates) {
    const folder = snapshotDir(cacheRoot, r.repoId, key);
    const manifest = await readCompleteManifest(folder);
    if (manifest === undefined || manifest.repoId !== r.repoId) continue;
    const revisions = manifest.commit === null ? [manifest.revision] : ((await readRefs(cacheRoot, r.repoId)).get(manifest.commit) ?? []);
    return toCachedModel(folder, manifest, revisions);
  }
  return undefined;
}
