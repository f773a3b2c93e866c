/**
 * SAE feature analyses of a prompt (issue 11), on top of `src/model/sae` (loading and the ONNX
 * encoder): the features at each position, a feature's logit lens, ablated text, reconstruction
 * quality, and the workspace scan's accumulator and driver. Every model run stops at the SAE's hook
 * unless logits are needed (reconstruction quality only).
 */
export { hookOnlyRunOptions, runToHook, saeFetchHook, saeHook, saeInputRows, type SaeEncode } from './saeRun';
export { runFeatureActivations, topActive, type ActiveFeature, type FeatureActivations, type FeatureActivationsOptions } from './featureActivations';
export { featureLogitLens, featureLogitLenses, featureLogits, LENS_BASIS, type FeatureLogitLens, type LensToken } from './featureLogitLens';
export { runAblatedText, meanTokenEmbedding, type AblatedText, type AblatedTextOptions } from './ablatedText';
export { runReconstructionQuality, varianceExplained, type ReconstructionQuality } from './reconstructionQuality';
export {
  FeatureScan,
  scanWindows,
  tokensPerSecond,
  type FeatureScanOptions,
  type ScanExample,
  type ScanProgress,
  type ScanWindow,
  type ScanWindowsOptions,
  type UniformExample,
} from './featureScan';
