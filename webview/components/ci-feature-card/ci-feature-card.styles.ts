import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .card {
      padding: 8px 12px 10px;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      background: var(--vscode-editorWidget-background, var(--vscode-editor-background, #202020));
    }
    h2 {
      display: flex;
      align-items: center;
      gap: 10px;
      font-size: 1.1em;
      font-weight: 600;
      margin: 0 0 6px;
    }
    .fid {
      font-size: 1.05em;
    }
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 12px;
      margin: 0 0 8px;
      font-variant-numeric: tabular-nums;
    }
    dt {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    dd {
      margin: 0;
    }
    .lens {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
      gap: 4px 18px;
    }
    h3 {
      font-size: 0.95em;
      font-weight: 600;
      margin: 4px 0 2px;
    }
    ol {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      display: flex;
      justify-content: space-between;
      gap: 12px;
      padding: 1px 4px;
      font-variant-numeric: tabular-nums;
      border-bottom: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.2));
    }
    .tok {
      white-space: pre;
    }
    .top .val {
      color: var(--vscode-charts-red, #f14c4c);
    }
    .bottom .val {
      color: var(--vscode-charts-blue, #3794ff);
    }
    :host-context(body.vscode-high-contrast) .val {
      color: var(--vscode-foreground);
    }
    .basis {
      margin: 4px 0 8px;
      font-size: 0.92em;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 14px;
    }
    button.link[disabled] {
      opacity: 0.5;
      cursor: default;
    }
    .hint {
      margin: 6px 0 0;
      font-size: 0.92em;
    }
  `,
];
