/** Sparse autoencoders in SAELens's on-disk format: load, check against a model, encode with ONNX. */
export { SaeError, isSaeError, type SaeErrorCode } from './saeError';
export {
  SAE_ARCHITECTURES,
  type LoadedSae,
  type SaeArchitecture,
  type SaeConfig,
  type SaeInputTransform,
  type SaeNormalization,
  type SaeWeights,
} from './saeTypes';
export { inputTransformOf, parseSaeConfig, SAE_CONFIG_FILE, SAE_WEIGHTS_FILE, SAE_SPARSITY_FILE } from './saeConfig';
export { loadSaeFolder } from './loadSae';
export { checkSaeFitsModel, SAE_HOOK_SUFFIXES } from './fitsModel';
export { SaeEncoder, saeChunkRows, type SaeEncoding, type SaeEncoderOptions } from './saeEncoder';
export { parseSaeSource, requireShippedSaeFolder, shippedSaeFolder, SHIPPED_SAE_HOOK, type SaeSource } from './saeSource';
export { buildSaeGraph, SAE_INPUT, SAE_OUTPUT } from './saeGraph';
export { PICKLE_CONVERSION_HINT } from './loadSae';
