/**
 * Controls that the panels showing patching tables (a single comparison, a prompt set) draw the
 * same way: the sweep picker with each sweep's status mark, and the reading aid's explanation with
 * its significance threshold.
 */
import { html } from 'lit';
import { SIGNIFICANCE_CHOICES, SWEEP_LABELS } from '../../src/features/substitution/shared/protocol.js';
import type { SweepKind } from '../../src/shared/patchingVocabulary.js';
import type { SweepStatus } from '../../src/shared/patchTables.js';

const MARK: Readonly<Record<SweepStatus, string>> = { exact: '✓', estimate: '≈', partial: '½', none: '' };

/** A segmented button per sweep (`aria-pressed` on the current one) with its status mark, and the marks' key; `noneText` titles a sweep with no table. */
export function sweepPicker(
  sweeps: readonly SweepKind[],
  current: SweepKind,
  statusOf: (s: SweepKind) => SweepStatus,
  pick: (s: SweepKind) => void,
  noneText: string,
) {
  return html`<div class="sweeps" role="group" aria-label="sweep">
    ${sweeps.map((s) => {
      const st = statusOf(s);
      return html`<button
        class=${`seg ${st}`}
        aria-pressed=${current === s ? 'true' : 'false'}
        title=${`${SWEEP_LABELS[s]}: ${st === 'exact' ? 'exact in both directions' : st === 'none' ? noneText : 'attribution-patching estimate, exact sweep pending'}`}
        @click=${() => pick(s)}
      >
        ${s}<span class="mark">${MARK[st]}</span>
      </button>`;
    })}
    <span class="muted key">✓ exact · ≈ estimate · ½ one direction exact</span>
  </div>`;
}

/** What a component significant in only one direction suggests. */
export const readingAidIntro = html`<p class="muted">
  A component that matters in only one direction hints at how it combines: significant when noising only ⇒ <strong>AND-like</strong> (each part necessary, none
  alone sufficient); when denoising only ⇒ <strong>OR-like</strong> (each alone sufficient, none necessary).
</p>`;

/** The significance threshold select ("Significant: moves at least N% of `gap`"). */
export function thresholdSelect(threshold: number, choose: (v: number) => void, gap: string) {
  return html`<label
    >Significant: moves at least
    <select aria-label="significance threshold" @change=${(e: Event) => choose(Number((e.target as HTMLSelectElement).value))}>
      ${SIGNIFICANCE_CHOICES.map((v) => html`<option value=${v} ?selected=${v === threshold}>${pct(v)}</option>`)}
    </select>
    of the ${gap}</label
  >`;
}

/** A share as a whole percentage, "25%". */
export function pct(v: number): string {
  return `${Math.round(v * 100)}%`;
}
