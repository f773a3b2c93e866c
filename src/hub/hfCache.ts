/**
 * The user's Hugging Face cache, as huggingface_hub (transformers, TransformerLens) writes it:
 *
 *   <cache>/models--<org>--<name>/            `models--gpt2` for legacy ids
 *     refs/<revision>                         text: the commit a branch or tag resolved to (no newline)
 *     snapshots/<commit>/<file>               relative symlinks to ../../blobs/<id> (copies on
 *                                             Windows without symlink rights)
 *     blobs/<id>                              the content; <id> is the sha256 for LFS files
 *                                             (weights), the git blob sha1 for the others
 *
 * <cache> is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
 * ~/.cache/huggingface/hub. Reading is read-only. "Verified" means each snapshot file that links
 * to a blob named by a checksum was hashed and matches its name; the result is remembered (per
 * blob path, size and mtime) in a small file in our own storage, so a model is hashed once, not on
 * every load. A file that is a plain copy (no link, no name to check) is used unverified.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './cache';
import { checksumFromEtag, gitBlobSha1OfFile, sha256OfFile } from './checksum';
import { HubError } from './errors';
import { type ModelRef, isCommitSha, revisionProblem } from './modelRef';
import { shardFileProblem } from '../model/checkpoint/shardFileName';

type Env = Readonly<Record<string, string | undefined>>;

/** Legacy hub ids and the repos they are now an alias of; both folder names are looked up. */
export const HUB_ALIASES: Readonly<Record<string, string>> = {
  gpt2: 'openai-community/gpt2',
  'gpt2-medium': 'openai-community/gpt2-medium',
  'gpt2-large': 'openai-community/gpt2-large',
  'gpt2-xl': 'openai-community/gpt2-xl',
  distilgpt2: 'distilbert/distilgpt2',
};

/** The cache huggingface_hub uses (downloads go here), then other standard places to look, deduplicated. */
export function hfCacheDirs(env: Env = process.env, home: string = os.homedir()): string[] {
  const xdg = env.XDG_CACHE_HOME?.trim() || path.join(home, '.cache');
  const hfHome = env.HF_HOME?.trim() || path.join(xdg, 'huggingface');
  const candidates = [
    env.HF_HUB_CACHE?.trim() || env.HUGGINGFACE_HUB_CACHE?.trim() || path.join(hfHome, 'hub'),
    path.join(hfHome, 'hub'),
    path.join(home, '.cache', 'huggingface', 'hub'),
  ];
  return [...new Set(candidates.map((c) => path.resolve(c)))];
}

/** `openai-community/gpt2` → `models--openai-community--gpt2`. */
export function hfRepoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

/** The repo ids that name the same repo: the id itself, then its alias either way. */
export function aliasesOf(repoId: string): string[] {
  const out = [repoId];
  const canonical = HUB_ALIASES[repoId];
  if (canonical) out.push(canonical);
  for (const [legacy, target] of Object.entries(HUB_ALIASES)) if (target === repoId) out.push(legacy);
  return out;
}

export interface SnapshotFiles {
  /** required files present in the snapshot, repo-relative */
  readonly present: readonly string[];
  /** what is missing, in words (`model.safetensors`, `vocab.json + merges.txt (or tokenizer.json)`) */
  readonly missing: readonly string[];
  readonly weights: readonly string[];
  readonly tokenizer: readonly string[];
}

export interface HfCachedModel {
  /** the id as its folder names it (`gpt2` or `openai-community/gpt2`) */
  readonly repoId: string;
  readonly commit: string;
  /** branches and tags under refs/ that point at this commit */
  readonly revisions: readonly string[];
  /** the snapshot folder: load from here */
  readonly folder: string;
  readonly cacheDir: string;
  readonly files: SnapshotFiles;
  /** bytes of the required files (blobs followed) */
  readonly totalBytes: number;
}

export type HfLookup =
  | { readonly kind: 'found'; readonly model: HfCachedModel }
  /** a snapshot of this commit exists but lacks files (e.g. only config.json was fetched) */
  | { readonly kind: 'incomplete'; readonly folder: string; readonly commit: string; readonly missing: readonly string[] }
  | { readonly kind: 'none' };

async function isFile(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Which of the files a GPT-2 checkpoint needs are in `folder` (following links), and which are not. */
export async function snapshotFiles(folder: string): Promise<SnapshotFiles> {
  const present: string[] = [];
  const missing: string[] = [];
  const has = async (f: string): Promise<boolean> => {
    const ok = await isFile(path.join(folder, f));
    if (ok) present.push(f);
    return ok;
  };
  if (!(await has('config.json'))) missing.push('config.json');
  let weights: string[] = [];
  if (await has('model.safetensors')) weights = ['model.safetensors'];
  else if (await has('model.safetensors.index.json')) {
    const shards = await shardsOf(path.join(folder, 'model.safetensors.index.json'));
    if (shards === undefined) missing.push('a readable model.safetensors.index.json');
    else {
      weights = shards;
      for (const s of shards) if (!(await has(s))) missing.push(s);
    }
  } else missing.push('model.safetensors');
  let tokenizer: string[] = [];
  const vocab = await isFile(path.join(folder, 'vocab.json'));
  const merges = await isFile(path.join(folder, 'merges.txt'));
  if (vocab && merges) tokenizer = ['vocab.json', 'merges.txt'];
  else if (await isFile(path.join(folder, 'tokenizer.json'))) tokenizer = ['tokenizer.json'];
  else missing.push('vocab.json + merges.txt (or tokenizer.json)');
  present.push(...tokenizer);
  return { present, missing, weights, tokenizer };
}

async function shardsOf(indexPath: string): Promise<string[] | undefined> {
  try {
    const map = (JSON.parse(await fsp.readFile(indexPath, 'utf8')) as { weight_map?: unknown }).weight_map;
    if (typeof map !== 'object' || map === null) return undefined;
    const shards = [...new Set(Object.values(map as Record<string, unknown>))];
    return shards.every((s) => shardFileProblem(s) === undefined) && shards.length > 0 ? (shards as string[]) : undefined;
  } catch {
    return undefined;
  }
}

async function readRefs(repoFolder: string): Promise<Map<string, string[]>> {
  const byCommit = new Map<string, string[]>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const name = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), name);
      else {
        const commit = (await fsp.readFile(path.join(dir, e.name), 'utf8').catch(() => '')).trim();
        if (isCommitSha(commit)) byCommit.set(commit, [...(byCommit.get(commit) ?? []), name]);
      }
    }
  };
  await walk(path.join(repoFolder, 'refs'), '');
  return byCommit;
}

/** The commit `revision` names in a repo folder: a sha as is, a branch or tag through refs/. */
async function commitOf(repoFolder: string, revision: string): Promise<string | undefined> {
  if (isCommitSha(revision)) return revision;
  if (revisionProblem(revision) !== undefined) return undefined;
  const commit = (await fsp.readFile(path.join(repoFolder, 'refs', ...revision.split('/')), 'utf8').catch(() => '')).trim();
  return isCommitSha(commit) ? commit : undefined;
}

async function sizeOf(folder: string, files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) n += (await fsp.stat(path.join(folder, f)).catch(() => ({ size: 0 }))).size;
  return n;
}

/**
 * Looks `ref` up in the caches (every alias folder), without network and without hashing: the
 * first complete snapshot, else the first incomplete one (so a download can fill it in).
 */
export async function findHfSnapshot(ref: ModelRef, cacheDirs: readonly string[]): Promise<HfLookup> {
  let incomplete: HfLookup = { kind: 'none' };
  for (const cacheDir of cacheDirs) {
    for (const repoId of aliasesOf(ref.repoId)) {
      const repoFolder = path.join(cacheDir, hfRepoFolderName(repoId));
      const commit = await commitOf(repoFolder, ref.revision);
      if (commit === undefined) continue;
      const folder = path.join(repoFolder, 'snapshots', commit);
      if (
        !(await fsp.stat(folder).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        continue;
      const files = await snapshotFiles(folder);
      if (files.missing.length > 0) {
        if (incomplete.kind === 'none') incomplete = { kind: 'incomplete', folder, commit, missing: files.missing };
        continue;
      }
      const revisions = (await readRefs(repoFolder)).get(commit) ?? [];
      return { kind: 'found', model: { repoId, commit, revisions, folder, cacheDir, files, totalBytes: await sizeOf(folder, files.present) } };
    }
  }
  return incomplete;
}

/** Every complete snapshot of a GPT-2-family model (config.json `model_type: "gpt2"`) in the caches. */
export async function listHfModels(cacheDirs: readonly string[]): Promise<HfCachedModel[]> {
  const out: HfCachedModel[] = [];
  for (const cacheDir of cacheDirs) {
    const repos = await fsp.readdir(cacheDir).catch(() => [] as string[]);
    for (const repoFolderName of repos.sort()) {
      if (!repoFolderName.startsWith('models--')) continue;
      const repoId = repoFolderName.slice('models--'.length).split('--').join('/');
      const repoFolder = path.join(cacheDir, repoFolderName);
      const refs = await readRefs(repoFolder);
      const snapshots = await fsp.readdir(path.join(repoFolder, 'snapshots')).catch(() => [] as string[]);
      for (const commit of snapshots) {
        if (!isCommitSha(commit)) continue;
        const folder = path.join(repoFolder, 'snapshots', commit);
        if (!(await isGpt2Config(path.join(folder, 'config.json')))) continue;
        const files = await snapshotFiles(folder);
        if (files.missing.length > 0) continue;
        out.push({ repoId, commit, revisions: refs.get(commit) ?? [], folder, cacheDir, files, totalBytes: await sizeOf(folder, files.present) });
      }
    }
  }
  return out;
}

async function isGpt2Config(file: string): Promise<boolean> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > 1024 * 1024) return false;
    return (JSON.parse(await fsp.readFile(file, 'utf8')) as { model_type?: unknown }).model_type === 'gpt2';
  } catch {
    return false;
  }
}

/**
 * Remembers which blobs were hashed and matched their name, keyed by real path, size and mtime,
 * in `<file>` (our own storage). A missing or unreadable file just means hashing again.
 */
export class VerifiedBlobs {
  private entries: Record<string, string> | undefined;

  constructor(readonly file: string | undefined) {}

  private async load(): Promise<Record<string, string>> {
    if (this.entries) return this.entries;
    let raw: unknown = {};
    if (this.file) raw = await fsp.readFile(this.file, 'utf8').then(JSON.parse, () => ({}));
    this.entries = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, string>) : {};
    return this.entries;
  }

  async has(real: string, stamp: string): Promise<boolean> {
    return (await this.load())[real] === stamp;
  }

  async add(real: string, stamp: string): Promise<void> {
    const entries = await this.load();
    entries[real] = stamp;
    if (this.file) await writeFileAtomic(this.file, JSON.stringify(entries)).catch(() => undefined);
  }
}

/**
 * Checks each file of a snapshot whose link names its blob by checksum. Throws an `integrity`
 * HubError naming the file and the blob when one does not match. Returns the files that could not
 * be checked (plain copies, or blobs not named by a checksum).
 */
export async function verifySnapshot(folder: string, files: readonly string[], store: VerifiedBlobs, signal?: AbortSignal): Promise<string[]> {
  const unchecked: string[] = [];
  for (const f of files) {
    const p = path.join(folder, f);
    const lst = await fsp.lstat(p);
    const checksum = lst.isSymbolicLink() ? checksumFromEtag(path.basename(await fsp.readlink(p))) : undefined;
    if (checksum === undefined) {
      unchecked.push(f);
      continue;
    }
    const real = await fsp.realpath(p);
    const st = await fsp.stat(real);
    const stamp = `${st.size}:${Math.round(st.mtimeMs)}:${checksum.hex}`;
    if (await store.has(real, stamp)) continue;
    const actual = checksum.kind === 'sha256' ? await sha256OfFile(real, signal) : await gitBlobSha1OfFile(real, st.size, signal);
    if (actual !== checksum.hex) {
      throw new HubError(
        'integrity',
        `${p} links to the blob ${real}, whose ${checksum.kind} is ${actual}, not the ${checksum.hex} its name says: the file in the Hugging Face cache is damaged. Delete that blob (or the whole ${path.dirname(path.dirname(folder))} folder) and download the model again.`,
        { file: f },
      );
    }
    await store.add(real, stamp);
  }
  return unchecked;
}
