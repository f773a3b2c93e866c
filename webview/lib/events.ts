/** Events the components dispatch to the root (bubbling, composed). */
import type { FocusAction } from './focus';

export interface GridPaintDetail {
  readonly inspectionId: string;
  /** From receiving the `inspection` message to the end of the first grid paint. */
  readonly ms: number;
}

export type FocusEvent = CustomEvent<FocusAction>;
export type GridPaintEvent = CustomEvent<GridPaintDetail>;

declare global {
  interface HTMLElementEventMap {
    'ci-focus': FocusEvent;
    'ci-grid-paint': GridPaintEvent;
  }
}

/** Dispatches a focus action from `el` to the panel root. */
export function dispatchFocus(el: HTMLElement, action: FocusAction): void {
  el.dispatchEvent(new CustomEvent<FocusAction>('ci-focus', { detail: action, bubbles: true, composed: true }));
}
