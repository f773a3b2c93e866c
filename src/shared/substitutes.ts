/**
 * Ranked substitutes for one token of a prompt: how alike every head treats each candidate and the
 * original, and the heads that single a candidate out. The analysis computes them; the engine sends
 * them to the host as they are.
 */
import type { SpecialTokenFinding } from './inspection';
import type { TokenRef } from './tokens';

export interface SubstituteScore extends TokenRef {
  /** Mean |Δ treatment| over heads against the original token (lower = more alike). */
  readonly distance: number;
  /** Findings about this token in the substituted prompt (heads that single it out). */
  readonly special: readonly SpecialTokenFinding[];
}

export interface SubstituteRanking {
  readonly position: number;
  readonly original: SubstituteScore;
  /** Best first. */
  readonly ranked: readonly SubstituteScore[];
}
