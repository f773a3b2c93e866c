/**
 * What every SAE analysis shares: the encoder as a structural type (the ONNX `SaeEncoder`, or any
 * object with its `encode`), the run options that stop the model at the SAE's hook, and rows of a
 * fetched hook.
 */
import type { HookName } from '../../shared/hookNames';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { RunOptions } from '../../model/runOptions';
import type { SaeEncoder, LoadedSae } from '../../model/sae';
import type { Float32Tensor } from '../../model/tensor';

/** The one method the analyses call; `SaeEncoder` has it, and so can a test's plain-JS encoder. */
export type SaeEncode = Pick<SaeEncoder, 'encode'>;

/** The SAE's hook as the engine's hook name (checked by `checkSaeFitsModel` when the SAE was chosen). */
export function saeHook(sae: LoadedSae): HookName {
  return sae.config.hookName as HookName;
}

/**
 * Fetch only the SAE's hook, no logits: the run plan then computes blocks 0..hookLayer and no more
 * (`planRun`: stopAfterLayer is the deepest fetched or patched hook when logits are 'none').
 */
export function hookOnlyRunOptions(signal?: AbortSignal): Omit<RunOptions, 'fetch'> {
  return { logits: 'none', signal };
}

/**
 * The hook to fetch for the SAE's input. `blocks.{l}.hook_resid_pre` (l > 0) is exactly
 * `blocks.{l−1}.hook_resid_post`, and fetching that one ends the run a whole block earlier: the graph
 * computes every block up to the one whose hook it fetches, all of it (measured: fetching
 * resid_pre 1 costs as much as resid_post 1, twice resid_post 0). Every other hook is itself.
 */
export function saeFetchHook(sae: LoadedSae): HookName {
  const m = /^blocks\.(\d+)\.hook_resid_pre$/.exec(sae.config.hookName);
  if (m && Number(m[1]) > 0) return `blocks.${Number(m[1]) - 1}.hook_resid_post`;
  return saeHook(sae);
}

/** Runs `tokens` (one prompt or a batch of equal lengths) up to the SAE's hook: its value [batch, pos, d_in]. */
export async function runToHook(model: HookedGpt2, sae: LoadedSae, tokens: readonly number[] | readonly (readonly number[])[], signal?: AbortSignal) {
  return (await runToHookWith(model, sae, tokens, {}, signal)) as Float32Tensor<'batch pos d_in'>;
}

/** `runToHook` with extra run options (patches). */
export async function runToHookWith(
  model: HookedGpt2,
  sae: LoadedSae,
  tokens: readonly number[] | readonly (readonly number[])[],
  extra: Pick<RunOptions, 'patches'>,
  signal?: AbortSignal,
): Promise<Float32Tensor<'batch pos d_in'>> {
  const hook = saeFetchHook(sae);
  const run = await model.run(tokens, { ...extra, ...hookOnlyRunOptions(signal), fetch: [hook] });
  return run.cache.get(hook) as Float32Tensor<'batch pos d_in'>;
}

/** The L2 norm of each row of `data` [rows, n], in float64. */
export function rowL2(data: Float32Array, n: number): Float32Array {
  const rows = data.length / n;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * n; i < (r + 1) * n; i++) s += data[i] * data[i];
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** The rows the SAE reads: the hook's rows, minus each row's mean over d_in when the SAE's input transform is 'center'. */
export function saeInputRows(sae: LoadedSae, rows: Float32Array): Float32Array {
  if (sae.config.inputTransform !== 'center') return rows;
  const n = sae.config.dIn;
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length / n; r++) {
    let s = 0;
    for (let i = r * n; i < (r + 1) * n; i++) s += rows[i];
    const mean = s / n;
    for (let i = r * n; i < (r + 1) * n; i++) out[i] = rows[i] - mean;
  }
  return out;
}

export function checkFeature(sae: LoadedSae, feature: number): void {
  if (!Number.isInteger(feature) || feature < 0 || feature >= sae.config.dSae) {
    throw new RangeError(`feature ${feature} is outside 0..${sae.config.dSae - 1} (the SAE has ${sae.config.dSae} features)`);
  }
}
