import { css } from 'lit';
import { baseStyles, panelChromeStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  css`
    :host {
      display: block;
      padding-bottom: 24px;
      min-width: 0;
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
    .exports {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px;
      margin-left: auto;
    }
    .notes,
    .verdicts {
      margin: 4px 0;
      padding-left: 18px;
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .inputs {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 14px;
      margin: 8px 0 4px;
    }
    .inputs label {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }
    .inputs vscode-textfield {
      width: 150px;
    }
    .error {
      flex-basis: 100%;
      color: var(--vscode-errorForeground, #f85149);
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 18px;
      margin: 4px 0 8px;
    }
    .seg-group {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px;
    }
    .seg-group > .muted {
      margin-right: 2px;
    }
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
    button.seg.legacy[aria-pressed='true'] {
      color: var(--vscode-editor-background, #1f1f1f);
      background: var(--vscode-editorWarning-foreground, #cca700);
    }
    .legacy-note {
      margin: 4px 0 8px;
      padding: 6px 10px;
      border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
      background: var(--vscode-textBlockQuote-background, rgba(127, 127, 127, 0.1));
    }
    .hint {
      margin: 4px 0 0;
      font-size: 0.92em;
    }
    .growth {
      font-variant-numeric: tabular-nums;
    }
    .empty {
      padding: 24px 0;
    }
  `,
];
