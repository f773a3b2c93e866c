/**
 * The pure steps of Compare Token Substitution: which tokens the cursor names, how the corrupt
 * prompt is made, the default metric, how typed answers become tokens, and how a token diff is
 * described. No `vscode` import (patchingSession.ts asks the user; this decides).
 */
import type { MetricSpec, SweepKind } from './shared/protocol';
import type { TokenRef } from '../../shared/tokens';
import { visibleText } from '../../shared/tokens';
import type { PromptToken, TopToken } from '../../shared/tokens';

/** Sweeps in the order they run: heads first (cheap, most read), z by position last (costliest). */
export const SWEEP_ORDER: readonly SweepKind[] = ['z', 'resid_pre', 'attn_out', 'mlp_out', 'q', 'k', 'v', 'pattern', 'z_by_pos'];

export interface TokenSpan {
  readonly first: number;
  readonly last: number;
}

/**
 * The non-BOS tokens a prompt range names: those overlapping [start, end); for an empty range, the
 * token containing the offset, else the one ending at it (cursor just after a word). Undefined when
 * none.
 */
export function tokensAt(tokens: readonly PromptToken[], start: number, end: number): TokenSpan | undefined {
  const real = tokens.map((t, i) => ({ t, i })).filter(({ t }) => !t.isBos && t.end > t.start);
  let hit: number[];
  if (end > start) hit = real.filter(({ t }) => t.start < end && t.end > start).map(({ i }) => i);
  else {
    const inside = real.find(({ t }) => t.start <= start && start < t.end);
    const before = real.find(({ t }) => t.end === start);
    hit = inside ? [inside.i] : before ? [before.i] : [];
  }
  return hit.length ? { first: hit[0], last: hit[hit.length - 1] } : undefined;
}

/** The prompt with the span's source text replaced. */
export function substitute(text: string, tokens: readonly PromptToken[], span: TokenSpan, replacement: string): string {
  return text.slice(0, tokens[span.first].start) + replacement + text.slice(tokens[span.last].end);
}

/** The replaced source text of a span. */
export function spanText(text: string, tokens: readonly PromptToken[], span: TokenSpan): string {
  return text.slice(tokens[span.first].start, tokens[span.last].end);
}

/** Typed replacement text with the original's leading space kept (` param` → typed `arg` gives ` arg`). */
export function keepLeadingSpace(original: string, typed: string): string {
  return original.startsWith(' ') && !typed.startsWith(' ') && typed.length > 0 ? ` ${typed}` : typed;
}

export function metricLabel(spec: MetricSpec): string {
  const q = (t: TokenRef) => `'${visibleText(t.text)}'`;
  switch (spec.kind) {
    case 'logit_diff':
      return `logit(${q(spec.answer)}) − logit(${q(spec.wrong)})`;
    case 'prob':
      return `p(${q(spec.answer)})`;
    case 'kl':
      return 'KL(clean ‖ run) of the next-token distribution';
  }
}

/**
 * Default metric: the logit difference between the clean prompt's top next token and the corrupt
 * prompt's. When both prompts predict the same top token, the corrupt prompt's next best stands in
 * for it (with a note) so the difference is not identically 0.
 */
export function defaultMetric(topClean: readonly TopToken[], topCorrupt: readonly TopToken[]): { spec: MetricSpec; notes: string[] } {
  const answer = topClean[0];
  const notes: string[] = [];
  let wrong = topCorrupt[0];
  if (!answer || !wrong) return { spec: { kind: 'kl' }, notes: ['No next-token predictions: using KL divergence.'] };
  if (wrong.id === answer.id) {
    const alt = topCorrupt.find((t) => t.id !== answer.id) ?? topClean.find((t) => t.id !== answer.id);
    if (alt) {
      notes.push(`Both prompts predict '${visibleText(answer.text)}' first; the wrong answer is the corrupt prompt's next best, '${visibleText(alt.text)}'.`);
      wrong = alt;
    }
  }
  return { spec: { kind: 'logit_diff', answer: { id: answer.id, text: answer.text }, wrong: { id: wrong.id, text: wrong.text } }, notes };
}

/**
 * A typed answer as one token: its first token when it has several (with a note saying so), or an
 * error message when it has none.
 */
export function answerToken(typed: string, encoded: readonly TokenRef[], what: string): { token: TokenRef; note?: string } | { error: string } {
  if (encoded.length === 0) return { error: `The ${what} ${JSON.stringify(typed)} has no tokens.` };
  const token = encoded[0];
  if (encoded.length === 1) return { token };
  const parts = encoded.map((t) => `'${visibleText(t.text)}'`).join(' + ');
  return {
    token,
    note: `The ${what} ${JSON.stringify(typed)} is ${encoded.length} tokens (${parts}); the metric uses its first token, '${visibleText(token.text)}'.`,
  };
}

/** "`·param` → `·ar` `g`"-style description of what changed between two token lists. */
export function describeChange(clean: readonly TokenRef[], corrupt: readonly TokenRef[], ops: readonly { kind: string; a?: number; b?: number }[]): string {
  const parts: string[] = [];
  let from: string[] = [];
  let to: string[] = [];
  const flush = () => {
    if (from.length || to.length) parts.push(`${from.join(' ') || '∅'} → ${to.join(' ') || '∅'}`);
    from = [];
    to = [];
  };
  for (const op of ops) {
    if (op.kind === 'equal') {
      flush();
      continue;
    }
    if (op.a !== undefined) from.push(`‘${visibleText(clean[op.a].text)}’`);
    if (op.b !== undefined) to.push(`‘${visibleText(corrupt[op.b].text)}’`);
  }
  flush();
  return parts.join('; ') || 'no change';
}

/**
 * What a suggestion's distance means, for the QuickPick: the mean, over heads, of how much the
 * attention the token receives and the (non-BOS) attention it pays differ from the original's.
 * Both are shares of attention (0–1), so the distance is too: 0 = treated identically, 1 = opposite.
 */
export const SUGGESTION_SCALE = 'how much the heads’ attention to and from each token differs from the original’s, on average: 0 = identical, 1 = opposite';

/**
 * The replacement QuickPick's placeholder: short, so it is never cut off (the scale was, at
 * "…(how much t"); each suggestion's detail line says what its number means.
 */
export const REPLACEMENT_PLACEHOLDER = 'Type a replacement, or pick a suggestion (most alike first)';

/** The QuickPick description of one suggestion: its distance, short (the detail line says what it means). */
export function suggestionDescription(distance: number): string {
  return `differs by ${distance.toFixed(3)} on average (0–1)`;
}

/**
 * The QuickPick detail of one suggestion: what its distance measures, with its scale, short enough
 * for one line of the QuickPick (the placeholder that said it was cut off).
 */
export function suggestionDetail(original: string): string {
  return `the heads’ attention to and from it against ‘${visibleText(original)}’: 0 = same, 1 = opposite`;
}

/** What the suggestions are, for the QuickPick's separators and title. */
export function suggestionGroups(role: string | undefined): { document: string; vocabulary: string; kind: string } {
  const kind = role === 'word' ? 'English words' : role === 'function word' ? 'function words' : role === 'identifier' ? 'identifiers' : 'tokens of its kind';
  return { document: `${kind} of this document`, vocabulary: `other ${kind} of the vocabulary`, kind };
}

/** Most characters of the document sent with a suggestions request (its words are suggested first). */
export const DOCUMENT_CONTEXT_CHARS = 200_000;

/** The document text sent as the suggestions' context: all of it, or its first `DOCUMENT_CONTEXT_CHARS`. */
export function documentContext(text: string): string {
  return text.length > DOCUMENT_CONTEXT_CHARS ? text.slice(0, DOCUMENT_CONTEXT_CHARS) : text;
}
