/**
 * The one error type the checkpoint loader throws. Its message always names the file and, where there
 * is one, the tensor or config key at fault, so it can be shown to the user as is.
 */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** `a, b, c and 7 more`: keeps error messages readable when a whole checkpoint is wrong. */
export function listSome(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** `[768, 2304]` */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
