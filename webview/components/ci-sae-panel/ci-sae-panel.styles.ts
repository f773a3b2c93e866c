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
    h2 {
      margin: 18px 0 6px;
    }
    .run .message {
      overflow-wrap: anywhere;
    }
    .banner.warning {
      border-color: var(--vscode-inputValidation-warningBorder, #b89500);
    }
    .notes {
      margin: 4px 0;
      padding-left: 18px;
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .sae-info {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 16px;
      margin: 2px 0 4px;
    }
    .sae-info .transform strong {
      color: var(--vscode-foreground, #cccccc);
      font-weight: 600;
    }
    .quality h2 {
      margin-top: 12px;
    }
    .verdict {
      margin: 4px 0 8px;
      padding: 6px 10px;
    }
    .verdict.poor {
      border: 1px solid var(--vscode-inputValidation-errorBorder, #f85149);
      background: var(--vscode-inputValidation-errorBackground, #5a1d1d);
    }
    .verdict.poor ul {
      margin: 4px 0 0;
      padding-left: 18px;
    }
    .verdict.good {
      padding: 0;
      color: var(--vscode-charts-green, #89d185);
    }
    .verdict.short {
      border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
      background: var(--vscode-textBlockQuote-background, rgba(127, 127, 127, 0.1));
    }
    .nums {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 26px;
      margin: 4px 0;
      font-variant-numeric: tabular-nums;
    }
    .nums dt {
      font-size: 0.88em;
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .nums dd {
      margin: 0;
      font-size: 1.08em;
      font-weight: 600;
    }
    .nums dd .muted {
      font-weight: normal;
      font-size: 0.85em;
    }
    .nums dd .ref {
      margin-left: 6px;
    }
    .worst {
      margin: 4px 0;
    }
    .thresholds summary {
      cursor: pointer;
      font-size: 0.92em;
    }
    .thresholds p {
      margin: 4px 0 0;
      max-width: 70em;
      font-size: 0.92em;
    }
    .seg-group {
      display: inline-flex;
      gap: 4px;
      font-weight: normal;
    }
    button.seg {
      font-size: 0.92em;
      padding: 1px 8px;
    }
    .columns {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
      gap: 0 20px;
      align-items: start;
    }
    .placeholder {
      margin: 18px 0 0;
      padding: 10px;
      border: 1px dashed var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
    }
    .card-section {
      margin-top: 18px;
    }
    .card-section > .placeholder {
      margin-top: 0;
    }
    .table-wrap {
      max-height: 22em;
      overflow: auto;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
    }
    table.features {
      width: 100%;
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    table.features th {
      position: sticky;
      top: 0;
      text-align: left;
      background: var(--vscode-editorWidget-background, var(--vscode-editor-background, #202020));
      border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      padding: 0;
    }
    table.features th.num,
    table.features td.num {
      text-align: right;
    }
    button.sort {
      font: inherit;
      font-weight: 600;
      color: var(--vscode-foreground, #cccccc);
      background: none;
      border: none;
      width: 100%;
      text-align: inherit;
      padding: 3px 8px;
      cursor: pointer;
    }
    button.sort:hover {
      background: var(--vscode-list-hoverBackground, #2a2d2e);
    }
    table.features td {
      padding: 1px 8px;
      border-bottom: 1px solid var(--vscode-keybindingTable-rowsBackground, rgba(128, 128, 128, 0.12));
    }
    table.features tr:hover td {
      background: var(--vscode-list-hoverBackground, #2a2d2e);
    }
    table.features tr.picked td {
      background: var(--vscode-list-inactiveSelectionBackground, #37373d);
    }
    :host-context(body.vscode-high-contrast) table.features tr.picked td {
      outline: 1px solid var(--vscode-contrastActiveBorder, #f38518);
    }
    .empty {
      padding: 24px 0;
    }
  `,
];
