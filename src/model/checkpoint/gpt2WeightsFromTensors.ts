import type { Gpt2Config } from '../gpt2Config';
import type { BlockWeights, Gpt2Weights } from '../gpt2Weights';
import { CheckpointError, formatShape, listSome } from './checkpointError';
import { LM_HEAD, blockTensorName, canonicalTensorName, expectedGpt2Tensors, isAttentionMaskBuffer } from './gpt2TensorNames';
import { isFloatDtype } from './safetensorsDtype';
import type { StoredTensorInfo, TensorSource } from './tensorSource';

/** Which stored tensor fills each weight, decided from the headers alone, before any data is read. */
export interface Gpt2TensorPlan {
  /** canonical name (`h.0.ln_1.weight`) → name as stored (maybe `transformer.h.0.ln_1.weight`) */
  readonly storedNames: ReadonlyMap<string, string>;
  /** Stored names deliberately skipped: causal-mask buffers, and `lm_head.weight` when tied to wte. */
  readonly ignored: readonly string[];
}

/** Most problems listed in one error; a checkpoint for another config can have hundreds. */
const MAX_LISTED_PROBLEMS = 12;

/**
 * Checks stored names, dtypes and shapes against the config. Every problem (missing, unexpected or
 * duplicated tensors, non-float dtypes, wrong shapes) is collected and reported in one error naming
 * the keys, so a wrong checkpoint is diagnosed in one go.
 */
export function planGpt2Tensors(config: Gpt2Config, tensors: ReadonlyMap<string, StoredTensorInfo>, description: string): Gpt2TensorPlan {
  checkLayerCount(config, tensors, description);
  const expected = expectedGpt2Tensors(config);
  const storedNames = new Map<string, string>();
  const ignored: string[] = [];
  const unexpected: string[] = [];
  const problems: string[] = [];
  for (const [stored, info] of tensors) {
    const canonical = canonicalTensorName(stored);
    if (isAttentionMaskBuffer(canonical) || (canonical === LM_HEAD && config.tieWordEmbeddings)) {
      ignored.push(stored);
      continue;
    }
    const shape = expected.get(canonical);
    if (!shape) {
      unexpected.push(stored);
      continue;
    }
    const other = storedNames.get(canonical);
    if (other !== undefined) {
      problems.push(`'${canonical}' is stored twice, as '${other}' and as '${stored}'`);
      continue;
    }
    storedNames.set(canonical, stored);
    if (!isFloatDtype(info.dtype)) problems.push(`'${stored}' has dtype ${info.dtype}; weights must be F32, F16 or BF16`);
    if (!sameShape(info.shape, shape)) {
      problems.push(`'${stored}' has shape ${formatShape(info.shape)}, expected ${formatShape(shape)}`);
    }
  }
  const missing = [...expected.keys()].filter((name) => !storedNames.has(name));
  if (missing.length > 0) {
    const why = missing.includes(LM_HEAD) ? ' (lm_head.weight is required because tie_word_embeddings is false)' : '';
    problems.unshift(`missing tensors: ${listSome(missing)}${why}`);
  }
  if (unexpected.length > 0) problems.unshift(`unexpected tensors: ${listSome(unexpected)}`);
  if (problems.length > 0) throw mismatchError(config, description, problems);
  return { storedNames, ignored };
}

/**
 * The config's n_layer against the blocks the file holds, before anything is sized by the config: a
 * config that says 10,000,000 layers for a 2-layer file fails here in microseconds, instead of after
 * listing 120 million expected tensors (or allocating a graph for them).
 */
function checkLayerCount(config: Gpt2Config, tensors: ReadonlyMap<string, StoredTensorInfo>, description: string): void {
  let stored = 0;
  for (const name of tensors.keys()) {
    const layer = /^h\.(\d+)\./.exec(canonicalTensorName(name))?.[1];
    if (layer !== undefined && layer.length < 10) stored = Math.max(stored, Number(layer) + 1);
  }
  if (config.nLayers <= stored) return; // fewer layers than stored: the full check lists the extra tensors
  const held = stored === 0 ? 'no transformer blocks (no h.N.* tensors)' : `blocks h.0 … h.${stored - 1} (${stored} layer${stored === 1 ? '' : 's'})`;
  throw mismatchError(config, description, [`config.json says n_layer ${config.nLayers}, but the weights hold ${held}`]);
}

/** Checks the source against the config (`planGpt2Tensors`), then reads every weight as float32. */
export async function gpt2WeightsFromTensors(config: Gpt2Config, source: TensorSource): Promise<Gpt2Weights> {
  const plan = planGpt2Tensors(config, source.tensors, source.description);
  const read = (canonical: string): Promise<Float32Array> => {
    const stored = plan.storedNames.get(canonical);
    if (stored === undefined) throw new CheckpointError(`${source.description}: no tensor planned for '${canonical}'`);
    return source.readFloat32(stored, { finite: true });
  };
  const wte = await read('wte.weight');
  const wpe = await read('wpe.weight');
  const blocks: BlockWeights[] = [];
  for (let l = 0; l < config.nLayers; l++) blocks.push(await readBlock(l, read));
  const lnFinal = { w: await read('ln_f.weight'), b: await read('ln_f.bias') };
  const lmHead = config.tieWordEmbeddings ? undefined : await read(LM_HEAD);
  return lmHead ? { wte, wpe, blocks, lnFinal, lmHead } : { wte, wpe, blocks, lnFinal };
}

async function readBlock(l: number, read: (canonical: string) => Promise<Float32Array>): Promise<BlockWeights> {
  const n = blockTensorName;
  return {
    ln1: { w: await read(n.ln1W(l)), b: await read(n.ln1B(l)) },
    attn: { wQkv: await read(n.qkvW(l)), bQkv: await read(n.qkvB(l)), wO: await read(n.outW(l)), bO: await read(n.outB(l)) },
    ln2: { w: await read(n.ln2W(l)), b: await read(n.ln2B(l)) },
    mlp: { wIn: await read(n.mlpInW(l)), bIn: await read(n.mlpInB(l)), wOut: await read(n.mlpOutW(l)), bOut: await read(n.mlpOutB(l)) },
  };
}

function mismatchError(config: Gpt2Config, description: string, problems: readonly string[]): CheckpointError {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${p}`);
  if (problems.length > MAX_LISTED_PROBLEMS) shown.push(`  - and ${problems.length - MAX_LISTED_PROBLEMS} more problems`);
  const c = config;
  const summary =
    `n_layer ${c.nLayers}, n_embd ${c.dModel}, n_inner ${c.dMlp}, vocab_size ${c.dVocab}, n_positions ${c.nCtx}, ` +
    `tie_word_embeddings ${c.tieWordEmbeddings}`;
  return new CheckpointError(`${description}: the tensors do not match the config (${summary}):\n${shown.join('\n')}`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
