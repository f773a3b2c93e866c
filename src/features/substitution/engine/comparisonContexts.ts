/**
 * The comparisons the engine keeps: each one's clean prompt, tokenized and run once, so the calls
 * that follow (`rankSubstitutes`, `tokenizeCorrupt`) reuse it. The most recent few are kept; an
 * older one is answered `unknown-context`.
 */
import { EngineError } from '../../../engine/protocol';
import type { Prompt } from '../../../model/prompt';
import type { ModelSpec } from '../../../shared/modelSpec';

export interface ComparisonContext {
  readonly comparisonId: string;
  readonly model: ModelSpec;
  readonly clean: Prompt;
  /** The clean prompt's next-token logits [d_vocab]. */
  readonly cleanLogits: Float32Array;
  readonly topK: number;
}

export class ComparisonContexts {
  private readonly byId = new Map<string, ComparisonContext>();

  constructor(private readonly capacity = 4) {}

  add(c: ComparisonContext): void {
    this.byId.delete(c.comparisonId);
    this.byId.set(c.comparisonId, c);
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value as string);
  }

  get(comparisonId: string): ComparisonContext {
    const c = this.byId.get(comparisonId);
    if (!c)
      throw new EngineError({ code: 'unknown-context', message: `comparison ${comparisonId} is no longer kept by the engine; start the comparison again` });
    return c;
  }

  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
