import { css } from 'lit';
import { baseStyles, canvasRoles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  css`
    :host {
      display: block;
      min-width: 0;
      overflow-x: auto;
      --ci-cell: 36px;
      --ci-gap: 4px;
      --ci-cols: 12;
      --ci-rows: 12;
    }
    .frame {
      display: grid;
      grid-template-columns: auto max-content;
      grid-template-rows: auto max-content;
      column-gap: 6px;
      row-gap: 4px;
      width: max-content;
    }
    .corner {
      font-size: 0.85em;
      align-self: end;
      justify-self: end;
    }
    .cols,
    .rows {
      display: grid;
      font-size: 0.85em;
      font-variant-numeric: tabular-nums;
      color: var(--vscode-descriptionForeground, #9d9d9d);
      user-select: none;
    }
    .cols {
      grid-template-columns: repeat(var(--ci-cols), var(--ci-cell));
      column-gap: var(--ci-gap);
      text-align: center;
    }
    .rows {
      grid-template-rows: repeat(var(--ci-rows), var(--ci-cell));
      row-gap: var(--ci-gap);
      align-items: center;
      justify-items: end;
    }
    .cols span.active,
    .rows span.active {
      color: var(--vscode-foreground, #cccccc);
      font-weight: 600;
    }
    canvas {
      display: block;
      width: calc(var(--ci-cols) * (var(--ci-cell) + var(--ci-gap)) - var(--ci-gap));
      height: calc(var(--ci-rows) * (var(--ci-cell) + var(--ci-gap)) - var(--ci-gap));
      cursor: pointer;
      outline-offset: 3px;
    }
    .footer {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 16px;
      margin-top: 8px;
      min-height: 1.5em;
    }
    .legend {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 0.85em;
    }
    .ramp {
      display: inline-block;
      width: 72px;
      height: 10px;
      border: 1px solid var(--ci-canvas-border);
      background: linear-gradient(to right, var(--ci-canvas-background), var(--ci-heat-color));
    }
    .status {
      font-variant-numeric: tabular-nums;
    }
  `,
];
