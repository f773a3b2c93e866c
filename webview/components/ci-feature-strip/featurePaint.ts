/** How a feature's activation maps to colour levels (CSS attribute selectors, no inline styles), and where it peaks. */

/** Colour level 0..levels of a non-negative activation on a scale of 0..`max` (0 for none or under 2% of the scale). */
export function actLevel(act: number, max: number, levels = 6): number {
  if (!Number.isFinite(act) || !(max > 0) || !(act > 0.02 * max)) return 0;
  return Math.min(levels, Math.max(1, Math.ceil((act / max) * levels)));
}

/** The largest activation (0 when none is positive). */
export function maxOf(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/** The position of the largest activation, skipping `skip` (BOS, whose activations dwarf the rest); -1 when none is positive. */
export function peakPosition(values: ArrayLike<number>, skip: (i: number) => boolean = () => false): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (!skip(i) && values[i] > 0 && (best < 0 || values[i] > values[best])) best = i;
  return best;
}

/** The activation a strip's colours are scaled to: the largest outside BOS, unless BOS is the only place it fires. */
export function paintScale(values: ArrayLike<number>, isBos: (i: number) => boolean): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (!isBos(i) && values[i] > m) m = values[i];
  return m > 0 ? m : maxOf(values);
}

/** Activation as the view prints it: 3 significant digits, no exponent for the range SAEs produce. */
export function fmtAct(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Next index for a roving cursor over `n` items: arrows, Home and End; undefined for other keys. */
export function rovingIndex(key: string, i: number, n: number): number | undefined {
  if (n <= 0) return undefined;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return Math.min(n - 1, i + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return Math.max(0, i - 1);
    case 'Home':
      return 0;
    case 'End':
      return n - 1;
    default:
      return undefined;
  }
}
