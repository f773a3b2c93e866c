import { css } from 'lit';
import { baseStyles, divergingRoles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  divergingRoles,
  css`
    :host {
      display: block;
    }
    .strip {
      font-family: var(--vscode-editor-font-family, monospace);
      font-size: var(--vscode-editor-font-size, 13px);
      line-height: 1.9;
      max-height: 14em;
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
      line-height: 1.45;
      color: var(--vscode-editor-foreground, var(--vscode-foreground, #cccccc));
    }
    .tok.bos {
      font-style: italic;
      border-style: dashed;
      border-color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .tok.after {
      opacity: 0.45;
    }
    .tok.at {
      border: 2px solid var(--vscode-contrastActiveBorder, var(--vscode-focusBorder, #0078d4));
    }
    .tok[data-v='1'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 19%, transparent);
    }
    .tok[data-v='2'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 28%, transparent);
    }
    .tok[data-v='3'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 37%, transparent);
    }
    .tok[data-v='4'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 46%, transparent);
    }
    .tok[data-v='5'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 55%, transparent);
    }
    .tok[data-v='6'] {
      background: color-mix(in srgb, var(--ci-patch-pos) 64%, transparent);
    }
    .tok[data-v='-1'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 19%, transparent);
    }
    .tok[data-v='-2'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 28%, transparent);
    }
    .tok[data-v='-3'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 37%, transparent);
    }
    .tok[data-v='-4'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 46%, transparent);
    }
    .tok[data-v='-5'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 55%, transparent);
    }
    .tok[data-v='-6'] {
      background: color-mix(in srgb, var(--ci-patch-neg) 64%, transparent);
    }
    .key {
      margin-top: 4px;
      font-size: 0.92em;
    }
    .sw {
      display: inline-block;
      width: 10px;
      height: 10px;
      vertical-align: middle;
      border: 1px solid var(--vscode-contrastBorder, transparent);
    }
    .sw.neg {
      background: var(--ci-patch-neg);
    }
    .sw.pos {
      background: var(--ci-patch-pos);
    }
  `,
];
