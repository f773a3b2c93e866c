import { css } from 'lit';
import { baseStyles, panelChromeStyles, segmentedButtonStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  segmentedButtonStyles,
  css`
    :host {
      display: block;
      padding-bottom: 24px;
    }
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
    .file {
      font-weight: 600;
    }
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
    .partial-label {
      font-weight: 600;
      padding: 0 6px;
      border-radius: 2px;
      border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500);
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
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
    .fade {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    .fade input {
      accent-color: var(--vscode-checkbox-background, #0078d4);
      margin: 0;
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
    .resolution {
      margin: 8px 0 0;
      max-width: 110ch;
    }
    .opened {
      margin: 6px 0 0;
      color: var(--vscode-textLink-foreground, #4daafc);
    }
    .threshold select {
      font: inherit;
      color: var(--vscode-dropdown-foreground, inherit);
      background: var(--vscode-dropdown-background, transparent);
      border: 1px solid var(--vscode-dropdown-border, var(--vscode-contrastBorder, #888));
      padding: 1px 2px;
    }
    .rule {
      max-width: 110ch;
      font-size: 0.92em;
    }
    .withheld,
    .unsure {
      max-width: 110ch;
    }
    .hints table {
      border-collapse: collapse;
    }
    .hints th,
    .hints td {
      text-align: left;
      padding: 2px 14px 2px 0;
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
  `,
];
