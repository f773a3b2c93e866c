/**
 * The Hugging Face hub client: model references, downloads into a cache, and the caches themselves
 * (the extension's own, and the user's Hugging Face cache shared with Python tools).
 * No `vscode` import; the extension wraps it (settings → options, progress → withProgress,
 * CancellationToken → AbortSignal).
 */
export {
  DEFAULT_REVISION,
  type ModelRef,
  type ModelSource,
  formatModelRef,
  isCommitSha,
  looksLikeLocalPath,
  parseModelRef,
  parseModelSource,
} from './modelRef';
export { DEFAULT_ENDPOINT, resolveEndpoint, resolveToken, resolveUrl } from './endpoint';
export { HubError, type HubErrorCode, type HubErrorDetails, isAbortError } from './errors';
export { type CacheManifest, type CachedModel, type ManifestFile, findCachedModel, listCachedModels } from './cache';
export { type DownloadOptions, type DownloadProgress, type DownloadResult, downloadModel } from './download';
export { type HfCachedModel, HUB_ALIASES, VerifiedBlobs, findHfSnapshot, hfCacheDirs, listHfModels } from './hfCache';
export { type LocateOptions, type LocateResult, type LocatedModel, locateModel } from './locate';
