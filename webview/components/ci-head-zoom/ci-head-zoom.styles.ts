import { css } from 'lit';
import { canvasPlotStyles } from '../../lib/sharedStyles.js';

export const styles = [
  ...canvasPlotStyles,
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
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 6px;
      margin-bottom: 4px;
    }
    .zb {
      min-width: 26px;
      height: 22px;
      padding: 0 6px;
      font: inherit;
      border-radius: 2px;
      border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent));
      color: var(--vscode-button-secondaryForeground, #cccccc);
      background: var(--vscode-button-secondaryBackground, #313131);
      cursor: pointer;
    }
    .zb:hover:not(:disabled) {
      background: var(--vscode-button-secondaryHoverBackground, #3c3c3c);
    }
    .zb:disabled {
      opacity: 0.5;
      cursor: default;
    }
    .slider {
      width: 140px;
      accent-color: var(--vscode-focusBorder, #0078d4);
    }
    .zoominfo {
      font-size: 0.85em;
      font-variant-numeric: tabular-nums;
    }
    .view {
      position: relative;
    }
    canvas {
      display: block;
    }
    .scroller {
      position: absolute;
      overflow: hidden;
      cursor: crosshair;
      outline-offset: 2px;
    }
    .scroller.zoomed {
      overflow: auto;
    }
    .scroller::-webkit-scrollbar {
      width: 10px;
      height: 10px;
    }
    .scroller::-webkit-scrollbar-thumb {
      background: var(--vscode-scrollbarSlider-background, rgba(121, 121, 121, 0.4));
    }
    .scroller::-webkit-scrollbar-thumb:hover {
      background: var(--vscode-scrollbarSlider-hoverBackground, rgba(100, 100, 100, 0.7));
    }
    .scroller::-webkit-scrollbar-thumb:active {
      background: var(--vscode-scrollbarSlider-activeBackground, rgba(191, 191, 191, 0.4));
    }
    .scroller::-webkit-scrollbar-corner {
      background: transparent;
    }
    .readout {
      margin-top: 4px;
      min-height: 1.4em;
      font-family: var(--vscode-editor-font-family, monospace);
      font-size: 0.9em;
      font-variant-numeric: tabular-nums;
      overflow-wrap: anywhere;
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
