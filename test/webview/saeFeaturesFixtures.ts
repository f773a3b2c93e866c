/**
 * SaeFeatures messages for the substitution harness's fixture comparison (17 tokens, the swap at
 * position 12, gap 4 nats; 0.015 nats with `smallgap`): ten features of the shipped SAE, estimate and
 * exact patches in both directions, one whose estimate and exact disagree in sign, one negligible.
 * `state`: no-sae | estimating | exact (estimate shown, exact running) | done | cancelled | error.
 */
import type { ComparisonParams, SaeFeatureRow, SaeFeaturesParams, SaeFeaturesState } from '../../src/features/substitution/shared/protocol';

/** [feature, denoise estimate share, denoise exact share, noise estimate share, noise exact share] */
const SHARES: readonly (readonly [number, number, number, number, number])[] = [
  [412, 0.48, 0.41, 0.44, 0.52],
  [87, 0.31, 0.26, 0.12, 0.09],
  [655, -0.22, -0.18, -0.2, -0.15],
  [23, 0.19, -0.06, 0.05, 0.04], // the estimate says +19%, the exact patch −6%: not linear
  [901, 0.12, 0.1, 0.16, 0.21],
  [310, -0.09, -0.07, -0.02, -0.01],
  [5, 0.07, 0.05, 0.06, 0.03],
  [744, 0.05, 0.004, 0.03, 0.006], // negligible exactly
  [129, -0.04, -0.03, -0.03, -0.02],
  [1002, 0.03, 0.02, 0.01, 0.01],
];

export function makeSaeFeaturesFixture(c: ComparisonParams, state: SaeFeaturesState): SaeFeaturesParams {
  const { clean, corrupt } = c.metric;
  const gap = clean - corrupt;
  const P = c.clean.tokens.length;
  const base = { runId: c.runId, warnings: [] as string[] };
  if (state === 'no-sae') {
    return {
      ...base,
      state,
      message:
        'No SAE is set for gpt2-small: the shipped SAE belongs to gpt2-python-mini. Run "Circuit Inspector: Select SAE" to choose a folder or a Hugging Face repo.',
      features: [],
    };
  }
  const sae = {
    label: 'gpt2-python-mini · blocks.1.hook_resid_pre · 1024 features',
    hook: 'blocks.1.hook_resid_pre',
    dSae: 1024,
    inputTransform: 'none' as const,
  };
  if (state === 'estimating') return { ...base, state, sae, message: 'Attributing the metric to the SAE’s features…', features: [] };
  const withExact = state === 'done';
  const features: SaeFeatureRow[] = SHARES.map(([feature, de, dx, ne, nx], k) => {
    // Attribution per position: mostly at the swapped token (12), some at the last one.
    const pos = (total: number) => {
      const a = new Float32Array(P);
      a[12] = total * (k % 3 === 2 ? 0.3 : 0.8);
      a[P - 1] = total - a[12];
      return a;
    };
    const row: SaeFeatureRow = {
      feature,
      attribution: { denoise: de * gap, noise: -ne * gap },
      denoise_pos: pos(de * gap),
      noise_pos: pos(-ne * gap),
    };
    return withExact ? { ...row, exact: { denoise: corrupt + dx * gap, noise: clean - nx * gap } } : row;
  });
  const shown = { ...base, sae, features, attributed: 143 };
  switch (state) {
    case 'exact':
      return { ...shown, state, message: 'Patching the top features exactly (denoise)…', progress: { done: 6, total: 20 } };
    case 'done':
      return { ...shown, state, message: '143 of 1024 features have an attribution; the top 10 were patched exactly in both directions.' };
    case 'cancelled':
      return { ...shown, state, message: 'Cancelled: the estimates stay; the exact patches were not finished.' };
    default:
      return { ...shown, state: 'error', message: 'Feature attribution failed: the SAE in /tmp/sae does not fit gpt2-python-mini: d_in 768 ≠ d_model 64' };
  }
}
