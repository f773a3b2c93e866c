// Builds the prompt-set (dataset) webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildDatasetHarness() {
  return buildHarness({ dataset: 'webview/dataset/main.ts', datasetHarness: 'test/webview/datasetHarness.ts' });
}
