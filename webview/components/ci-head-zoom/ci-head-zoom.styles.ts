import { css } from 'lit';
import { baseStyles, canvasRoles, hoverTooltip } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  hoverTooltip,
  css`
    :host {
      display: block;
      min-width: 260px;
    }
    .title {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 12px;
      margin-bottom: 6px;
      min-height: 1.5em;
    }
    .title strong {
      font-weight: 600;
    }
    .tag {
      font-size: 0.85em;
      padding: 0 6px;
      border-radius: 2px;
      border: 1px solid var(--vscode-contrastBorder, transparent);
      background: var(--vscode-badge-background, #616161);
      color: var(--vscode-badge-foreground, #f8f8f8);
    }
    .scores {
      font-variant-numeric: tabular-nums;
    }
    .wrap {
      position: relative;
      width: max-content;
    }
    canvas {
      display: block;
    }
    .placeholder {
      display: flex;
      align-items: center;
      gap: 8px;
      min-height: 120px;
      padding: 12px;
      border: 1px dashed var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
    }
    .error {
      color: var(--vscode-errorForeground, #f85149);
    }
    vscode-progress-ring {
      width: 18px;
      height: 18px;
    }
  `,
];
