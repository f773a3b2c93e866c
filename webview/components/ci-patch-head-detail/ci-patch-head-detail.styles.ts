import { css } from 'lit';
import { baseStyles, canvasRoles, hoverTooltip } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  hoverTooltip,
  css`
    :host {
      display: block;
      --ci-patch-neg: var(--vscode-charts-blue, #3794ff);
      --ci-patch-pos: var(--vscode-charts-red, #f14c4c);
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
