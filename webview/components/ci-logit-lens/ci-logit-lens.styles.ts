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
    .pending {
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 10px;
      box-sizing: border-box;
      border: 1px dashed var(--vscode-panel-border, var(--vscode-widget-border, currentColor));
      border-radius: 2px;
      color: var(--vscode-descriptionForeground);
      padding: 12px;
      text-align: center;
    }
    .pending.busy {
      color: var(--vscode-foreground);
    }
    .pending progress {
      appearance: none;
      width: min(320px, 80%);
      height: 4px;
      border: none;
      background: var(--vscode-input-background, transparent);
      outline: 1px solid var(--vscode-contrastBorder, transparent);
    }
    .pending progress::-webkit-progress-bar {
      background: var(--vscode-input-background, transparent);
    }
    .pending progress::-webkit-progress-value {
      background: var(--vscode-progressBar-background);
    }
    canvas {
      display: block;
      position: sticky;
      left: 0;
      cursor: crosshair;
    }
  `,
];
