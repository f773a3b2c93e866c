import { css } from 'lit';
import { baseStyles, canvasRoles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  canvasRoles,
  css`
    :host {
      display: block;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 16px;
      margin-bottom: 6px;
    }
    .legend {
      flex: 1 1 240px;
    }
    .strip {
      font-family: var(--vscode-editor-font-family, monospace);
      font-size: var(--vscode-editor-font-size, 13px);
      line-height: 1.9;
      max-height: 16em;
      overflow: auto;
      padding: 4px 6px;
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35)));
      background: var(--vscode-editor-background, #1f1f1f);
    }
    .tok {
      display: inline-block;
      white-space: pre;
      padding: 0 1px;
      margin: 0 1px 1px 0;
      border-radius: 2px;
      border: 1px solid transparent;
      border-bottom-color: var(--vscode-contrastBorder, rgba(128, 128, 128, 0.35));
      cursor: pointer;
      line-height: 1.45;
      color: var(--vscode-editor-foreground, var(--vscode-foreground, #cccccc));
    }
    /* A special token written in the text (<|endoftext|>): one token to the model, not its characters. */
    .tok.special {
      font-style: italic;
      border: 1px solid var(--vscode-charts-purple, #b180d7);
      color: var(--vscode-charts-purple, #b180d7);
    }
    .tok:hover {
      border-color: var(--ci-canvas-hover);
    }
    .tok.bos {
      font-style: italic;
      color: var(--vscode-descriptionForeground, #9d9d9d);
      border-style: dashed;
      border-color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .tok.watched {
      text-decoration: underline wavy var(--vscode-editorWarning-foreground, #cca700);
      text-decoration-thickness: 1px;
      text-underline-offset: 3px;
    }
    .tok.active {
      border-color: var(--ci-canvas-hover);
      border-width: 1px;
    }
    .tok.locked {
      border: 2px solid var(--ci-canvas-focus);
      margin: -1px 0 0 -1px;
    }
    .tok:focus-visible {
      outline: 1px solid var(--vscode-focusBorder, #0078d4);
      outline-offset: 1px;
    }
    /* Attention weight, quantized to 10 levels (no inline styles under the CSP). */
    .tok[data-w='1'] {
      background: color-mix(in srgb, var(--ci-heat-color) 8%, transparent);
    }
    .tok[data-w='2'] {
      background: color-mix(in srgb, var(--ci-heat-color) 14%, transparent);
    }
    .tok[data-w='3'] {
      background: color-mix(in srgb, var(--ci-heat-color) 20%, transparent);
    }
    .tok[data-w='4'] {
      background: color-mix(in srgb, var(--ci-heat-color) 26%, transparent);
    }
    .tok[data-w='5'] {
      background: color-mix(in srgb, var(--ci-heat-color) 32%, transparent);
    }
    .tok[data-w='6'] {
      background: color-mix(in srgb, var(--ci-heat-color) 38%, transparent);
    }
    .tok[data-w='7'] {
      background: color-mix(in srgb, var(--ci-heat-color) 44%, transparent);
    }
    .tok[data-w='8'] {
      background: color-mix(in srgb, var(--ci-heat-color) 50%, transparent);
    }
    .tok[data-w='9'] {
      background: color-mix(in srgb, var(--ci-heat-color) 56%, transparent);
    }
    .tok[data-w='10'] {
      background: color-mix(in srgb, var(--ci-heat-color) 62%, transparent);
    }
  `,
];
