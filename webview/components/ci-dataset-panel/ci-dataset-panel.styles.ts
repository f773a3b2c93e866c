import { css } from 'lit';
import { baseStyles, panelChromeStyles, patchComparisonStyles, progressBarStyles, sectionTitleStyles, segmentedButtonStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  panelChromeStyles,
  segmentedButtonStyles,
  sectionTitleStyles,
  progressBarStyles,
  patchComparisonStyles,
  css`
    :host {
      display: block;
      padding-bottom: 24px;
    }
    /* The hint table's columns are a little wider here than in the single comparison. */
    .hints th,
    .hints td {
      padding: 2px 14px 2px 0;
    }
    .file {
      font-weight: 600;
    }
    .partial-label {
      font-weight: 600;
      padding: 0 6px;
      border-radius: 2px;
      border: 1px solid var(--vscode-inputValidation-warningBorder, #b89500);
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    /* The mean gap's notes (gapSummary): warnings in the panel's note colour, information muted. */
    .gap-notes {
      margin: 4px 0;
      padding-left: 18px;
      max-width: 110ch;
    }
    .gap-notes .warning {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    .gap-notes .info {
      color: var(--vscode-descriptionForeground, #9d9d9d);
    }
    .gap-notes button.link {
      margin-left: 4px;
    }
    .fade {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    .fade input {
      accent-color: var(--vscode-checkbox-background, #0078d4);
      margin: 0;
    }
    .resolution {
      margin: 8px 0 0;
      max-width: 110ch;
    }
    .opened {
      margin: 6px 0 0;
      color: var(--vscode-textLink-foreground, #4daafc);
    }
    .rule {
      max-width: 110ch;
      font-size: 0.92em;
    }
    .withheld,
    .unsure {
      max-width: 110ch;
    }
  `,
];
