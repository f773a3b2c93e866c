/** A small GPT-2 with random weights (seeded), for engine tests that need no checkpoint on disk. */
import type { Gpt2Config } from '../../../src/model/gpt2Config';
import type { Gpt2Weights } from '../../../src/model/gpt2Weights';
import { mulberry32 } from '../../../tools/seededRandom';

export function tinyConfig(overrides: Partial<Gpt2Config> = {}): Gpt2Config {
  const base = {
    nLayers: 3,
    nHeads: 4,
    dModel: 32,
    dMlp: 64,
    nCtx: 24,
    dVocab: 50,
    layerNormEps: 1e-5,
    activation: 'gelu_new' as const,
    scaleAttnWeights: true,
    scaleAttnByInverseLayerIdx: false,
    tieWordEmbeddings: true,
    bosTokenId: 49,
    ...overrides,
  };
  return { ...base, dHead: base.dModel / base.nHeads };
}

export function randomWeights(c: Gpt2Config, seed = 1, std = 0.3): Gpt2Weights {
  const rand = mulberry32(seed);
  const r = (n: number, s = std, mean = 0) => Float32Array.from({ length: n }, () => mean + (rand() * 2 - 1) * s);
  const d = c.dModel;
  return {
    wte: r(c.dVocab * d, 1),
    wpe: r(c.nCtx * d, 0.5),
    lnFinal: { w: r(d, 0.3, 1), b: r(d, 0.2) },
    blocks: Array.from({ length: c.nLayers }, () => ({
      ln1: { w: r(d, 0.3, 1), b: r(d, 0.2) },
      ln2: { w: r(d, 0.3, 1), b: r(d, 0.2) },
      attn: { wQkv: r(d * 3 * d), bQkv: r(3 * d, 0.2), wO: r(d * d), bO: r(d, 0.2) },
      mlp: { wIn: r(d * c.dMlp), bIn: r(c.dMlp, 0.2), wOut: r(c.dMlp * d), bOut: r(d, 0.2) },
    })),
  };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // also equal infinities
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}
