// Builds the Compare Token Substitution webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildPatchingHarness() {
  return buildHarness({ substitution: 'webview/substitution/main.ts', patchingHarness: 'test/webview/patchingHarness.ts' });
}
