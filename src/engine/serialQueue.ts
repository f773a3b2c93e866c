/**
 * Runs jobs one at a time, in arrival order. A job whose signal aborts while it waits leaves the
 * queue at once (rejected as cancelled); one that is already running finishes first (it may be
 * using a model that must not be released under it), and its caller drops the result.
 */
import { cancelled } from './protocol';

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  /** Jobs queued or running. */
  get size(): number {
    return this.pending;
  }

  run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    this.pending++;
    let started = false;
    const turn = this.tail.then(async (): Promise<{ ran: false } | { ran: true; value: T }> => {
      if (signal.aborted) return { ran: false };
      started = true;
      return { ran: true, value: await job() };
    });
    this.tail = turn
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.pending--);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!started) reject(cancelled('cancelled before it ran'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      turn
        .then((r) => (r.ran ? resolve(r.value) : reject(cancelled('cancelled before it ran'))), reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
