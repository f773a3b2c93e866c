/** The status bar item's text and tooltip (pure: session.ts owns the item). */

export type StatusState = 'idle' | 'loading' | 'running' | 'ready' | 'stale' | 'error';

const ICONS: Record<StatusState, string> = {
  idle: '$(circuit-board)',
  loading: '$(loading~spin)',
  running: '$(loading~spin)',
  ready: '$(circuit-board)',
  stale: '$(warning)',
  error: '$(error)',
};

/**
 * `name` is the model the status names: the one running or shown, or (idle, or stale after a model
 * change) the model setting. `shownModel`, when it differs from `name`, is the model of the
 * inspection still on screen, said in the tooltip.
 */
export function statusText(state: StatusState, name: string, detail?: string, shownModel?: string): { text: string; tooltip: string } {
  const label = { idle: '', loading: ' · loading', running: ' · running', ready: detail ? ` · ${detail}` : '', stale: ' · stale', error: ' · error' }[state];
  const shown = shownModel && shownModel !== name ? `; the inspection shown was run with ${shownModel}` : '';
  return { text: `${ICONS[state]} ${name}${label}`, tooltip: `Circuit Inspector: ${name} (${state}${shown}). Click to select a model.` };
}
