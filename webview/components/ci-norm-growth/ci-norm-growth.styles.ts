import { css } from 'lit';
import { canvasPlotStyles } from '../../lib/sharedStyles.js';

export const styles = [
  ...canvasPlotStyles,
  css`
    :host {
      display: block;
      position: relative;
      --ci-norm-line: var(--vscode-charts-blue, #3794ff);
      --ci-norm-bos: var(--vscode-charts-orange, #d18616);
      --ci-norm-attn: var(--vscode-charts-blue, #3794ff);
      --ci-norm-mlp: var(--vscode-charts-purple, #b180d7);
    }
    .plots {
      display: flex;
      flex-direction: column;
      gap: 12px;
    }
    .plots.side {
      flex-direction: row;
      gap: 16px;
      align-items: flex-start;
    }
    canvas {
      display: block;
    }
  `,
];
