/**
 * The dataset feature's engine methods: check a `*.prompts.jsonl` text (parse and tokenize, every
 * error with its line), suggest the slots of a template and generate a set from it, then the
 * attribution preview over the set and the exact sweeps (progress per pair and table, each table
 * as soon as it is final). `stopSetSweeps` ends a running `setSweeps` softly: it resolves with the pairs
 * finished so far, labelled partial (a cancelled request would drop them). Plain data, no `vscode`.
 */
import type { ModelSpec } from '../../../shared/modelSpec';
import type { PromptSetLineError } from '../../../shared/promptSet';
import type { DatasetProgress, DatasetSummary, DatasetTable, PairInfo, Partial, PatchDirection, PositionLabel, SweepKind } from './protocol';

export interface CheckPromptSetParams {
  readonly model: ModelSpec;
  /** The file's text. */
  readonly text: string;
  /** Keep at most this many valid pairs (the first ones). */
  readonly maxPairs?: number;
}

/** A pair ready to run: token ids (BOS prepended per the spec), the same length within the pair. */
export interface SetPair {
  readonly line: number;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly answer: number;
  readonly wrong: number;
}

export interface CheckPromptSetResult {
  /** Every bad line (parse and token problems), in line order; the set runs only when there is none. */
  readonly errors: readonly PromptSetLineError[];
  /** The pairs to run (at most maxPairs), ids and text. */
  readonly pairs: readonly SetPair[];
  readonly info: readonly PairInfo[];
  /** Valid pairs in the file. */
  readonly pairsInFile: number;
  /** One per position when every pair has the same length, else null. */
  readonly positions: readonly PositionLabel[] | null;
  readonly n_layers: number;
  readonly n_heads: number;
  readonly n_ctx: number;
}

/** A slot of a template: a word the generator may replace, at every place it occurs. */
export interface SlotSuggestion {
  /** The word (e.g. `factor`), without surrounding space. */
  readonly name: string;
  /** Where it is: the definition (signature), the docstring, or elsewhere. */
  readonly group: 'definition' | 'docstring' | 'other';
  /** Why it was suggested (e.g. "argument name", "docstring :param name"). */
  readonly reason: string;
  /** Occurrences in the template (character offsets). */
  readonly occurrences: number;
}

export interface SuggestSlotsParams {
  readonly model: ModelSpec;
  readonly template: string;
}

export interface SuggestSlotsResult {
  /** Suggested slots first, strongest first. */
  readonly slots: readonly SlotSuggestion[];
  /** Single-token words of the template that could be slots (for a manual choice). */
  readonly candidates: readonly string[];
}

export type CorruptionChoice =
  /** One named slot randomised in the corrupt prompt. */
  | { readonly kind: 'slot'; readonly slot: string }
  /** Every slot of one group randomised. */
  | { readonly kind: 'group'; readonly group: 'definition' | 'docstring' }
  /** Every slot randomised. */
  | { readonly kind: 'all' };

export interface GeneratePromptSetParams {
  readonly model: ModelSpec;
  readonly template: string;
  /** Slot names (words of the template). */
  readonly slots: readonly string[];
  readonly corruption: CorruptionChoice;
  readonly n: number;
  readonly seed: number;
  /** The slot whose (clean) fill is the answer; default: the template's last slot occurrence's name. */
  readonly answerSlot?: string;
  /** What the wrong answer is: the corrupt prompt's fill of the answer slot (default), or fixed text. */
  readonly wrong?: string;
}

export interface ExcludedWord {
  readonly word: string;
  readonly reason: string;
}

export interface GeneratePromptSetResult {
  /** `*.prompts.jsonl` text, one pair per line. */
  readonly jsonl: string;
  readonly pairs: number;
  /** Words left out of the random fill because some head treats them specially, with why. */
  readonly excluded: readonly ExcludedWord[];
  /** Slots that could not be filled while keeping the token count, and other sentences. */
  readonly notes: readonly string[];
}

export interface SetRunParams {
  readonly model: ModelSpec;
  /** Names the run (for `stopSetSweeps`). */
  readonly runId: string;
  readonly pairs: readonly SetPair[];
  readonly sweeps: readonly SweepKind[];
  /** Default both. */
  readonly directions?: readonly PatchDirection[];
  readonly maxBatch?: number;
  readonly memoryBudgetBytes?: number;
}

export interface SetRunResult {
  readonly summary: DatasetSummary;
  /** Every table (attribution: the preview; sweeps: each exact table, also sent as progress when final). */
  readonly tables: readonly DatasetTable[];
  /** Set when stopped: the tables cover `done` of `total` pairs. */
  readonly partial?: Partial;
  /** Why sweeps were left out, …. */
  readonly notes: readonly string[];
  readonly ms: number;
}

/** `detail` of a setSweeps progress message. */
export type SweepsDetail = { readonly kind: 'progress'; readonly progress: DatasetProgress } | { readonly kind: 'table'; readonly table: DatasetTable };

export function isSweepsDetail(v: unknown): v is SweepsDetail {
  return typeof v === 'object' && v !== null && 'kind' in v && ((v.kind === 'progress' && 'progress' in v) || (v.kind === 'table' && 'table' in v));
}

export type DatasetEngineMethods = {
  checkPromptSet: { params: CheckPromptSetParams; result: CheckPromptSetResult };
  suggestSlots: { params: SuggestSlotsParams; result: SuggestSlotsResult };
  generatePromptSet: { params: GeneratePromptSetParams; result: GeneratePromptSetResult };
  /** The attribution-patching preview over the set (method names are engine-wide: hence the prefix). */
  setAttribution: { params: SetRunParams; result: SetRunResult };
  setSweeps: { params: SetRunParams; result: SetRunResult; progress: SweepsDetail };
  /** Ends run `runId`'s setSweeps softly (they resolve partial); false when no such run is going. */
  stopSetSweeps: { params: { readonly runId: string }; result: { readonly stopped: boolean } };
};
