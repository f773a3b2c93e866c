/**
 * downloadSae: fetch one SAELens SAE (a subfolder of a hub repo: cfg.json, sae_weights.safetensors,
 * and sparsity.safetensors when there is one) into the cache, through the model downloader's parts:
 * `probe` (HEAD, commit, checksums), `fetchFile` (resumable, verified, atomic) and the cache lock.
 *
 * Layout: `<cacheRoot>/saes/<org>--<name>/<commit>/<subfolder>/` with `sae-manifest.json` written
 * last (a folder without it is incomplete), partials under `<org>--<name>/.partial/`, and
 * `.refs/<revision>` → commit so an offline run (HF_HUB_OFFLINE) finds the last download of a branch.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SAE_CONFIG_FILE, SAE_SPARSITY_FILE, SAE_WEIGHTS_FILE } from '../model/sae/saeConfig';
import { PICKLE_CONVERSION_HINT } from '../model/sae/loadSae';
import { SaeError } from '../model/sae/saeError';
import { errorMessage } from '../shared/errors';
import { repoFolderName, writeFileAtomic } from './cache';
import { probe, type DownloadOptions, type Probe, type ProbeContext } from './download';
import { originOf, resolveEndpoint, resolveToken, resolveUrl } from './endpoint';
import { HubError, isAbortError } from './errors';
import { fetchFile } from './fetchFile';
import { acquireLock } from './lock';
import { formatModelRef, isCommitSha, parseModelRef } from './modelRef';

export const SAE_MANIFEST = 'sae-manifest.json';
const PICKLE_WEIGHTS = ['sae_weights.pt', 'sae_weights.pth', 'sae_weights.bin'];
const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

export type SaeDownloadOptions = Pick<
  DownloadOptions,
  'cacheRoot' | 'token' | 'endpoint' | 'revision' | 'signal' | 'retries' | 'retryDelayMs' | 'timeoutMs' | 'env' | 'onProgress'
>;

export interface SaeManifest {
  readonly format: 1;
  readonly repoId: string;
  readonly subfolder: string;
  readonly revision: string;
  readonly commit: string | null;
  readonly files: readonly { readonly name: string; readonly size: number; readonly sha256: string }[];
  readonly downloadedAt: string;
}

function saesRepoDir(cacheRoot: string, repoId: string): string {
  return path.join(cacheRoot, 'saes', repoFolderName(repoId));
}

function subfolderProblem(subfolder: string): string | undefined {
  if (subfolder === '') return undefined;
  const parts = subfolder.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'it has an empty, "." or ".." segment';
  if (/[\\\x00-\x1f]/.test(subfolder)) return 'it contains a backslash or a control character';
  return undefined;
}

async function readManifest(folder: string): Promise<SaeManifest | undefined> {
  try {
    const m = JSON.parse(await fsp.readFile(path.join(folder, SAE_MANIFEST), 'utf8')) as SaeManifest;
    for (const f of m.files) {
      const st = await fsp.stat(path.join(folder, f.name));
      if (st.size !== f.size) return undefined;
    }
    return m;
  } catch {
    return undefined;
  }
}

/** Turns the downloader's errors into SaeError 'download' (cancellation passes through as an AbortError). */
function asSaeError(e: unknown): unknown {
  if (isAbortError(e) || e instanceof SaeError) return e;
  const err = new SaeError('download', e instanceof HubError ? e.message : `downloading the SAE failed: ${errorMessage(e)}`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

/**
 * Downloads (or finds in the cache) the SAE in `subfolder` of hub repo `repo` (`owner/name`, or
 * `owner/name@revision`) and returns its local folder, ready for `loadSaeFolder`.
 */
export async function downloadSae(repo: string, subfolder: string, o: SaeDownloadOptions): Promise<string> {
  const env = o.env ?? process.env;
  let ref;
  try {
    ref = parseModelRef(repo, o.revision);
  } catch (e) {
    throw asSaeError(e);
  }
  const sub = subfolder.replace(/^\/+|\/+$/g, '');
  const problem = subfolderProblem(sub);
  if (problem) throw new SaeError('download', `SAE subfolder '${subfolder}' of ${repo} is not usable: ${problem}`);
  const label = `${formatModelRef(ref)}${sub ? `:${sub}` : ''}`;
  const root = saesRepoDir(o.cacheRoot, ref.repoId);
  const refFile = path.join(root, '.refs', encodeURIComponent(ref.revision));
  const folderFor = (pinned: string) => path.join(root, encodeURIComponent(pinned), ...(sub ? sub.split('/') : []));

  if (TRUTHY.has((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase())) {
    const pinned = isCommitSha(ref.revision)
      ? ref.revision
      : await fsp.readFile(refFile, 'utf8').then(
          (s) => s.trim(),
          () => ref.revision,
        );
    const folder = folderFor(pinned);
    if (await readManifest(folder)) return folder;
    throw new SaeError('download', `HF_HUB_OFFLINE is set and the SAE ${label} is not in the cache (${o.cacheRoot}); unset it to download.`);
  }

  const endpoint = resolveEndpoint(o.endpoint, env);
  const ctx: ProbeContext = { ref, pinned: ref.revision, endpoint, token: resolveToken(o.token, env), tokenOrigin: originOf(endpoint), o };
  const file = (name: string) => (sub ? `${sub}/${name}` : name);
  let lock;
  try {
    lock = await acquireLock(path.join(root, '.lock'), label);
  } catch (e) {
    throw asSaeError(e);
  }
  try {
    const cfg = await probe(ctx, file(SAE_CONFIG_FILE));
    if (!cfg.exists) {
      throw new SaeError(
        'not-found',
        `${label}: no ${SAE_CONFIG_FILE} at ${cfg.url}; the subfolder is not an SAELens SAE (check the repo and subfolder names)`,
      );
    }
    const commit = cfg.commit ?? null;
    const pinnedCtx: ProbeContext = { ...ctx, pinned: commit ?? ref.revision };
    const folder = folderFor(pinnedCtx.pinned);
    if (commit !== null) {
      if (await readManifest(folder)) {
        await writeFileAtomic(refFile, commit);
        return folder;
      }
    } else {
      await fsp.rm(path.join(folder, SAE_MANIFEST), { force: true }); // named by a branch: re-fetch
    }

    const weights = await probe(pinnedCtx, file(SAE_WEIGHTS_FILE));
    if (!weights.exists) {
      for (const p of PICKLE_WEIGHTS) {
        const pickle = await probe(pinnedCtx, file(p));
        if (pickle.exists) {
          throw new SaeError(
            'pickle-only',
            `${label} has no ${SAE_WEIGHTS_FILE}, only ${p} (a PyTorch pickle, at ${pickle.url}), which is not loaded; ${PICKLE_CONVERSION_HINT}`,
          );
        }
      }
      throw new SaeError('missing-tensor', `${label} has ${SAE_CONFIG_FILE} but no ${SAE_WEIGHTS_FILE} (${weights.url})`);
    }
    const sparsity = await probe(pinnedCtx, file(SAE_SPARSITY_FILE));
    const plan: Probe[] = [cfg, weights, ...(sparsity.exists ? [sparsity] : [])];
    const sizes = plan.map((p) => p.size);
    const overallTotal = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
    const received = new Map<string, number>();
    const files: { name: string; size: number; sha256: string }[] = [];
    for (const [i, p] of plan.entries()) {
      const name = path.posix.basename(p.file);
      const got = await fetchFile({
        url: resolveUrl(endpoint, ref.repoId, pinnedCtx.pinned, p.file),
        file: p.file,
        dest: path.join(folder, name),
        partial: path.join(root, '.partial', `${encodeURIComponent(`${pinnedCtx.pinned}/${p.file}`)}.incomplete`),
        token: ctx.token,
        tokenOrigin: ctx.tokenOrigin,
        signal: o.signal,
        timeoutMs: o.timeoutMs,
        retries: o.retries,
        retryDelayMs: o.retryDelayMs,
        expected: { size: p.size, etag: p.etag },
        onProgress: (n, total) => {
          received.set(p.file, n);
          let overall = 0;
          for (const v of received.values()) overall += v;
          o.onProgress?.({ file: p.file, received: n, total, fileIndex: i, fileCount: plan.length, overallReceived: overall, overallTotal });
        },
      });
      files.push({ name, size: got.size, sha256: got.sha256 });
    }
    const manifest: SaeManifest = {
      format: 1,
      repoId: ref.repoId,
      subfolder: sub,
      revision: ref.revision,
      commit,
      files,
      downloadedAt: new Date().toISOString(),
    };
    await writeFileAtomic(path.join(folder, SAE_MANIFEST), JSON.stringify(manifest, null, 2));
    if (commit !== null) await writeFileAtomic(refFile, commit);
    return folder;
  } catch (e) {
    throw asSaeError(e);
  } finally {
    await lock.release();
  }
}
