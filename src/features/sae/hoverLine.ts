/**
 * The line Inspect Features adds to the editor hover over an inspected token: its strongest SAE
 * features, each a link that picks it in the view, `Features: #412 3.1 · #87 1.2 · #5 0.4`. No `vscode`.
 */
import type { FeatureAct } from './shared/protocol';

/** Features shown in the hover at most. */
export const HOVER_FEATURES = 3;

/** `command` is the id of the command a feature links to (it takes `{ feature }`). */
export function featureHoverLine(top: readonly FeatureAct[], command: string, count = HOVER_FEATURES): string {
  if (top.length === 0) return 'Features: none active';
  const parts = top.slice(0, count).map((f) => {
    const args = encodeURIComponent(JSON.stringify([{ feature: f.feature }]));
    return `[#${f.feature}](command:${command}?${args} "Show feature ${f.feature}") ${f.act.toPrecision(2)}`;
  });
  return `Features: ${parts.join(' · ')}`;
}
