/**
 * Residual-stream norms per boundary and position, raw and centred (the mean over d_model
 * subtracted: an unprocessed GPT-2 stream is not zero-mean), the norms of each layer's attn_out and
 * mlp_out, and the growth factor per layer (geometric mean over non-BOS positions, BOS apart) with
 * one factor fitted to the median norm.
 */
import type { ActivationCache } from '../../model/activationCache';
import type { Gpt2Config } from '../../model/gpt2Config';
import { blockHook, type HookName } from '../../shared/hookNames';
import { boundaryHook, type GrowthFit, type ResidualNormsRecord } from '../../shared/residualStream';
import type { PromptToken } from '../../shared/tokens';
import { rowNorms } from './vectors';

function normsOf(cache: ActivationCache, hook: HookName, nTokens: number, d: number, raw: Float32Array, centred: Float32Array | null, offset: number): void {
  const t = cache.get(hook).data; // [1, pos, d_model]
  if (t.length !== nTokens * d) throw new Error(`${hook} holds ${t.length} values, expected ${nTokens}·${d}`);
  for (let p = 0; p < nTokens; p++) {
    const n = rowNorms(t, p * d, d);
    raw[offset + p] = n.raw;
    if (centred) centred[offset + p] = n.centred;
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Growth of a [n_boundaries, n_tokens] norm table. With no non-BOS position, the factors are NaN. */
export function growthFit(norms: Float32Array, nLayers: number, nTokens: number, hasBos: boolean): GrowthFit {
  const first = hasBos ? 1 : 0;
  const factor = new Float32Array(nLayers);
  const bos = hasBos ? new Float32Array(nLayers) : null;
  for (let l = 0; l < nLayers; l++) {
    let logSum = 0;
    for (let p = first; p < nTokens; p++) logSum += Math.log(norms[(l + 1) * nTokens + p] / norms[l * nTokens + p]);
    factor[l] = Math.exp(logSum / (nTokens - first));
    if (bos) bos[l] = norms[(l + 1) * nTokens] / norms[l * nTokens];
  }
  // exp of the least-squares slope of ln(median norm) against the boundary index
  const nB = nLayers + 1;
  const ys: number[] = [];
  for (let b = 0; b < nB; b++) {
    const row: number[] = [];
    for (let p = first; p < nTokens; p++) row.push(norms[b * nTokens + p]);
    ys.push(row.length ? Math.log(median(row)) : NaN);
  }
  const xMean = (nB - 1) / 2;
  const yMean = ys.reduce((a, y) => a + y, 0) / nB;
  let num = 0;
  let den = 0;
  for (let b = 0; b < nB; b++) {
    num += (b - xMean) * (ys[b] - yMean);
    den += (b - xMean) ** 2;
  }
  return { factor_layer: factor, bos_factor_layer: bos, fitted: Math.exp(num / den) };
}

export function computeResidualNorms(c: Gpt2Config, cache: ActivationCache, tokens: readonly Pick<PromptToken, 'isBos'>[]): ResidualNormsRecord {
  const { nLayers, dModel: d } = c;
  const n = tokens.length;
  const nB = nLayers + 1;
  const raw = new Float32Array(nB * n);
  const centred = new Float32Array(nB * n);
  for (let b = 0; b < nB; b++) normsOf(cache, boundaryHook(nLayers, b) as HookName, n, d, raw, centred, b * n);
  const attn = new Float32Array(nLayers * n);
  const mlp = new Float32Array(nLayers * n);
  for (let l = 0; l < nLayers; l++) {
    normsOf(cache, blockHook(l, 'hook_attn_out'), n, d, attn, null, l * n);
    normsOf(cache, blockHook(l, 'hook_mlp_out'), n, d, mlp, null, l * n);
  }
  const hasBos = tokens[0]?.isBos ?? false;
  return {
    n_boundaries: nB,
    n_layers: nLayers,
    n_tokens: n,
    hasBos,
    raw_boundary_pos: raw,
    centred_boundary_pos: centred,
    attn_out_layer_pos: attn,
    mlp_out_layer_pos: mlp,
    rawGrowth: growthFit(raw, nLayers, n, hasBos),
    centredGrowth: growthFit(centred, nLayers, n, hasBos),
  };
}
