import { css } from 'lit';
import { baseStyles, divergingRoles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  divergingRoles,
  css`
    :host {
      display: block;
    }
    h2 {
      font-size: 1.05em;
      font-weight: 600;
      margin: 18px 0 6px;
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 12px;
    }
    .sae {
      font-weight: normal;
      font-size: 0.92em;
    }
    .hint-line {
      margin: 14px 0 4px;
    }
    .why {
      cursor: help;
      margin-left: 6px;
      text-decoration: underline dotted;
    }
    .state {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 12px;
      min-height: 1.6em;
    }
    .state-text.error {
      color: var(--vscode-errorForeground, #f85149);
    }
    progress {
      width: 120px;
      height: 6px;
      appearance: none;
      border: 1px solid var(--vscode-contrastBorder, transparent);
    }
    progress::-webkit-progress-bar {
      background: var(--vscode-input-background, #313131);
    }
    progress::-webkit-progress-value {
      background: var(--vscode-progressBar-background, #0078d4);
    }
    .warnings {
      margin: 4px 0;
      padding-left: 18px;
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .caption,
    .foot {
      margin: 6px 0;
      max-width: 70em;
    }
    .key {
      white-space: nowrap;
      margin-left: 6px;
    }
    .swatch {
      display: inline-block;
      width: 14px;
      height: 7px;
      margin: 0 3px 0 8px;
      vertical-align: middle;
      border: 1px solid var(--vscode-foreground, #cccccc);
    }
    .swatch.exact {
      background: var(--vscode-foreground, #cccccc);
    }
    table {
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      padding: 3px 10px 3px 0;
      vertical-align: middle;
    }
    th {
      font-weight: 600;
      border-bottom: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
    }
    tr.note td {
      padding-top: 0;
      font-size: 0.92em;
    }
    .peak {
      white-space: nowrap;
      max-width: 14em;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .cell > * {
      display: inline-block;
      vertical-align: middle;
    }
    .num {
      font-variant-numeric: tabular-nums;
      text-align: right;
      white-space: nowrap;
      line-height: 1.25;
      min-width: 4.5em;
      margin-right: 8px;
    }
    .est-text {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .cell.disagree .exact-text {
      color: var(--vscode-editorWarning-foreground, #cca700);
      font-weight: 600;
    }
    .bars {
      width: 130px;
    }
    .track {
      position: relative;
      height: 8px;
      margin: 3px 0;
      background: linear-gradient(var(--vscode-widget-border, rgba(128, 128, 128, 0.5)), var(--vscode-widget-border, rgba(128, 128, 128, 0.5))) center / 1px
        100% no-repeat;
    }
    .bar {
      position: absolute;
      top: 0;
      bottom: 0;
    }
    .track.est .bar {
      border: 1px solid var(--ci-patch-pos);
      background: transparent;
    }
    .track.est .bar.neg {
      border-color: var(--ci-patch-neg);
    }
    .track.exact .bar.pos {
      background: var(--ci-patch-pos);
    }
    .track.exact .bar.neg {
      background: var(--ci-patch-neg);
    }
    .verdict {
      font-weight: 600;
      padding: 0 5px;
      border-radius: 2px;
      border: 1px solid var(--vscode-contrastBorder, transparent);
      color: var(--vscode-badge-foreground, #f8f8f8);
      background: var(--vscode-badge-background, #616161);
    }
    .verdict.carries {
      background: var(--vscode-charts-green, #89d185);
      color: var(--vscode-editor-background, #1f1f1f);
    }
    .warn {
      color: var(--vscode-editorWarning-foreground, #cca700);
      margin-left: 6px;
      cursor: help;
    }
  `,
];
