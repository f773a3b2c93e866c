/**
 * Styles shared by the ci-* components. Colours come only from `--vscode-*` variables (with
 * fallbacks close to VS Code's Dark Modern), so the panel follows light, dark and high-contrast
 * themes. The `--ci-canvas-*` roles are read back by canvas drawing code (see theme.ts).
 */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    color: var(--vscode-foreground, #cccccc);
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    font-size: var(--vscode-font-size, 13px);
    line-height: 1.4;
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #0078d4);
    outline-offset: 1px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .mono {
    font-family: var(--vscode-editor-font-family, monospace);
  }
  button.link {
    font: inherit;
    color: var(--vscode-textLink-foreground, #4daafc);
    background: none;
    border: none;
    padding: 0;
    cursor: pointer;
  }
  button.link:hover {
    text-decoration: underline;
  }
`;

/** Colour roles for canvases, resolved from the theme by readCanvasTheme(). */
export const canvasRoles = css`
  :host {
    /** @cssprop --ci-heat-color - colour of attention weight 1 (weight 0 is the background) */
    --ci-heat-color: var(--vscode-charts-blue, #3794ff);
    --ci-canvas-background: var(--vscode-editor-background, #1f1f1f);
    --ci-canvas-foreground: var(--vscode-foreground, #cccccc);
    --ci-canvas-muted: var(--vscode-descriptionForeground, #9d9d9d);
    --ci-canvas-border: var(--vscode-contrastBorder, var(--vscode-widget-border, rgba(128, 128, 128, 0.35)));
    --ci-canvas-focus: var(--vscode-contrastActiveBorder, var(--vscode-focusBorder, #0078d4));
    --ci-canvas-hover: var(--vscode-charts-orange, #d18616);
  }
  /* In high contrast the lock ring is contrastActiveBorder (orange): make the preview ring differ. */
  :host-context(body.vscode-high-contrast) {
    --ci-canvas-hover: var(--vscode-editorWarning-foreground, #ffd370);
  }
`;

/** A value tooltip over a canvas, themed like the editor's hover widget (`.tooltip`, positioned by the component). */
export const hoverTooltip = css`
  .tooltip {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    z-index: 1;
    padding: 3px 7px;
    white-space: pre;
    font-variant-numeric: tabular-nums;
    color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground, #cccccc));
    background: var(--vscode-editorHoverWidget-background, #202020);
    border: 1px solid var(--vscode-editorHoverWidget-border, #454545);
    box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
  }
  .tooltip[hidden] {
    display: none;
  }
`;

/** What every canvas plot with a value tooltip starts with. */
export const canvasPlotStyles = [baseStyles, canvasRoles, hoverTooltip];

/**
 * The diverging pair of the signed plots (patching tables, DLA, the source strip), as the editor's
 * signed decorations: blue negative, red positive.
 */
export const divergingRoles = css`
  :host {
    /** @cssprop --ci-patch-neg - colour of negative values */
    --ci-patch-neg: var(--vscode-charts-blue, #3794ff);
    /** @cssprop --ci-patch-pos - colour of positive values */
    --ci-patch-pos: var(--vscode-charts-red, #f14c4c);
  }
`;

/** A feature panel's own header (title, model name, run state) and its warning banner. */
export const panelChromeStyles = css`
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 14px;
    padding: 10px 0 6px;
  }
  h1 {
    font-size: 1.25em;
    font-weight: 600;
    margin: 0;
  }
  .model {
    font-weight: 600;
  }
  .run {
    display: inline-flex;
    align-items: center;
    gap: 8px;
  }
  .run.error {
    color: var(--vscode-errorForeground, #f85149);
  }
  .run.cancelled {
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
  .banner {
    margin: 6px 0;
    padding: 6px 10px;
    border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500);
    background: var(--vscode-inputValidation-warningBackground, #352a05);
  }
`;

/** A panel's section title: the heading and a muted subtitle that takes the free space. */
export const sectionTitleStyles = css`
  h2 {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 2px 12px;
    font-size: 1.05em;
    font-weight: 600;
    margin: 22px 0 6px;
  }
  h2 .sub {
    font-weight: normal;
    font-size: 0.92em;
    flex: 1 1 auto;
  }
`;

/** A panel's section headings (sectionTitleStyles) and their export buttons on the right. */
export const sectionHeadingStyles = css`
  ${sectionTitleStyles}
  .exports {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px;
    margin-left: auto;
  }
`;

/** Segmented toggle buttons (`<button class="seg" aria-pressed>`), themed like VS Code's secondary and primary buttons. */
export const segmentedButtonStyles = css`
  button.seg {
    font: inherit;
    color: var(--vscode-foreground, #cccccc);
    background: var(--vscode-button-secondaryBackground, #313131);
    border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
    border-radius: 2px;
    padding: 2px 8px;
    cursor: pointer;
  }
  button.seg:hover {
    background: var(--vscode-button-secondaryHoverBackground, #3c3c3c);
  }
  button.seg[aria-pressed='true'] {
    color: var(--vscode-button-foreground, #ffffff);
    background: var(--vscode-button-background, #0078d4);
    outline: 1px solid var(--vscode-contrastActiveBorder, transparent);
  }
`;

/** A thin determinate progress bar (`<progress>`) in the theme's progress colour. */
export const progressBarStyles = css`
  progress {
    width: 140px;
    height: 6px;
    appearance: none;
    border: 1px solid var(--vscode-contrastBorder, transparent);
    background: var(--vscode-progressBar-background, #0078d4);
  }
  progress::-webkit-progress-bar {
    background: var(--vscode-input-background, #313131);
  }
  progress::-webkit-progress-value {
    background: var(--vscode-progressBar-background, #0078d4);
  }
`;

/**
 * The body of a patching comparison (the substitution panel and the dataset panel's mean maps):
 * the metric line and its notes, the sweep/values/export controls, the two heatmaps (stacked or
 * side by side), the threshold picker and the head-hint table with its AND-like / OR-like badges.
 */
export const patchComparisonStyles = css`
  .state-message {
    margin-bottom: 4px;
  }
  .metric {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 18px;
    margin: 4px 0;
  }
  .values {
    font-variant-numeric: tabular-nums;
  }
  .notes {
    margin: 4px 0;
    padding-left: 18px;
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
  .threshold select {
    font: inherit;
    color: var(--vscode-dropdown-foreground, inherit);
    background: var(--vscode-dropdown-background, transparent);
    border: 1px solid var(--vscode-dropdown-border, var(--vscode-contrastBorder, #888));
    padding: 1px 2px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 18px;
    margin: 10px 0;
  }
  .sweeps,
  .modes,
  .exports {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px;
  }
  button.seg {
    border-color: var(--vscode-button-border, var(--vscode-contrastBorder, transparent));
  }
  .key {
    margin-left: 6px;
    font-size: 0.9em;
  }
  .mark {
    margin-left: 4px;
    opacity: 0.85;
  }
  .pair {
    display: flex;
    flex-direction: column;
    gap: 16px;
  }
  .pair.side {
    flex-direction: row;
    align-items: flex-start;
  }
  figure {
    margin: 0;
    min-width: 0;
    flex: 1 1 0;
  }
  figcaption {
    display: flex;
    justify-content: space-between;
    gap: 8px;
    margin-bottom: 4px;
  }
  .pending {
    padding: 24px 0;
  }
  .hints table {
    border-collapse: collapse;
  }
  .hints th,
  .hints td {
    text-align: left;
    padding: 2px 12px 2px 0;
    vertical-align: top;
  }
  .hints th {
    font-weight: 600;
    border-bottom: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
  }
  .num {
    font-variant-numeric: tabular-nums;
    text-align: right;
  }
  .hint {
    font-weight: 600;
    padding: 0 5px;
    border-radius: 2px;
    border: 1px solid var(--vscode-contrastBorder, transparent);
    color: var(--vscode-badge-foreground, #f8f8f8);
    background: var(--vscode-badge-background, #616161);
  }
  .hint.and-like {
    background: var(--vscode-charts-purple, #b180d7);
    color: var(--vscode-editor-background, #1f1f1f);
  }
  .hint.or-like {
    background: var(--vscode-charts-green, #89d185);
    color: var(--vscode-editor-background, #1f1f1f);
  }
  .empty {
    padding: 24px 0;
  }
`;
