/** Metrics of a run's next-token logits, and the normalisation of patching results. */
import { logSumExp } from '../../model/logitsMath';

/**
 * A scalar of one row of logits [d_vocab] at the final position, with its gradient ∂metric/∂logits
 * at that row (used by attribution patching).
 */
export type LogitsMetric = ((logitsRow: Float32Array) => number) & {
  readonly gradient: (logitsRow: Float32Array) => Float32Array;
  /** True when the gradient does not depend on the logits (the metric is linear in them). */
  readonly linear: boolean;
};

function metric(value: (row: Float32Array) => number, gradient: (row: Float32Array) => Float32Array, linear: boolean): LogitsMetric {
  return Object.assign(value, { gradient, linear });
}

/** logit[answer] − logit[wrong]: the default metric. */
export function logitDifference(answer: number, wrong: number): LogitsMetric {
  return metric(
    (row) => row[answer] - row[wrong],
    (row) => {
      const g = new Float32Array(row.length);
      g[answer] += 1;
      g[wrong] -= 1;
      return g;
    },
    true,
  );
}

function softmax(row: Float32Array): Float32Array {
  const lse = logSumExp(row);
  return row.map((v) => Math.exp(v - lse));
}

/** p(answer) under the softmax of the row. ∂p_a/∂logit_i = p_a(δ_ai − p_i). */
export function answerProbability(answer: number): LogitsMetric {
  return metric(
    (row) => Math.exp(row[answer] - logSumExp(row)),
    (row) => {
      const p = softmax(row);
      const pa = p[answer];
      const g = p.map((pi) => -pa * pi);
      g[answer] += pa;
      return g;
    },
    false,
  );
}

/**
 * KL(reference ‖ softmax(row)) in nats: how far the run's next-token distribution is from a
 * reference distribution (e.g. the clean run's). ∂KL/∂logit_i = p_i − r_i.
 */
export function klDivergenceFrom(referenceLogits: Float32Array): LogitsMetric {
  const r = softmax(referenceLogits);
  const logR = referenceLogits.map((v) => v - logSumExp(referenceLogits));
  return metric(
    (row) => {
      const lse = logSumExp(row);
      let kl = 0;
      for (let i = 0; i < row.length; i++) if (r[i] > 0) kl += r[i] * (logR[i] - (row[i] - lse));
      return kl;
    },
    (row) => {
      const p = softmax(row);
      return p.map((pi, i) => pi - r[i]);
    },
    false,
  );
}
