import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
      margin-top: 4px;
      white-space: normal;
      --ci-strip-tick: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground, #cccccc));
    }
    svg {
      display: block;
      overflow: visible;
    }
    .axis {
      stroke: var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, #454545));
      stroke-width: 1;
    }
    .tick {
      stroke: var(--ci-strip-tick);
      stroke-opacity: 0.55;
      stroke-width: 1;
    }
    .se {
      fill: var(--vscode-charts-orange, #d18616);
      fill-opacity: 0.35;
    }
    .mean {
      stroke: var(--vscode-charts-orange, #d18616);
      stroke-width: 2;
    }
    .ref {
      stroke-width: 1;
      stroke-dasharray: 2 2;
    }
    .ref.clean {
      stroke: var(--vscode-charts-green, #89d185);
    }
    .ref.corrupt {
      stroke: var(--vscode-charts-red, #f14c4c);
    }
    text {
      font-size: 10px;
      font-family: var(--vscode-font-family, sans-serif);
    }
    .ref-label.clean {
      fill: var(--vscode-charts-green, #89d185);
    }
    .ref-label.corrupt {
      fill: var(--vscode-charts-red, #f14c4c);
    }
    .num {
      fill: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .key {
      font-size: 0.85em;
    }
    .k-mean {
      color: var(--vscode-charts-orange, #d18616);
    }
  `,
];
