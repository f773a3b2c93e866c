import { css } from 'lit';
import { baseStyles, canvasRoles } from '../../lib/sharedStyles.js';
import { actLevelStyles, featureActRole } from './paintStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  featureActRole,
  css`
    :host {
      display: block;
    }
    .strip {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 6px 3px;
      max-height: 30em;
      overflow: auto;
      padding: 6px;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      background: var(--vscode-editor-background, #1f1f1f);
    }
    .br {
      flex-basis: 100%;
      height: 0;
    }
    .tok {
      display: inline-flex;
      flex-direction: column;
      align-items: stretch;
      gap: 2px;
      padding: 1px 2px 2px;
      border: 1px solid transparent;
      border-radius: 3px;
      cursor: pointer;
      min-width: 1.2em;
    }
    .tok:hover,
    .tok.hovered {
      border-color: var(--ci-canvas-hover);
    }
    .tok.locked {
      border: 2px solid var(--ci-canvas-focus);
      padding: 0 1px 1px;
    }
    .tok:focus-visible {
      outline: 1px solid var(--vscode-focusBorder, #0078d4);
      outline-offset: 1px;
    }
    .text {
      padding: 0 2px;
      border-radius: 2px;
      font-family: var(--vscode-editor-font-family, monospace);
      font-size: var(--vscode-editor-font-size, 13px);
      white-space: pre;
      line-height: 1.45;
      color: var(--vscode-editor-foreground, var(--vscode-foreground, #cccccc));
    }
    .tok.bos .text {
      font-style: italic;
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .tok.special .text {
      font-style: italic;
      color: var(--vscode-charts-purple, #b180d7);
    }
    ${actLevelStyles}
    :host-context(body.vscode-high-contrast) .text:not([data-level='0']) {
      text-decoration: underline;
      text-underline-offset: 3px;
    }
    .chips {
      display: flex;
      flex-direction: column;
      gap: 1px;
    }
    .chip {
      display: inline-flex;
      justify-content: space-between;
      gap: 4px;
      font-size: 0.8em;
      line-height: 1.35;
      padding: 0 4px;
      border-radius: 2px;
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
      color: var(--vscode-badge-foreground, #f8f8f8);
      background: var(--vscode-badge-background, #616161);
      border: 1px solid var(--vscode-contrastBorder, transparent);
    }
    .chip .act {
      opacity: 0.8;
    }
    .chip.picked {
      color: var(--vscode-button-foreground, #ffffff);
      background: var(--vscode-button-background, #0078d4);
      outline: 1px solid var(--vscode-contrastActiveBorder, transparent);
    }
    .chip.none {
      background: transparent;
      color: var(--vscode-descriptionForeground, #9d9d9d);
      border-color: transparent;
    }
    .chip:hover {
      text-decoration: underline;
    }
    .marker {
      display: block;
      height: 4px;
      border-radius: 1px;
      /* Neutral: the orange tint is the picked feature's activation, the bar is the token's top activation. */
      background: var(--vscode-descriptionForeground, #9d9d9d);
      width: 0;
    }
    .marker[data-bar='1'] {
      width: 17%;
    }
    .marker[data-bar='2'] {
      width: 33%;
    }
    .marker[data-bar='3'] {
      width: 50%;
    }
    .marker[data-bar='4'] {
      width: 67%;
    }
    .marker[data-bar='5'] {
      width: 83%;
    }
    .marker[data-bar='6'] {
      width: 100%;
    }
    .readout {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 10px;
      min-height: 2.2em;
      padding: 4px 2px;
      font-variant-numeric: tabular-nums;
    }
    .pair {
      white-space: nowrap;
    }
    .key {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 0.92em;
    }
    .steps {
      display: inline-flex;
      gap: 1px;
    }
    .sw {
      display: inline-block;
      width: 18px;
      height: 10px;
      border: 1px solid var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35));
    }
  `,
];
