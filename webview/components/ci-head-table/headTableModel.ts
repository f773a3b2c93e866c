/**
 * Sorting and filtering of the head-summary table. Pure.
 *
 * Filter syntax (space-separated terms, all must hold): `L3` (layer 3), `H5` (head 5), `3.5`
 * (layer 3 head 5), and score comparisons `prev>0.5`, `ind>=0.3`, `bos<0.2`, `ent<=1.5`
 * (names: prev/prevToken, ind/induction, bos, ent/entropy).
 */
import type { HeadSummary } from '../../../src/shared/inspection.js';

export type SortKey = 'head' | 'prevToken' | 'induction' | 'bos' | 'entropy';
export type SortDirection = 'ascending' | 'descending';

export interface SortState {
  readonly key: SortKey;
  readonly direction: SortDirection;
}

export const DEFAULT_SORT: SortState = { key: 'head', direction: 'ascending' };

/** Clicking a column: the same column flips direction; a new score column starts descending. */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { key, direction: key === 'head' ? 'ascending' : 'descending' };
}

/** Sorted copy; null induction scores always go last; ties keep layer/head order. */
export function sortHeads(rows: readonly HeadSummary[], sort: SortState): HeadSummary[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const order = (a: HeadSummary, b: HeadSummary) => a.layer - b.layer || a.head - b.head;
  return [...rows].sort((a, b) => {
    if (sort.key === 'head') return sign * order(a, b);
    const va = a[sort.key];
    const vb = b[sort.key];
    if (va === null || vb === null) return va === vb ? order(a, b) : va === null ? 1 : -1;
    return sign * (va - vb) || order(a, b);
  });
}

type Score = 'prevToken' | 'induction' | 'bos' | 'entropy';
const SCORE_NAMES: Readonly<Record<string, Score>> = {
  prev: 'prevToken',
  prevtoken: 'prevToken',
  ind: 'induction',
  induction: 'induction',
  bos: 'bos',
  ent: 'entropy',
  entropy: 'entropy',
};

export type HeadPredicate = (row: HeadSummary) => boolean;

export type ParsedFilter = { readonly ok: true; readonly test: HeadPredicate } | { readonly ok: false; readonly error: string };

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return Math.abs(a - b) < 1e-9;
  }
}

export function parseHeadFilter(text: string): ParsedFilter {
  const preds: HeadPredicate[] = [];
  for (const term of text.trim().split(/\s+/).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^l(\d+)$/i.exec(term))) {
      const layer = Number(m[1]);
      preds.push((r) => r.layer === layer);
    } else if ((m = /^h(\d+)$/i.exec(term))) {
      const head = Number(m[1]);
      preds.push((r) => r.head === head);
    } else if ((m = /^(\d+)\.(\d+)$/.exec(term))) {
      const layer = Number(m[1]);
      const head = Number(m[2]);
      preds.push((r) => r.layer === layer && r.head === head);
    } else if ((m = /^([a-z]+)(>=|<=|>|<|=)(-?\d*\.?\d+)$/i.exec(term))) {
      const score = SCORE_NAMES[m[1].toLowerCase()];
      if (!score) return { ok: false, error: `unknown score '${m[1]}' (use prev, ind, bos or ent)` };
      const op = m[2];
      const value = Number(m[3]);
      preds.push((r) => {
        const v = r[score];
        return v !== null && compare(op, v, value);
      });
    } else {
      return { ok: false, error: `cannot read '${term}': try L3, H5, 3.5, prev>0.5, ind>0.3, bos<0.2, ent<1` };
    }
  }
  return { ok: true, test: (r) => preds.every((p) => p(r)) };
}
