/**
 * Which model the engine runs and how. Plain data: it travels from the extension host to the
 * engine process inside every request that needs a model. A different spec makes the engine load
 * another model (the engine's thread count is the engine's own, not part of the spec).
 */
import type { Precision } from './precision';

export type LayerNormMode = 'as_configured' | 'identity';

export interface ModelSpec {
  /** Folder with config.json, weights and tokenizer files. */
  readonly dir: string;
  /** Shown in the panels and the status bar. */
  readonly displayName: string;
  readonly layerNorm: LayerNormMode;
  readonly prependBos: boolean;
  /**
   * "exact" (absent): fp32. "int8": int8 weight matmuls, approximate (`circuitInspector.precision`);
   * `displayName` then carries the label (`labelModelName`), so every view that names the model says so.
   */
  readonly precision?: Precision;
  /**
   * A literal `<|endoftext|>` in the text is the special token (absent: true, as TransformerLens and
   * Hugging Face read it). Tokenization only: not part of the key, the loaded model is the same.
   */
  readonly specialTokensInText?: boolean;
}

/** Two specs with the same key run the same model the same way. */
export function modelSpecKey(m: ModelSpec): string {
  return JSON.stringify([m.dir, m.layerNorm, m.prependBos, ...(m.precision === 'int8' ? ['int8'] : [])]);
}

export function isModelSpec(m: unknown): m is ModelSpec {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (
    typeof r.dir === 'string' &&
    typeof r.displayName === 'string' &&
    (r.layerNorm === 'as_configured' || r.layerNorm === 'identity') &&
    typeof r.prependBos === 'boolean' &&
    (r.precision === undefined || r.precision === 'exact' || r.precision === 'int8') &&
    (r.specialTokensInText === undefined || typeof r.specialTokensInText === 'boolean')
  );
}
