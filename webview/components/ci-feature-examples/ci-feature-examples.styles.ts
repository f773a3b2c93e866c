import { css } from 'lit';
import { baseStyles, panelChromeStyles } from '../../lib/sharedStyles.js';
import { actLevelStyles, featureActRole, paintedTokenStyles } from '../ci-feature-strip/paintStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  featureActRole,
  paintedTokenStyles,
  css`
    :host {
      display: block;
    }
    ${actLevelStyles}
    .progress {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 12px;
      margin: 4px 0 8px;
    }
    .progress vscode-progress-bar {
      flex: 1 1 100%;
    }
    .stats {
      font-variant-numeric: tabular-nums;
    }
    .error {
      margin: 6px 0;
      padding: 6px 10px;
      color: var(--vscode-errorForeground, #f85149);
      border: 1px solid var(--vscode-inputValidation-errorBorder, #f85149);
    }
    .summary {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 14px;
      margin: 4px 0;
      font-variant-numeric: tabular-nums;
    }
    h3 {
      font-size: 0.98em;
      font-weight: 600;
      margin: 12px 0 4px;
    }
    h3 .sub {
      font-weight: normal;
      font-size: 0.92em;
      margin-left: 8px;
    }
    .examples {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 3px;
    }
    .ex {
      display: flex;
      align-items: baseline;
      gap: 12px;
      width: 100%;
      text-align: left;
      font: inherit;
      color: inherit;
      background: var(--vscode-editor-background, #1f1f1f);
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      padding: 3px 8px;
      cursor: pointer;
      overflow: hidden;
    }
    .ex:hover {
      background: var(--vscode-list-hoverBackground, #2a2d2e);
    }
    .ex:focus-visible {
      outline: 1px solid var(--vscode-focusBorder, #0078d4);
    }
    .where {
      flex: 0 0 15em;
      display: flex;
      gap: 8px;
      font-size: 0.9em;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .act {
      font-variant-numeric: tabular-nums;
      font-weight: 600;
      min-width: 3.2em;
      text-align: right;
    }
    .file {
      color: var(--vscode-textLink-foreground, #4daafc);
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .snippet {
      white-space: nowrap;
      overflow: hidden;
      line-height: 1.6;
    }
    .ptok.peak {
      box-shadow: inset 0 0 0 1px var(--vscode-contrastActiveBorder, var(--vscode-foreground, #cccccc));
    }
    .band {
      display: grid;
      grid-template-columns: 6em 1fr;
      gap: 4px 8px;
      margin-bottom: 4px;
    }
    .band-label {
      font-variant-numeric: tabular-nums;
      padding-top: 4px;
    }
    @media (max-width: 640px) {
      .ex {
        flex-direction: column;
        gap: 0;
      }
      .where {
        flex-basis: auto;
      }
      .band {
        grid-template-columns: 1fr;
      }
    }
  `,
];
