/**
 * Errors raised by the hub client. Every message names the file (and the URL when there is one), so
 * the extension can show it as is. Cancellation is not a HubError: it is a DOMException named
 * 'AbortError', as fetch() would throw.
 */
export type HubErrorCode =
  /** a model id or revision that cannot be a Hugging Face repo reference */
  | 'invalid-ref'
  /** HF_ENDPOINT or the endpoint option is not an http(s) URL */
  | 'invalid-endpoint'
  /** 401/403: missing or refused token, gated or private repo */
  | 'unauthorized'
  /** 404: repo, revision or file not found */
  | 'not-found'
  /** the host could not be reached, or the connection dropped */
  | 'network'
  /** any other unexpected HTTP status */
  | 'http'
  /** size or checksum does not match what the hub announced */
  | 'integrity'
  /** the repo only has pickle weights (pytorch_model.bin), which we refuse to load */
  | 'pickle-only'
  /** no weights file at all */
  | 'no-weights'
  /** neither vocab.json + merges.txt nor tokenizer.json */
  | 'no-tokenizer'
  /** model.safetensors.index.json is malformed or names an unsafe file */
  | 'bad-index'
  /** another download of the same repo holds the cache lock */
  | 'busy'
  /** HF_HUB_OFFLINE is set and the model is not cached */
  | 'offline';

export interface HubErrorDetails {
  readonly file?: string;
  readonly url?: string;
  readonly status?: number;
  /** true for errors worth retrying (dropped connections, 5xx); the partial file is kept. */
  readonly retryable?: boolean;
  /** how long the server asked to wait before retrying (Retry-After), in ms */
  readonly retryAfterMs?: number;
}

export class HubError extends Error {
  override readonly name = 'HubError';

  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly details: HubErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error thrown when the caller's AbortSignal fires. */
export function abortError(file?: string): DOMException {
  return new DOMException(file ? `Download of ${file} was cancelled.` : 'Download was cancelled.', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

export function isRetryable(e: unknown): boolean {
  return e instanceof HubError && e.details.retryable === true;
}

/**
 * How long to wait before retry number `failures` (0-based): the server's Retry-After when it sent
 * one (already bounded by statusError), else `baseMs` doubled per failure.
 */
export function retryDelay(e: unknown, failures: number, baseMs: number): number {
  const asked = e instanceof HubError ? e.details.retryAfterMs : undefined;
  return asked ?? baseMs * 2 ** failures;
}
