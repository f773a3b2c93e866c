import { css } from 'lit';
import { baseStyles, progressBarStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  progressBarStyles,
  css`
    :host {
      display: block;
      margin-top: 6px;
    }
    .row,
    .line {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 12px;
    }
    .row {
      min-height: 26px;
    }
    progress {
      width: 120px;
    }
    .num,
    .pct {
      font-variant-numeric: tabular-nums;
    }
    .message {
      margin-bottom: 2px;
    }
    .message.error {
      color: var(--vscode-errorForeground, #f85149);
    }
    .message.cancelled {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .result {
      display: grid;
      gap: 3px;
      padding: 6px 10px;
      border-left: 3px solid var(--vscode-charts-green, #89d185);
      background: var(--vscode-textBlockQuote-background, rgba(127, 127, 127, 0.1));
    }
    .result.notable {
      border-left-color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .result.notable .verdict {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
  `,
];
