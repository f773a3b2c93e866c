/** Errors from loading an SAE or fitting it to a model: each names the problem (its code is for tests and the UI). */
export type SaeErrorCode =
  | 'missing-config'
  | 'malformed-config'
  | 'unknown-architecture'
  | 'unsupported-normalization'
  | 'missing-tensor'
  | 'tensor-shape'
  | 'non-finite'
  | 'pickle-only'
  | 'hook-missing'
  | 'd-in-mismatch'
  | 'not-found'
  | 'download';

export class SaeError extends Error {
  constructor(
    readonly code: SaeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SaeError';
  }
}

export function isSaeError(e: unknown, code?: SaeErrorCode): e is SaeError {
  return e instanceof SaeError && (code === undefined || e.code === code);
}
