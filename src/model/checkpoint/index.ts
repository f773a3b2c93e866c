/** Loading Hugging Face GPT-2 checkpoints (config.json + safetensors) into Gpt2Config and Gpt2Weights. */
export { CheckpointError } from './checkpointError';
export {
  findCheckpointFiles,
  type CheckpointFiles,
  type TokenizerFiles,
  type WeightFiles,
  CONFIG_FILE,
  SAFETENSORS_FILE,
  SAFETENSORS_INDEX_FILE,
} from './checkpointFiles';
export { gpt2ConfigFromJson, GPT2_CONFIG_DEFAULTS, SUPPORTED_ACTIVATIONS } from './gpt2ConfigFromJson';
export { canonicalTensorName, expectedGpt2Tensors, isAttentionMaskBuffer } from './gpt2TensorNames';
export { gpt2WeightsFromTensors, planGpt2Tensors, type Gpt2TensorPlan } from './gpt2WeightsFromTensors';
export { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from './halfFloat';
export { loadGpt2Checkpoint, type CheckpointStorage, type LoadedGpt2Checkpoint } from './loadCheckpoint';
export { openSafetensorsFiles, openShardedSafetensors, type OpenTensorFiles } from './openTensorFiles';
export { SafetensorsFile, readSafetensorsFloat32, withSafetensorsFile } from './safetensors';
export { SAFETENSORS_DTYPE_BYTES, type FloatDtype, type SafetensorsDtype } from './safetensorsDtype';
export { MAX_HEADER_BYTES, parseSafetensorsHeader, type SafetensorsHeader, type SafetensorsTensorEntry } from './safetensorsHeader';
export { encodeSafetensors, writeSafetensorsFile, type TensorToWrite, type TensorsToWrite } from './safetensorsWriter';
export { combineTensorSources, tensorSourceFromArrays, type ReadOptions, type StoredTensorInfo, type TensorSource } from './tensorSource';
