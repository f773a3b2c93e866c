/**
 * The panel's focus: which head and which token the views show, and in which direction the
 * token strip reads the pattern. Pure; the root element owns the state and reduces the actions
 * its children dispatch (`ci-focus` events).
 */
import type { AttentionDirection } from '../../src/features/attention/shared/protocol';
import type { HeadRef } from '../../src/shared/inspection';
import { activeItem, emptyHoverLock, reduceHoverLock, type HoverLockAction, type HoverLockState } from './hoverLock';

export interface FocusState {
  readonly head: HoverLockState<HeadRef>;
  readonly token: HoverLockState<number>;
  readonly direction: AttentionDirection;
}

export type FocusAction =
  | { readonly target: 'head'; readonly action: HoverLockAction<HeadRef> }
  | { readonly target: 'token'; readonly action: HoverLockAction<number> }
  | { readonly target: 'direction'; readonly direction: AttentionDirection }
  /** Several actions applied as one update (e.g. lock a head and a token together). */
  | { readonly target: 'batch'; readonly actions: readonly FocusAction[] };

export const sameHead = (a: HeadRef, b: HeadRef): boolean => a.layer === b.layer && a.head === b.head;

export function initialFocus(direction: AttentionDirection = 'from'): FocusState {
  return { head: emptyHoverLock(), token: emptyHoverLock(), direction };
}

export function reduceFocus(s: FocusState, a: FocusAction): FocusState {
  switch (a.target) {
    case 'head': {
      const head = reduceHoverLock(s.head, a.action, sameHead);
      return head === s.head ? s : { ...s, head };
    }
    case 'token': {
      const token = reduceHoverLock(s.token, a.action);
      return token === s.token ? s : { ...s, token };
    }
    case 'direction':
      return a.direction === s.direction ? s : { ...s, direction: a.direction };
    case 'batch':
      return a.actions.reduce(reduceFocus, s);
  }
}

export function activeHead(s: FocusState): HeadRef | null {
  return activeItem(s.head);
}

export function activeToken(s: FocusState): number | null {
  return activeItem(s.token);
}

/** Drops heads and tokens that do not exist in a new inspection (keeps the rest). */
export function clampFocus(s: FocusState, nLayers: number, nHeads: number, nTokens: number): FocusState {
  const headOk = (h: HeadRef | null) => (h !== null && h.layer < nLayers && h.head < nHeads ? h : null);
  const tokenOk = (t: number | null) => (t !== null && t < nTokens ? t : null);
  return {
    direction: s.direction,
    head: { hovered: null, locked: headOk(s.head.locked) },
    token: { hovered: null, locked: tokenOk(s.token.locked) },
  };
}

/** What `focusForInspection` needs to know of an inspection. */
export interface FocusShape {
  readonly n_layers: number;
  readonly n_heads: number;
  readonly tokens: readonly { readonly text: string }[];
}

/**
 * The focus carried over to a new inspection. Heads are model-wide and stay when they exist; a
 * token index means something only in its prompt, so the locked token stays only when the new
 * prompt has the same token text at that index (a re-run of the same text), and is dropped
 * otherwise (or when there was no previous inspection).
 */
export function focusForInspection(s: FocusState, prev: FocusShape | undefined, next: FocusShape): FocusState {
  const f = clampFocus(s, next.n_layers, next.n_heads, next.tokens.length);
  const t = f.token.locked;
  if (t === null || (prev && prev.tokens[t]?.text === next.tokens[t].text)) return f;
  return { ...f, token: { hovered: null, locked: null } };
}

/** Attention weights of the focused token in `direction`: a row (from) or a column (to) of a [q, k] pattern. */
export function tokenWeights(pattern_q_k: Float32Array, nTokens: number, token: number, direction: AttentionDirection): Float32Array {
  if (direction === 'from') return pattern_q_k.slice(token * nTokens, (token + 1) * nTokens);
  const col = new Float32Array(nTokens);
  for (let q = 0; q < nTokens; q++) col[q] = pattern_q_k[q * nTokens + token];
  return col;
}
