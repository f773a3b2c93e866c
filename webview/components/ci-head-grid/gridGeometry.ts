/** Layout of the layer × head grid on its canvas, and keyboard movement. Pure. */
import type { HeadRef } from '../../../src/shared/inspection';

export interface GridGeometry {
  readonly nLayers: number;
  readonly nHeads: number;
  /** Side of one thumbnail, CSS px. */
  readonly cell: number;
  /** Space between thumbnails, CSS px. */
  readonly gap: number;
}

export function gridSize(g: GridGeometry): { width: number; height: number } {
  const pitch = g.cell + g.gap;
  return { width: g.nHeads * pitch - g.gap, height: g.nLayers * pitch - g.gap };
}

/** Smallest and largest thumbnail side, CSS px, when the grid sizes its cells to its width. */
export const MIN_CELL = 24;
export const MAX_CELL = 96;

/**
 * The thumbnail side that makes `nHeads` cells and their gaps fill `available` CSS px, clamped to
 * [min, max] (a narrow panel scrolls rather than shrinking thumbnails to nothing).
 */
export function fitCell(available: number, nHeads: number, gap: number, min = MIN_CELL, max = MAX_CELL): number {
  if (!(available > 0) || nHeads < 1) return min;
  return Math.max(min, Math.min(max, Math.floor((available + gap) / nHeads - gap)));
}

/** Top-left corner of a head's thumbnail (heads run left to right, layers top to bottom). */
export function cellOrigin(g: GridGeometry, h: HeadRef): { x: number; y: number } {
  const pitch = g.cell + g.gap;
  return { x: h.head * pitch, y: h.layer * pitch };
}

/** The head under a point (CSS px from the canvas' top-left); gaps belong to the cell before them. */
export function headAt(g: GridGeometry, x: number, y: number): HeadRef | null {
  if (x < 0 || y < 0) return null;
  const pitch = g.cell + g.gap;
  const head = Math.floor(x / pitch);
  const layer = Math.floor(y / pitch);
  if (head >= g.nHeads || layer >= g.nLayers) return null;
  return { layer, head };
}

/** The cursor after a navigation key, or null when `key` does not navigate. */
export function moveCursor(cursor: HeadRef, key: string, nLayers: number, nHeads: number): HeadRef | null {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
  const { layer, head } = cursor;
  switch (key) {
    case 'ArrowLeft':
      return { layer, head: clamp(head - 1, nHeads) };
    case 'ArrowRight':
      return { layer, head: clamp(head + 1, nHeads) };
    case 'ArrowUp':
      return { layer: clamp(layer - 1, nLayers), head };
    case 'ArrowDown':
      return { layer: clamp(layer + 1, nLayers), head };
    case 'Home':
      return { layer, head: 0 };
    case 'End':
      return { layer, head: nHeads - 1 };
    case 'PageUp':
      return { layer: 0, head };
    case 'PageDown':
      return { layer: nLayers - 1, head };
    default:
      return null;
  }
}
