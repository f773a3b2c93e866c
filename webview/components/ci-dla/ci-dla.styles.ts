import { css } from 'lit';
import { canvasPlotStyles, divergingRoles } from '../../lib/sharedStyles.js';

export const styles = [
  ...canvasPlotStyles,
  divergingRoles,
  css`
    :host {
      display: block;
    }
    .check {
      margin: 4px 0 6px;
    }
    .check.ok strong {
      font-weight: 600;
    }
    .check.bad {
      padding: 6px 10px;
      border: 1px solid var(--vscode-inputValidation-errorBorder, #f85149);
      background: var(--vscode-inputValidation-errorBackground, #5a1d1d);
    }
    .notes {
      margin: 4px 0 8px;
      padding-left: 18px;
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .pair {
      display: flex;
      flex-direction: column;
      gap: 14px;
    }
    .pair.side {
      flex-direction: row;
      align-items: flex-start;
      gap: 20px;
    }
    .bars-wrap {
      position: relative;
    }
    canvas.bars {
      display: block;
    }
    .sources p {
      margin: 10px 0 6px;
    }
  `,
];
