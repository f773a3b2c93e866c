import { css } from 'lit';
import { canvasPlotStyles, divergingRoles } from '../../lib/sharedStyles.js';

export const styles = [
  ...canvasPlotStyles,
  divergingRoles,
  css`
    :host {
      display: block;
    }
    .wrap {
      position: relative;
      width: max-content;
      max-width: 100%;
      overflow-x: auto;
    }
    canvas {
      display: block;
    }
    .msg {
      display: flex;
      align-items: center;
      gap: 8px;
      min-height: 48px;
    }
    .error {
      color: var(--vscode-errorForeground, #f85149);
    }
  `,
];
