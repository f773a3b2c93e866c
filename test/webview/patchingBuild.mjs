// Builds the Compare Token Substitution webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildPatchingHarness() {
  return buildHarness({ patchingPanel: 'webview/patchingPanel.ts', patchingHarness: 'test/webview/patchingHarness.ts' });
}
