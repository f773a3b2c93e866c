/**
 * Plain-JS SAEs for the analysis tests: a seeded random standard (ReLU) SAE, an exact one
 * (recon = x), and an encoder written from the formulas (x' = x [− row mean] − b_dec; relu(x'W_enc + b_enc);
 * recon = f·W_dec + b_dec [+ row mean]), independent of the ONNX SaeEncoder.
 */
import type { LoadedSae, SaeConfig, SaeEncoding } from '../../../../src/model/sae';
import { float32Tensor, type Float32Tensor } from '../../../../src/model/tensor';
import type { SaeEncode } from '../../../../src/analysis/sae';
import { mulberry32 } from '../../../../tools/seededRandom';

export function saeConfig(dIn: number, dSae: number, hookName: string, overrides: Partial<SaeConfig> = {}): SaeConfig {
  return {
    architecture: 'standard',
    dIn,
    dSae,
    dtype: 'float32',
    hookName,
    hookLayer: Number(/^blocks\.(\d+)\./.exec(hookName)?.[1] ?? 0),
    applyBDecToInput: true,
    inputTransform: 'none',
    inputTransformReason: 'test',
    configForm: 'v6',
    ...overrides,
  };
}

export function randomSae(dIn: number, dSae: number, hookName: string, seed = 3, overrides: Partial<SaeConfig> = {}): LoadedSae {
  const rand = mulberry32(seed);
  const r = (n: number, s: number, mean = 0) => Float32Array.from({ length: n }, () => mean + (rand() * 2 - 1) * s);
  return {
    id: `random-${seed}`,
    label: 'random test SAE',
    folder: '/nonexistent',
    config: saeConfig(dIn, dSae, hookName, overrides),
    weights: { W_enc: r(dIn * dSae, 0.5), W_dec: r(dSae * dIn, 0.5), b_enc: r(dSae, 0.3, -0.2), b_dec: r(dIn, 0.2) },
  };
}

/** d_sae = 2·d_in, W_enc = [I, −I], W_dec = [I; −I], no biases: relu(x) − relu(−x) = x, an exact reconstruction. */
export function exactSae(dIn: number, hookName: string, overrides: Partial<SaeConfig> = {}): LoadedSae {
  const dSae = 2 * dIn;
  const W_enc = new Float32Array(dIn * dSae);
  const W_dec = new Float32Array(dSae * dIn);
  for (let i = 0; i < dIn; i++) {
    W_enc[i * dSae + i] = 1;
    W_enc[i * dSae + dIn + i] = -1;
    W_dec[i * dIn + i] = 1;
    W_dec[(dIn + i) * dIn + i] = -1;
  }
  return {
    id: 'exact',
    label: 'exact test SAE',
    folder: '/nonexistent',
    config: saeConfig(dIn, dSae, hookName, overrides),
    weights: { W_enc, W_dec, b_enc: new Float32Array(dSae), b_dec: new Float32Array(dIn) },
  };
}

/** A standard-architecture encoder in float64 JS; counts its calls and rows. */
export class JsEncoder implements SaeEncode {
  calls = 0;
  rowsEncoded = 0;
  constructor(readonly sae: LoadedSae) {}

  async encode(rows: Float32Tensor<'rows d_in'>, signal?: AbortSignal): Promise<SaeEncoding> {
    signal?.throwIfAborted();
    const { dIn: n, dSae: D, applyBDecToInput, inputTransform } = this.sae.config;
    const { W_enc, W_dec, b_enc, b_dec } = this.sae.weights;
    const R = rows.dims[0];
    this.calls++;
    this.rowsEncoded += R;
    const acts = new Float32Array(R * D);
    const recon = new Float32Array(R * n);
    const errorNorm = new Float32Array(R);
    for (let r = 0; r < R; r++) {
      const x = Array.from(rows.data.subarray(r * n, (r + 1) * n));
      const mean = inputTransform === 'center' ? x.reduce((a, b) => a + b, 0) / n : 0;
      const xin = x.map((v, i) => v - mean - (applyBDecToInput ? b_dec[i] : 0));
      const pre = new Float64Array(D).map((_, f) => b_enc[f]);
      for (let i = 0; i < n; i++) for (let f = 0; f < D; f++) pre[f] += xin[i] * W_enc[i * D + f];
      const out = new Float64Array(n).map((_, i) => b_dec[i] + mean);
      for (let f = 0; f < D; f++) {
        const a = Math.max(0, pre[f]);
        acts[r * D + f] = a;
        if (a) for (let i = 0; i < n; i++) out[i] += a * W_dec[f * n + i];
      }
      let e = 0;
      for (let i = 0; i < n; i++) {
        recon[r * n + i] = out[i];
        e += (x[i] - out[i]) ** 2;
      }
      errorNorm[r] = Math.sqrt(e);
    }
    return { acts: float32Tensor([R, D], acts), recon: float32Tensor([R, n], recon), errorNorm };
  }
}
