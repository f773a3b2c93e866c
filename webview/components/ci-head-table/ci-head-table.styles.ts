import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 12px;
      margin-bottom: 6px;
    }
    vscode-textfield {
      width: 260px;
      max-width: 100%;
    }
    .error {
      color: var(--vscode-errorForeground, #f85149);
    }
    .scroll {
      max-height: 26em;
      overflow: auto;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      padding: 2px 10px;
      text-align: right;
      white-space: nowrap;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    thead th {
      position: sticky;
      top: 0;
      z-index: 1;
      background: var(--vscode-editorWidget-background, var(--vscode-editor-background, #202020));
      border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      font-weight: 600;
    }
    th button {
      font: inherit;
      font-weight: 600;
      color: inherit;
      background: none;
      border: none;
      padding: 2px 0;
      cursor: pointer;
    }
    th button:hover {
      color: var(--vscode-textLink-foreground, #4daafc);
    }
    .arrow {
      display: inline-block;
      width: 1em;
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    tbody tr {
      cursor: pointer;
    }
    tbody tr:nth-child(even) {
      background: var(--vscode-keybindingTable-rowsBackground, rgba(204, 204, 204, 0.04));
    }
    tbody tr:hover {
      background: var(--vscode-list-hoverBackground, #2a2d2e);
      color: var(--vscode-list-hoverForeground, inherit);
    }
    tbody tr.active {
      background: var(--vscode-list-inactiveSelectionBackground, #37373d);
      color: var(--vscode-list-inactiveSelectionForeground, inherit);
    }
    tbody tr.locked {
      background: var(--vscode-list-activeSelectionBackground, #04395e);
      color: var(--vscode-list-activeSelectionForeground, #ffffff);
      outline: 1px solid var(--vscode-contrastActiveBorder, transparent);
      outline-offset: -1px;
    }
    td button.head {
      font: inherit;
      color: inherit;
      background: none;
      border: none;
      padding: 0;
      cursor: pointer;
      font-family: var(--vscode-editor-font-family, monospace);
    }
    .none {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
  `,
];
