/** Metrics of a run's next-token logits, and the normalisation of patching results. */
import { logSumExp } from '../../model/logitsMath';

/** A scalar of one row of logits [d_vocab] at the final position. */
export type LogitsMetric = (logitsRow: Float32Array) => number;

/** logit[answer] − logit[wrong]: the default metric. */
export function logitDifference(answer: number, wrong: number): LogitsMetric {
  return (row) => row[answer] - row[wrong];
}

/** p(answer) under the softmax of the row. */
export function answerProbability(answer: number): LogitsMetric {
  return (row) => Math.exp(row[answer] - logSumExp(row));
}

/**
 * (patched − corrupt) / (clean − corrupt): 1 where the patch restores the clean behaviour, 0 where it
 * leaves the corrupt one. Undefined when clean and corrupt give the same metric.
 */
export function normalisePatched(patched: number, clean: number, corrupt: number): number {
  return (patched - corrupt) / (clean - corrupt);
}
