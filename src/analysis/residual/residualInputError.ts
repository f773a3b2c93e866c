/**
 * Bad input to the residual-stream analysis. `code` says which kind, so the engine (a `bad-request`)
 * and the CLI (exit 2) can map it without parsing the message.
 */
export type ResidualInputErrorCode = 'empty' | 'position' | 'vocab' | 'same-token' | 'k' | 'no-logits';

export class ResidualInputError extends Error {
  constructor(
    readonly code: ResidualInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ResidualInputError';
  }
}
