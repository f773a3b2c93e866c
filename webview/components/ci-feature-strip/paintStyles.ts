/**
 * Token paint shared by the feature strip, the ablated text and the examples: `data-level` 1..6
 * tints a token with the feature's activation colour, `data-v` −6..6 with the diverging pair
 * (divergingRoles: blue negative, red positive). Attribute selectors, so no inline styles under the
 * webview's CSP.
 */
import { css, unsafeCSS } from 'lit';

const STEPS = [1, 2, 3, 4, 5, 6];
const mixPct = (level: number) => 16 + (level - 1) * 11;

/** @cssprop --ci-feature-act - the colour of a feature's activation */
export const featureActRole = css`
  :host {
    --ci-feature-act: var(--vscode-charts-orange, #d18616);
  }
`;

export const actLevelStyles = unsafeCSS(
  STEPS.map((l) => `[data-level='${l}'] { background: color-mix(in srgb, var(--ci-feature-act) ${mixPct(l)}%, transparent); }`).join('\n'),
);

export const signedLevelStyles = unsafeCSS(
  STEPS.map(
    (l) =>
      `[data-v='${l}'] { background: color-mix(in srgb, var(--ci-patch-pos) ${mixPct(l)}%, transparent); }\n` +
      `[data-v='-${l}'] { background: color-mix(in srgb, var(--ci-patch-neg) ${mixPct(l)}%, transparent); }`,
  ).join('\n'),
);

/** A painted token in running text (editor font, whitespace kept, a hairline border for focus and outlines). */
export const paintedTokenStyles = css`
  /* No padding, margin or border: the tokens read as running text; outlines are drawn inside (box-shadow). */
  .ptok {
    display: inline-block;
    white-space: pre;
    border-radius: 2px;
    line-height: 1.45;
    color: var(--vscode-editor-foreground, var(--vscode-foreground, #cccccc));
  }
  .ptok.bos {
    font-style: italic;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    outline: 1px dashed var(--vscode-descriptionForeground, #9d9d9d);
    outline-offset: -1px;
    margin-right: 3px;
  }
  .ptok.special {
    font-style: italic;
    box-shadow: inset 0 0 0 1px var(--vscode-charts-purple, #b180d7);
  }
  .painted {
    font-family: var(--vscode-editor-font-family, monospace);
    font-size: var(--vscode-editor-font-size, 13px);
    line-height: 1.9;
  }
  :host-context(body.vscode-high-contrast) [data-level]:not([data-level='0']),
  :host-context(body.vscode-high-contrast) [data-v]:not([data-v='0']) {
    text-decoration: underline;
    text-underline-offset: 3px;
  }
`;
