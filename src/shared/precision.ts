/**
 * The model's numerics, as the user sees them. "exact" is fp32, as the checkpoint has it (parity
 * with Hugging Face and TransformerLens). "int8" runs the weight matmuls on int8 weights: faster,
 * approximate, and every result it produces says so.
 */
import { isRecord } from './guards';

export type Precision = 'exact' | 'int8';

export const PRECISIONS: readonly Precision[] = ['exact', 'int8'];

/** The badge every view shows next to the model name of an int8 run. */
export const INT8_LABEL = 'int8 approximate';

/** What the int8 mode means for the numbers, in one sentence (badge tooltips, hovers, the CLI). */
export const INT8_NOTE =
  'Weights quantized to int8 (circuitInspector.precision): logits, hook values and patching tables are approximate and differ from Hugging Face and TransformerLens.';

/** The model name shown with the run's precision: `gpt2 · int8 approximate` for int8, the name alone otherwise. */
export function labelModelName(name: string, precision: Precision | undefined): string {
  return precision === 'int8' ? `${name} · ${INT8_LABEL}` : name;
}

/** Splits a name made by `labelModelName` back into the model name and whether the run was int8. */
export function splitModelLabel(label: string): { readonly name: string; readonly int8: boolean } {
  const suffix = ` · ${INT8_LABEL}`;
  return label.endsWith(suffix) ? { name: label.slice(0, -suffix.length), int8: true } : { name: label, int8: false };
}

/** How far the int8 logits are from fp32 on one prompt (every position, every vocabulary entry). */
export interface LogitsError {
  readonly positions: number;
  readonly maxAbs: number;
  readonly meanAbs: number;
  /** Positions where the int8 argmax is the fp32 argmax. */
  readonly top1Agree: number;
  /** Mean over positions of KL(fp32 ‖ int8) of the next-token distributions, in nats. */
  readonly meanKl: number;
  readonly maxKl: number;
  /** The mean over positions of the fp32 logits' max − min: the scale the errors compare against. */
  readonly meanLogitRange: number;
}

export function isLogitsError(v: unknown): v is LogitsError {
  if (!isRecord(v)) return false;
  return ['positions', 'maxAbs', 'meanAbs', 'top1Agree', 'meanKl', 'maxKl', 'meanLogitRange'].every((k) => typeof v[k] === 'number');
}

function num(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 0.01 ? x.toFixed(Math.abs(x) >= 10 ? 1 : 3) : x.toExponential(1);
}

/** One line: `int8 vs fp32 logits: max |Δ| 0.12, mean 0.021 (logit range 14.3); top-1 agrees at 63/64 positions; KL 1.2e-3 nats`. */
export function formatLogitsError(e: LogitsError): string {
  return (
    `int8 vs fp32 logits: max |Δ| ${num(e.maxAbs)}, mean ${num(e.meanAbs)} (logit range ${num(e.meanLogitRange)}); ` +
    `top-1 agrees at ${e.top1Agree}/${e.positions} positions; KL ${num(e.meanKl)} nats (max ${num(e.maxKl)})`
  );
}
