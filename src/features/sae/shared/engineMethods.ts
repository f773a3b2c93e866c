/**
 * Inspect Features' engine methods: what the extension host asks the engine process about a
 * prompt's SAE features, and what it answers. Plain data, shared by src/features/sae/session.ts and
 * engine/handlers.ts. The engine keeps the last prompt's dense activations, so a card, a token's
 * feature list or an export needs no second run.
 */
import type { ModelSpec } from '../../../shared/modelSpec';
import type { PromptToken } from '../../../shared/tokens';
import type { ActiveFeature, AblationParams, DensitySource, FeatureAct, FeatureCardParams, ReconstructionQuality, SaeInfo } from './protocol';

/** The SAE a request uses: the folder the host resolved, and the setting's value it came from. */
export interface SaeRef {
  readonly folder: string;
  /** '' (shipped), a folder, or 'hf:owner/repo:subfolder', as the user wrote it. */
  readonly source: string;
}

interface SaeRequest {
  readonly model: ModelSpec;
  readonly sae: SaeRef;
}

export interface FeaturesRunParams extends SaeRequest {
  readonly inspectionId: string;
  /** The prompt text (EOL-normalised by the host). */
  readonly text: string;
  /** Top features kept per position. */
  readonly k: number;
  readonly truncateTo?: number;
  readonly keep?: 'first' | 'last';
}

export interface FeaturesRunResult {
  readonly sae: SaeInfo;
  /** Sentences: the SAE was trained for another model, …. */
  readonly warnings: readonly string[];
  /** With prompt-text offsets (the host maps them to the document). */
  readonly tokens: readonly PromptToken[];
  /** Tokens before truncation. */
  readonly promptTokens: number;
  readonly n_ctx: number;
  readonly top: readonly (readonly FeatureAct[])[];
  readonly l0_pos: Float32Array;
  readonly resid_norm_pos: Float32Array;
  readonly error_norm_pos: Float32Array;
  /** Layers run: up to the SAE's hook only. */
  readonly layersRun: number;
  readonly loadMs: number;
  readonly runMs: number;
}

/** About the prompt of the last `features` run (`inspectionId` must match it). */
interface OnInspection extends SaeRequest {
  readonly inspectionId: string;
}

export type QualityParams = OnInspection;

export interface CardParams extends OnInspection {
  readonly feature: number;
  /** Tokens per side of the logit lens. */
  readonly k: number;
}

export type CardResult = Omit<FeatureCardParams, 'inspectionId'>;

export interface TokenFeaturesRunParams extends OnInspection {
  readonly position: number;
}

export interface TokenFeaturesRunResult {
  readonly features: readonly ActiveFeature[];
  readonly densitySource: DensitySource;
}

export interface AblationRunParams extends OnInspection {
  readonly feature: number;
  readonly position: number;
}

export type AblationRunResult = Omit<AblationParams, 'inspectionId'>;

/** Every active (position, feature, act) of the prompt, for the CSV export. */
export interface ActivationsResult {
  readonly tokens: readonly PromptToken[];
  readonly position: Int32Array;
  readonly feature: Int32Array;
  readonly act: Float32Array;
}

export interface ScanFile {
  /** Absolute path the engine reads (saved contents; unsaved edits are not scanned). */
  readonly path: string;
  /** As the user sees it (workspace-relative). */
  readonly label: string;
}

export interface ScanRunParams extends SaeRequest {
  readonly scanId: string;
  /** Identifies the files and their versions (paths, sizes, mtimes): a scan with the same key, model and SAE is reused. */
  readonly cacheKey: string;
  /** What was scanned, for the view ("python files in the workspace"). */
  readonly scope: string;
  readonly files: readonly ScanFile[];
}

export interface ScanRunResult {
  readonly scanId: string;
  readonly cached: boolean;
  readonly filesScanned: number;
  readonly filesTotal: number;
  /** Files skipped (unreadable, binary, too large), as sentences. */
  readonly skipped: readonly string[];
  readonly tokensScanned: number;
  readonly tokensPerSecond: number;
}

export interface ScanProgressDetail {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly tokens: number;
  readonly tokensPerSecond: number;
}

export interface ExamplesParams extends SaeRequest {
  /** The scan's cache key (its last state is used, complete or partial). */
  readonly cacheKey: string;
  readonly feature: number;
}

/** A scan example with where it is in its file: [start, end) UTF-16 offsets of each snippet token. */
export interface EngineScanExample {
  readonly path: string;
  readonly file: string;
  /** 0-based offset of the peak token in the file, and its 1-based line. */
  readonly peakOffset: number;
  readonly line: number;
  readonly act: number;
  readonly tokens: readonly { readonly text: string; readonly act: number; readonly start: number; readonly end: number }[];
  readonly peak: number;
  readonly quantile?: number;
}

export interface ExamplesResult {
  readonly top: readonly EngineScanExample[];
  readonly uniform: readonly EngineScanExample[];
  readonly density: number;
  readonly maxAct: number;
  readonly filesScanned: number;
  readonly filesTotal: number;
  readonly tokensScanned: number;
  readonly partial: boolean;
  readonly scope: string;
}

export type SaeEngineMethods = {
  /** Runs the model up to the SAE's hook and encodes every position; kept for the methods below. */
  features: { params: FeaturesRunParams; result: FeaturesRunResult; progress: never };
  /** Reconstruction quality of the kept prompt (two full runs: clean and with the reconstruction spliced in). */
  quality: { params: QualityParams; result: ReconstructionQuality; progress: never };
  card: { params: CardParams; result: CardResult; progress: never };
  tokenFeatures: { params: TokenFeaturesRunParams; result: TokenFeaturesRunResult; progress: never };
  ablation: { params: AblationRunParams; result: AblationRunResult; progress: never };
  activations: { params: QualityParams; result: ActivationsResult; progress: never };
  /** Scans files in context-sized windows; cancelled, what it found stays (ask `examples`). */
  scan: { params: ScanRunParams; result: ScanRunResult; progress: ScanProgressDetail };
  examples: { params: ExamplesParams; result: ExamplesResult; progress: never };
};
