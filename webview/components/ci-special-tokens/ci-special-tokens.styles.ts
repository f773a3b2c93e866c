import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 26em;
      overflow: auto;
    }
    li {
      padding: 6px 8px;
      border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.25)));
    }
    li:last-child {
      border-bottom: none;
    }
    .line {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 10px;
    }
    .token {
      font-family: var(--vscode-editor-font-family, monospace);
      white-space: pre;
      padding: 0 4px;
      border-radius: 2px;
      border: 1px solid var(--vscode-contrastBorder, transparent);
      background: var(--vscode-textCodeBlock-background, rgba(128, 128, 128, 0.15));
    }
    .token.watched {
      text-decoration: underline wavy var(--vscode-editorWarning-foreground, #cca700);
      text-decoration-thickness: 1px;
      text-underline-offset: 3px;
    }
    .kind {
      font-size: 0.85em;
    }
    .dir-more {
      color: var(--vscode-charts-blue, #3794ff);
    }
    .dir-less {
      color: var(--vscode-charts-orange, #d18616);
    }
    .message {
      margin: 2px 0 4px;
    }
    .heads {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
    }
    .heads button {
      font: inherit;
      font-size: 0.9em;
      font-variant-numeric: tabular-nums;
      cursor: pointer;
      padding: 1px 6px;
      border-radius: 2px;
      color: var(--vscode-button-secondaryForeground, #cccccc);
      background: var(--vscode-button-secondaryBackground, transparent);
      border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
    }
    .heads button:hover {
      background: var(--vscode-button-secondaryHoverBackground, #3c3c3c);
    }
    .heads button[aria-pressed='true'] {
      color: var(--vscode-button-foreground, #ffffff);
      background: var(--vscode-button-background, #0078d4);
      outline: 1px solid var(--vscode-contrastActiveBorder, transparent);
      outline-offset: 1px;
    }
    .empty {
      padding: 8px;
    }
    .watched {
      list-style: none;
      margin: 0;
      padding: 4px 8px;
    }
    .watched li {
      padding: 2px 0;
      border-bottom: none;
    }
    .explain {
      margin: 4px 8px;
      font-size: 0.9em;
    }
  `,
];
