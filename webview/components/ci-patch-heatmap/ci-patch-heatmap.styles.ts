import { css } from 'lit';
import { baseStyles, canvasRoles, hoverTooltip } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  hoverTooltip,
  css`
    :host {
      display: block;
      /** @cssprop --ci-patch-neg - colour of negative values */
      --ci-patch-neg: var(--vscode-charts-blue, #3794ff);
      /** @cssprop --ci-patch-pos - colour of positive values */
      --ci-patch-pos: var(--vscode-charts-red, #f14c4c);
    }
    .wrap {
      position: relative;
      width: max-content;
      max-width: 100%;
      /* Past MIN_CELL_W a column (a very long prompt), the plot scrolls sideways. */
      overflow-x: auto;
    }
    canvas {
      display: block;
      cursor: crosshair;
    }
  `,
];
