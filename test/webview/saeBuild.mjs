// Builds the Inspect Features webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildSaeHarness() {
  return buildHarness({ sae: 'webview/sae/main.ts', saeHarness: 'test/webview/saeHarness.ts' });
}
