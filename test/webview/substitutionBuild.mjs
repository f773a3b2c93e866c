// Builds the Compare Token Substitution webview and its harness script into .tmp/webview-harness.
import { buildHarness } from './harnessServer.mjs';

export function buildSubstitutionHarness() {
  return buildHarness({ substitution: 'webview/substitution/main.ts', substitutionHarness: 'test/webview/substitutionHarness.ts' });
}
