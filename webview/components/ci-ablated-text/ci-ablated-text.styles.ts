import { css } from 'lit';
import { baseStyles, divergingRoles } from '../../lib/sharedStyles.js';
import { paintedTokenStyles, signedLevelStyles } from '../ci-feature-strip/paintStyles.js';

export const styles = [
  baseStyles,
  divergingRoles,
  paintedTokenStyles,
  css`
    :host {
      display: block;
    }
    .head {
      margin: 2px 0 6px;
      font-variant-numeric: tabular-nums;
    }
    .note {
      margin: 4px 0;
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .text {
      max-height: 16em;
      overflow: auto;
      padding: 6px 8px;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      background: var(--vscode-editor-background, #1f1f1f);
    }
    ${signedLevelStyles}
    .ptok.after {
      opacity: 0.4;
    }
    .ptok.at {
      padding: 0 3px;
      box-shadow: inset 0 0 0 2px var(--vscode-contrastActiveBorder, var(--vscode-editor-foreground, #cccccc));
    }
    .ptok:hover {
      box-shadow: inset 0 0 0 1px var(--vscode-charts-orange, #d18616);
    }
    .ptok.at:hover {
      box-shadow: inset 0 0 0 2px var(--vscode-charts-orange, #d18616);
    }
    .readout {
      min-height: 2em;
      padding: 4px 2px;
      font-variant-numeric: tabular-nums;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 14px;
      font-size: 0.92em;
    }
    .scale {
      display: inline-flex;
      gap: 2px;
    }
    .step {
      display: inline-flex;
      flex-direction: column;
      align-items: center;
      min-width: 3.6em;
      font-variant-numeric: tabular-nums;
    }
    .sw {
      display: block;
      width: 100%;
      height: 10px;
      border: 1px solid var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35));
    }
    .key.neg {
      color: var(--vscode-charts-blue, #3794ff);
      font-weight: 600;
    }
    .key.pos {
      color: var(--vscode-charts-red, #f14c4c);
      font-weight: 600;
    }
  `,
];
