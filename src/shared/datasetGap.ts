/**
 * What a reader of a prompt set's results must know about its metric gap before using normalised
 * tables (`(mean patched − mean corrupt) / (mean clean − mean corrupt)`): a gap within two standard
 * errors of zero makes them noise over noise even when it is not "zero" to float precision; a
 * negative gap flips their reading. Shared by the CLI, the export and the webview.
 */

/**
 * The gap between the clean and corrupt metrics over the pairs: its mean, the standard error of the
 * per-pair gaps (null with fewer than 2 pairs), and what a reader must know before using the
 * normalised tables (each message one string).
 */
export function gapSummary(
  metricClean: ArrayLike<number>,
  metricCorrupt: ArrayLike<number>,
  zeroGap: boolean,
): { gap: number; gapStandardError: number | null; warnings: string[] } {
  const n = metricClean.length;
  const gaps = Array.from({ length: n }, (_, i) => metricClean[i] - metricCorrupt[i]);
  const gap = n > 0 ? gaps.reduce((a, b) => a + b, 0) / n : 0;
  const se = n >= 2 ? Math.sqrt(gaps.reduce((a, g) => a + (g - gap) ** 2, 0) / (n - 1) / n) : null;
  const warnings: string[] = [];
  if (zeroGap) warnings.push('the mean clean and corrupt metrics are (nearly) equal: normalised values are undefined (null); read the raw means');
  else if (se !== null && Math.abs(gap) < 2 * se)
    warnings.push(
      `the mean gap (clean − corrupt, ${gap.toPrecision(3)}) is within 2 standard errors (${se.toPrecision(3)}) of zero: the normalised values divide by noise; read the raw means, or choose a corruption or wrong answer that moves the metric`,
    );
  else if (gap < 0)
    warnings.push(
      'the mean gap is negative (the answer beats the wrong answer by more on the corrupt prompts than on the clean ones): normalised 1 still means "as clean", but check that answer and wrong are the contrast you meant',
    );
  if (n < 2) warnings.push('one pair: standard errors need at least 2 pairs (they are 0 here)');
  return { gap, gapStandardError: se, warnings };
}
