/** How a signed per-token value maps to the strip's colour levels (CSS attribute selectors, no inline styles). */

/** Signed colour level of `v` on a scale of ±`scale`: −levels..levels, 0 for |v| under 2% of the scale. */
export function signedLevel(v: number, scale: number, levels = 6): number {
  if (!Number.isFinite(v) || !(scale > 0) || Math.abs(v) < 0.02 * scale) return 0;
  const m = Math.min(levels, Math.max(1, Math.ceil((Math.abs(v) / scale) * levels)));
  return v < 0 ? -m : m;
}
