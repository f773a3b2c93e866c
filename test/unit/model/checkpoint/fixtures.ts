import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedGpt2Tensors } from '../../../../src/model/checkpoint/gpt2TensorNames';
import { gpt2ConfigFromJson } from '../../../../src/model/checkpoint/gpt2ConfigFromJson';
import type { FloatDtype } from '../../../../src/model/checkpoint/safetensorsDtype';
import { writeSafetensorsFile, type TensorToWrite } from '../../../../src/model/checkpoint/safetensorsWriter';
import { numel } from '../../../../src/model/tensor';

/** A tiny GPT-2 config.json: 2 layers, 2 heads, d_model 8, n_inner null (→ 32), 16 positions, 32 tokens. */
export function tinyConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_layer: 2,
    n_head: 2,
    n_embd: 8,
    n_positions: 16,
    n_ctx: 16,
    vocab_size: 32,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    ...overrides,
  };
}

/**
 * Values that identify their tensor (a seed from the name) and are exact in F16 and BF16: multiples of
 * 1/8 in [-4, 4), so loaded weights can be compared exactly and a swapped mapping shows up.
 */
export function patternFor(name: string, length: number): Float32Array {
  let seed = 0;
  for (const ch of name) seed = (seed * 31 + ch.charCodeAt(0)) % 64;
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = ((seed * 7 + i) % 64) / 8 - 4;
  return data;
}

export interface TinyTensorOptions {
  readonly dtype?: FloatDtype;
  /** Store names with the `transformer.` prefix (recent transformers) or bare (openai-community/gpt2). */
  readonly prefix?: boolean;
  /** Add causal-mask buffers the way old checkpoints did. */
  readonly masks?: 'none' | 'f32' | 'bool+u8';
  /** Store lm_head.weight even when the config ties it. */
  readonly lmHead?: boolean;
}

/** The tensors a checkpoint for `configJson` holds (plus mask buffers / lm_head as asked). */
export function tinyGpt2Tensors(configJson: Record<string, unknown>, options: TinyTensorOptions = {}): Map<string, TensorToWrite> {
  const { dtype = 'F32', prefix = true, masks = 'none', lmHead = false } = options;
  const config = gpt2ConfigFromJson(configJson);
  const expected = expectedGpt2Tensors(config);
  if (lmHead) expected.set('lm_head.weight', [config.dVocab, config.dModel]);
  const tensors = new Map<string, TensorToWrite>();
  const stored = (name: string) => (prefix && name !== 'lm_head.weight' ? `transformer.${name}` : name);
  for (const [name, shape] of expected) {
    tensors.set(stored(name), { dtype, shape, data: patternFor(name, numel(shape)) });
    const layer = /^h\.(\d+)\.ln_1\.weight$/.exec(name)?.[1];
    if (layer === undefined || masks === 'none') continue;
    const maskShape = [1, 1, config.nCtx, config.nCtx];
    if (masks === 'f32') {
      tensors.set(stored(`h.${layer}.attn.bias`), { dtype: 'F32', shape: maskShape, data: new Float32Array(numel(maskShape)).fill(1) });
    } else {
      tensors.set(stored(`h.${layer}.attn.bias`), { dtype: 'BOOL', shape: maskShape, bytes: new Uint8Array(numel(maskShape)).fill(1) });
      tensors.set(stored(`h.${layer}.attn.masked_bias`), { dtype: 'U8', shape: [], bytes: new Uint8Array([0]) });
    }
  }
  return tensors;
}

export interface FolderSpec {
  readonly config?: Record<string, unknown> | string | null;
  readonly tensors?: Map<string, TensorToWrite> | null;
  readonly tokenizer?: 'vocab+merges' | 'tokenizer.json' | 'vocab only' | 'none';
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/** Writes a checkpoint folder under `root` and returns its path. */
export async function writeCheckpointFolder(root: string, name: string, spec: FolderSpec = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const config = spec.config === undefined ? tinyConfigJson() : spec.config;
  if (config !== null) await writeFile(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const configForTensors = typeof config === 'object' && config !== null ? config : tinyConfigJson();
  const tensors = spec.tensors === undefined ? tinyGpt2Tensors(configForTensors) : spec.tensors;
  if (tensors !== null) await writeSafetensorsFile(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const tokenizer = spec.tokenizer ?? 'vocab+merges';
  if (tokenizer === 'vocab+merges' || tokenizer === 'vocab only') await writeFile(join(dir, 'vocab.json'), '{}');
  if (tokenizer === 'vocab+merges') await writeFile(join(dir, 'merges.txt'), '#version: 0.2\n');
  if (tokenizer === 'tokenizer.json') await writeFile(join(dir, 'tokenizer.json'), '{}');
  for (const [file, text] of Object.entries(spec.extraFiles ?? {})) await writeFile(join(dir, file), text);
  return dir;
}

/** A fresh temp folder per test file; `cleanup` removes it. */
export async function makeTempRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'ci-checkpoint-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Asserts that `promise` rejects with a message containing every one of `parts`. */
export async function rejectsWith(promise: Promise<unknown>, ...parts: string[]): Promise<string> {
  let message: string | undefined;
  try {
    await promise;
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === undefined) throw new Error(`expected a rejection mentioning ${parts.map((p) => `'${p}'`).join(', ')}`);
  for (const part of parts) {
    if (!message.includes(part)) throw new Error(`error message lacks '${part}':\n${message}`);
  }
  return message;
}

/** Same as `rejectsWith`, for a function that throws synchronously. */
export function throwsWith(fn: () => unknown, ...parts: string[]): string {
  let message: string | undefined;
  try {
    fn();
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === undefined) throw new Error(`expected an error mentioning ${parts.map((p) => `'${p}'`).join(', ')}`);
  for (const part of parts) {
    if (!message.includes(part)) throw new Error(`error message lacks '${part}':\n${message}`);
  }
  return message;
}
