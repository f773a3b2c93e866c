import { parseJsonText, readRegularTextFile } from '../boundedFiles';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from './checkpointError';
import { SafetensorsFile } from './safetensors';
import { shardFileProblem } from './shardFileName';
import { combineTensorSources, type TensorSource } from './tensorSource';

/** The tensors of a checkpoint, over one safetensors file or several shards, with their open files. */
export interface OpenTensorFiles {
  readonly source: TensorSource;
  /** Absolute paths of the safetensors files, in name order. */
  readonly files: readonly string[];
  /** Closes every file; safe to call once the weights are read. */
  close(): Promise<void>;
}

export async function openSafetensorsFiles(paths: readonly string[], description: string): Promise<OpenTensorFiles> {
  const opened: SafetensorsFile[] = [];
  const close = async () => {
    await Promise.all(opened.map((f) => f.close()));
  };
  try {
    for (const path of paths) opened.push(await SafetensorsFile.open(path));
    const source = opened.length === 1 ? opened[0] : combineTensorSources(opened, description);
    return { source, files: [...paths], close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * A sharded checkpoint: `model.safetensors.index.json` maps each tensor name to the shard file that
 * holds it (`{"metadata": {...}, "weight_map": {name: "model-00001-of-00002.safetensors"}}`). Shards
 * must sit beside the index, and the index must agree with the shards' own headers.
 */
export async function openShardedSafetensors(indexPath: string): Promise<OpenTensorFiles> {
  const weightMap = await readWeightMap(indexPath);
  const dir = dirname(indexPath);
  const shards = [...new Set(weightMap.values())].sort();
  const files = await openSafetensorsFiles(
    shards.map((shard) => join(dir, shard)),
    `${indexPath} (${shards.length} shards)`,
  );
  try {
    checkIndexAgreesWithShards(indexPath, weightMap, files.source);
    return files;
  } catch (e) {
    await files.close();
    throw e;
  }
}

/** An index lists each tensor once (a few hundred KiB for the largest models). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  const text = await readRegularTextFile(indexPath, 'shard index', MAX_INDEX_BYTES, CheckpointError);
  const json = parseJsonText(text, indexPath, 'shard index', CheckpointError);
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointError(`${indexPath}: expected an object with a 'weight_map' of tensor name → shard file`);
  }
  const result = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    const problem = shardFileProblem(shard);
    if (typeof shard !== 'string' || problem !== undefined) {
      throw new CheckpointError(
        `${indexPath}: weight_map['${name}'] must name a .safetensors file in the same folder, got ${JSON.stringify(shard)} (${problem})`,
      );
    }
    result.set(name, shard);
  }
  if (result.size === 0) throw new CheckpointError(`${indexPath}: 'weight_map' is empty`);
  return result;
}

function checkIndexAgreesWithShards(indexPath: string, weightMap: ReadonlyMap<string, string>, source: TensorSource): void {
  for (const [name, shard] of weightMap) {
    if (!source.tensors.has(name)) throw new CheckpointError(`${indexPath}: tensor '${name}' is listed in ${shard} but no shard holds it`);
    if (basename(source.fileOf(name)) !== shard) {
      throw new CheckpointError(`${indexPath}: tensor '${name}' is listed in ${shard} but stored in ${source.fileOf(name)}`);
    }
  }
  for (const name of source.tensors.keys()) {
    if (!weightMap.has(name)) throw new CheckpointError(`${indexPath}: tensor '${name}' in ${source.fileOf(name)} is not listed in the index`);
  }
}
