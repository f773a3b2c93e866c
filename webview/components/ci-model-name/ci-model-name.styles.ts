import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: inline-flex;
      align-items: baseline;
      gap: 6px;
    }
    .name {
      font-family: var(--vscode-editor-font-family, monospace);
    }
    .badge {
      padding: 0 6px;
      border-radius: 9px;
      font-size: 0.85em;
      white-space: nowrap;
      color: var(--vscode-inputValidation-warningForeground, var(--vscode-foreground, #cccccc));
      background: var(--vscode-inputValidation-warningBackground, #352a05);
      border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500);
      cursor: help;
    }
  `,
];
