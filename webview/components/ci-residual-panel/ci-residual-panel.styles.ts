import { css } from 'lit';
import { baseStyles, panelChromeStyles, sectionHeadingStyles, segmentedButtonStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  sectionHeadingStyles,
  segmentedButtonStyles,
  css`
    :host {
      display: block;
      padding-bottom: 24px;
      min-width: 0;
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
