import { css } from 'lit';
import { baseStyles, canvasRoles, hoverTooltip } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  hoverTooltip,
  css`
    :host {
      display: block;
      position: relative;
    }
    .scroller {
      overflow-x: auto;
      overflow-y: hidden;
      max-width: 100%;
    }
    .track {
      position: relative;
    }
    .range {
      min-height: 1.4em;
      font-size: 0.92em;
    }
    canvas {
      display: block;
      position: sticky;
      left: 0;
      cursor: crosshair;
    }
  `,
];
