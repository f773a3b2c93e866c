/**
 * "Hover to preview, click to lock" as one pure state machine (after CircuitsVis' useHoverLock):
 * the active item is the hovered one if any, else the locked one. Used for heads (grid, table,
 * special-token list) and for tokens (strip, zoom). Reducers return the same object when nothing
 * changes, so context consumers do not re-render for no-ops.
 */

export interface HoverLockState<T> {
  readonly hovered: T | null;
  readonly locked: T | null;
}

export type HoverLockAction<T> =
  /** Pointer entered an item, or the keyboard cursor moved onto it. */
  | { readonly type: 'hover'; readonly item: T }
  /** Pointer (or keyboard focus) left the items. */
  | { readonly type: 'leave' }
  /** Click: lock the item; clicking the locked item unlocks it. */
  | { readonly type: 'click'; readonly item: T }
  /** Lock unconditionally (Enter, a link from the host). */
  | { readonly type: 'lock'; readonly item: T }
  /** Unlock (Escape). */
  | { readonly type: 'unlock' };

export type Equals<T> = (a: T, b: T) => boolean;

export function emptyHoverLock<T>(): HoverLockState<T> {
  return { hovered: null, locked: null };
}

function same<T>(a: T | null, b: T | null, eq: Equals<T>): boolean {
  return a === b || (a !== null && b !== null && eq(a, b));
}

export function reduceHoverLock<T>(s: HoverLockState<T>, a: HoverLockAction<T>, eq: Equals<T> = Object.is): HoverLockState<T> {
  switch (a.type) {
    case 'hover':
      return same(s.hovered, a.item, eq) ? s : { ...s, hovered: a.item };
    case 'leave':
      return s.hovered === null ? s : { ...s, hovered: null };
    case 'click':
      return same(s.locked, a.item, eq) ? { ...s, locked: null } : { ...s, locked: a.item };
    case 'lock':
      return same(s.locked, a.item, eq) ? s : { ...s, locked: a.item };
    case 'unlock':
      return s.locked === null ? s : { ...s, locked: null };
  }
}

/** What views should show: the hovered item, else the locked one. */
export function activeItem<T>(s: HoverLockState<T>): T | null {
  return s.hovered ?? s.locked;
}

/** Whether the active item is only a preview (hovered, and not the locked item). */
export function isPreview<T>(s: HoverLockState<T>, eq: Equals<T> = Object.is): boolean {
  return s.hovered !== null && !same(s.hovered, s.locked, eq);
}
