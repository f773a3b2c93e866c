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
      font-size: 1.05em;
      font-weight: 600;
      margin: 18px 0 6px;
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
    .prompts {
      margin: 8px 0;
      display: grid;
      gap: 4px;
    }
    .row {
      display: flex;
      gap: 10px;
      align-items: baseline;
    }
    .who {
      width: 56px;
      flex: none;
      text-align: right;
    }
    .tokens {
      display: flex;
      flex-wrap: wrap;
      gap: 2px;
    }
    .tok {
      padding: 0 3px;
      border-radius: 2px;
      border: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
      white-space: pre;
    }
    .tok.bos {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    /* A special token written in the text (<|endoftext|>): one token to the model, as in the attention strip. */
    .tok.special {
      font-style: italic;
      border-color: var(--vscode-charts-purple, #b180d7);
      color: var(--vscode-charts-purple, #b180d7);
    }
    .tok.diff {
      border-color: var(--vscode-diffEditor-insertedTextBorder, var(--vscode-focusBorder, #0078d4));
      background: var(--vscode-diffEditor-insertedTextBackground, rgba(156, 204, 44, 0.2));
      font-weight: 600;
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
  `,
];
