import { parseJsonText, readRegularTextFile } from '../boundedFiles';
import type { Gpt2Config } from '../gpt2Config';
import type { Gpt2Weights } from '../gpt2Weights';
import { CheckpointError } from './checkpointError';
import { findCheckpointFiles, type CheckpointFiles } from './checkpointFiles';
import { gpt2ConfigFromJson } from './gpt2ConfigFromJson';
import { gpt2WeightsFromTensors, planGpt2Tensors } from './gpt2WeightsFromTensors';
import { openSafetensorsFiles, openShardedSafetensors, type OpenTensorFiles } from './openTensorFiles';
import type { SafetensorsDtype } from './safetensorsDtype';
import type { TensorSource } from './tensorSource';

/** How the checkpoint stored its weights. */
export interface CheckpointStorage {
  /** Number of weight tensors read, per stored dtype (e.g. `{ F32: 148 }`). */
  readonly dtypes: Readonly<Partial<Record<SafetensorsDtype, number>>>;
  /** Stored names skipped on purpose: causal-mask buffers, and `lm_head.weight` when tied to wte. */
  readonly ignoredTensors: readonly string[];
}

export interface LoadedGpt2Checkpoint {
  readonly config: Gpt2Config;
  /** All float32, in HF Conv1D layout. */
  readonly weights: Gpt2Weights;
  /** The folder's files; `weightFiles` lists the safetensors file(s) actually read. */
  readonly files: CheckpointFiles & { readonly weightFiles: readonly string[] };
  readonly storage: CheckpointStorage;
}

/**
 * Loads a Hugging Face GPT-2 checkpoint folder: config.json, model.safetensors (or a sharded
 * model.safetensors.index.json), and checks that tokenizer files exist (it does not read them).
 * Every cheap check (files, config, tensor names, dtypes, shapes) runs before any weight is read.
 * Engine options (identity LayerNorm, prepending BOS) are not applied here: this only loads.
 */
export async function loadGpt2Checkpoint(dir: string): Promise<LoadedGpt2Checkpoint> {
  const files = await findCheckpointFiles(dir);
  const config = gpt2ConfigFromJson(await readJson(files.config), files.config);
  const tensorFiles = await openWeightFiles(files);
  try {
    const { source } = tensorFiles;
    const plan = planGpt2Tensors(config, source.tensors, source.description);
    const weights = await gpt2WeightsFromTensors(config, source);
    return {
      config,
      weights,
      files: { ...files, weightFiles: tensorFiles.files },
      storage: { dtypes: dtypeCounts(source, plan.storedNames.values()), ignoredTensors: plan.ignored },
    };
  } finally {
    await tensorFiles.close();
  }
}

function openWeightFiles(files: CheckpointFiles): Promise<OpenTensorFiles> {
  return files.weights.kind === 'single'
    ? openSafetensorsFiles([files.weights.safetensors], files.weights.safetensors)
    : openShardedSafetensors(files.weights.index);
}

/** config.json is a few KiB; anything near this is not a config. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

async function readJson(path: string): Promise<unknown> {
  const text = await readRegularTextFile(path, 'config file', MAX_CONFIG_BYTES, CheckpointError);
  return parseJsonText(text, path, 'config file', CheckpointError);
}

function dtypeCounts(source: TensorSource, storedNames: Iterable<string>): Partial<Record<SafetensorsDtype, number>> {
  const counts: Partial<Record<SafetensorsDtype, number>> = {};
  for (const name of storedNames) {
    const dtype = source.tensors.get(name)?.dtype;
    if (dtype) counts[dtype] = (counts[dtype] ?? 0) + 1;
  }
  return counts;
}
