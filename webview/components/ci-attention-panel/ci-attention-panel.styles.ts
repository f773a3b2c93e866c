import { css } from 'lit';
import { baseStyles } from '../../lib/sharedStyles.js';

export const styles = [
  baseStyles,
  css`
    :host {
      display: block;
      padding: 12px 20px 24px;
      max-width: 1600px;
    }
    h2 {
      font-size: 0.8em;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.05em;
      color: var(--vscode-descriptionForeground, #9d9d9d);
      margin: 18px 0 8px;
    }
    .heads {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 8px 40px;
    }
    .heads > section {
      min-width: 0;
    }
    /* The grid takes the width the zoom leaves (up to its largest thumbnails); they grow with it. */
    .heads > section.grid {
      flex: 1 1 360px;
      max-width: calc(var(--ci-heads, 12) * (96px + 4px) + 4em);
    }
    /* The zoomed pattern takes the rest of the row, or the whole row below a narrow grid. */
    .heads > section.zoom {
      flex: 1 1 420px;
    }
    .lower {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
      gap: 8px 40px;
      align-items: start;
    }
    .empty {
      margin-top: 24px;
    }
  `,
];
