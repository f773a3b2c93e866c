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
  /** A whole word of the prompt or its document (ranked before the vocabulary's words). */
  readonly fromDocument?: boolean;
}

export interface SubstituteRanking {
  readonly position: number;
  readonly original: SubstituteScore;
  /** The document's words first, then the vocabulary's; within each, best first. */
  readonly ranked: readonly SubstituteScore[];
  /** What kind of word the original is, so what the candidates are: identifiers, English (content) words, function words. */
  readonly role?: 'identifier' | 'word' | 'function word' | 'other';
}
