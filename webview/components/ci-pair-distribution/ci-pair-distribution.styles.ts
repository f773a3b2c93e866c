import { css } from 'lit';
import { canvasPlotStyles } from '../../lib/sharedStyles.js';

export const styles = [
  ...canvasPlotStyles,
  css`
    :host {
      display: block;
      /** @cssprop --ci-dist-clean - the mean clean reference line and each pair's clean mark */
      --ci-dist-clean: var(--vscode-charts-green, #89d185);
      /** @cssprop --ci-dist-corrupt - the mean corrupt reference line and each pair's corrupt mark */
      --ci-dist-corrupt: var(--vscode-charts-red, #f14c4c);
      /** @cssprop --ci-dist-mean - the mean and its standard-error band */
      --ci-dist-mean: var(--vscode-charts-orange, #d18616);
    }
    .wrap {
      position: relative;
      width: max-content;
      max-width: 100%;
    }
    canvas {
      display: block;
      cursor: pointer;
    }
  `,
];
