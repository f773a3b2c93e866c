import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 14px;
      padding-bottom: 8px;
      border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
    }
    h1 {
      font-size: 1.15em;
      font-weight: 600;
      margin: 0;
    }
    .model {
      font-family: var(--vscode-editor-font-family, monospace);
    }
    .facts {
      font-variant-numeric: tabular-nums;
    }
    .run {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      margin-left: auto;
    }
    .run.error {
      color: var(--vscode-errorForeground, #f85149);
    }
    .run.cancelled {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .export {
      margin-left: auto;
    }
    .run ~ .export {
      margin-left: 0;
    }
    vscode-progress-ring {
      width: 16px;
      height: 16px;
    }
    .precision {
      margin: 6px 0 0;
      color: var(--vscode-descriptionForeground, #9d9d9d);
      font-variant-numeric: tabular-nums;
    }
    .banner {
      display: flex;
      align-items: baseline;
      gap: 8px;
      margin-top: 8px;
      padding: 6px 10px;
      color: var(--vscode-inputValidation-warningForeground, var(--vscode-foreground, #cccccc));
      background: var(--vscode-inputValidation-warningBackground, #352a05);
      border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500);
    }
    .banner strong {
      font-weight: 600;
    }
  `,
];
