import { css } from 'lit';
import { baseStyles, canvasRoles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
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
    .tooltip {
      position: absolute;
      left: 0;
      top: 0;
      pointer-events: none;
      z-index: 1;
      padding: 3px 7px;
      white-space: pre;
      font-variant-numeric: tabular-nums;
      color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground, #cccccc));
      background: var(--vscode-editorHoverWidget-background, #202020);
      border: 1px solid var(--vscode-editorHoverWidget-border, #454545);
      box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
    }
    .tooltip[hidden] {
      display: none;
    }
  `,
];
