import { css } from 'lit';
import { baseStyles, panelChromeStyles, patchComparisonStyles, progressBarStyles, segmentedButtonStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  segmentedButtonStyles,
  progressBarStyles,
  patchComparisonStyles,
  css`
    :host {
      display: block;
      padding-bottom: 24px;
    }
    h2 {
      font-size: 1.05em;
      font-weight: 600;
      margin: 18px 0 6px;
    }
    .prompts {
      margin: 8px 0;
      display: grid;
      gap: 4px;
    }
    .row {
      display: flex;
      gap: 10px;
      align-items: baseline;
    }
    .who {
      width: 56px;
      flex: none;
      text-align: right;
    }
    .tokens {
      display: flex;
      flex-wrap: wrap;
      gap: 2px;
    }
    .tok {
      padding: 0 3px;
      border-radius: 2px;
      border: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
      white-space: pre;
    }
    .tok.bos {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    /* A special token written in the text (<|endoftext|>): one token to the model, as in the attention strip. */
    .tok.special {
      font-style: italic;
      border-color: var(--vscode-charts-purple, #b180d7);
      color: var(--vscode-charts-purple, #b180d7);
    }
    /* An int8 run's logits error against fp32, under the header (as Inspect Attention shows it). */
    .precision {
      margin: 2px 0 6px;
      padding: 4px 8px;
      border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
      background: var(--vscode-textBlockQuote-background, rgba(127, 127, 127, 0.1));
      font-size: 0.95em;
    }
    .tok.diff {
      border-color: var(--vscode-diffEditor-insertedTextBorder, var(--vscode-focusBorder, #0078d4));
      background: var(--vscode-diffEditor-insertedTextBackground, rgba(156, 204, 44, 0.2));
      font-weight: 600;
    }
  `,
];
