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
      /* Past MIN_CELL_W a column (a very long prompt), the plot scrolls sideways. */
      overflow-x: auto;
    }
    canvas {
      display: block;
      cursor: crosshair;
    }
    .tooltip .detail {
      white-space: normal;
    }
  `,
];
