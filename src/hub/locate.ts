/**
 * Finding a hub model on this machine before downloading it: first the user's Hugging Face caches
 * (every alias folder, read-only, following refs/<revision>, checked against the blob names), then
 * the extension's own cache. Used by the extension and the CLI alike.
 */
import { findCachedModel } from './cache';
import { HubError, isAbortError } from './errors';
import { type VerifiedBlobs, findHfSnapshot, verifySnapshot } from './hfCache';
import { type ModelRef, formatModelRef } from './modelRef';

export interface LocateOptions {
  /** Hugging Face caches to look in, in order (hfCacheDirs()) */
  readonly hfCacheDirs: readonly string[];
  /** the extension's own cache root, when there is one */
  readonly cacheRoot?: string;
  readonly verified: VerifiedBlobs;
  readonly signal?: AbortSignal;
}

export interface LocatedModel {
  readonly folder: string;
  readonly where: 'huggingFaceCache' | 'extensionStorage';
  readonly commit: string | null;
  /** snapshot files that could not be checked (plain copies without a checksum name) */
  readonly unchecked: readonly string[];
}

export interface LocateResult {
  readonly found?: LocatedModel;
  /**
   * Why a snapshot that exists was not used, in words (missing files, a damaged blob), e.g.
   * "~/.cache/huggingface/hub/models--gpt2/snapshots/abc lacks model.safetensors".
   */
  readonly problems: readonly string[];
}

export async function locateModel(ref: ModelRef, o: LocateOptions): Promise<LocateResult> {
  const problems: string[] = [];
  const hf = await findHfSnapshot(ref, o.hfCacheDirs);
  if (hf.kind === 'found') {
    try {
      const unchecked = await verifySnapshot(hf.model.folder, hf.model.files.present, o.verified, o.signal);
      return { found: { folder: hf.model.folder, where: 'huggingFaceCache', commit: hf.model.commit, unchecked }, problems };
    } catch (e) {
      if (isAbortError(e) || !(e instanceof HubError)) throw e;
      problems.push(e.message);
    }
  } else if (hf.kind === 'incomplete') {
    problems.push(`${formatModelRef(ref)}: the Hugging Face cache snapshot ${hf.folder} lacks ${hf.missing.join(', ')}.`);
  }
  if (o.cacheRoot !== undefined) {
    const own = await findCachedModel(o.cacheRoot, ref);
    if (own) return { found: { folder: own.folder, where: 'extensionStorage', commit: own.commit, unchecked: [] }, problems };
  }
  return { problems };
}
