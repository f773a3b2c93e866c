// Builds the Inspect Residual Stream webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildResidualHarness() {
  return buildHarness({ residual: 'webview/residual/main.ts', residualHarness: 'test/webview/residualHarness.ts' });
}
