/** The feature inspection on screen, as the session keeps it: what the view shows, and where. */
import type { OffsetRange } from '../../platform/offsets';
import type { ModelSpec } from '../../shared/modelSpec';
import type { SaeRef, ScanFile } from './shared/engineMethods';
import type { AblationParams, FeatureCardParams, FeaturesParams, ScanResultParams, TokenFeaturesParams } from './shared/protocol';

/** The inspection on screen and everything the view shows about it. */
export interface CurrentFeatures {
  readonly inspectionId: string;
  readonly uri: string;
  readonly languageExt: string;
  readonly spec: ModelSpec;
  readonly sae: SaeRef;
  readonly ranges: readonly OffsetRange[];
  features: FeaturesParams;
  card?: FeatureCardParams;
  tokenFeatures?: TokenFeaturesParams;
  ablation?: AblationParams;
  scanResult?: ScanResultParams;
  /** The last scan's cache key (its examples are asked for by feature). */
  scanKey?: { key: string; scope: string; files: readonly ScanFile[] };
}
