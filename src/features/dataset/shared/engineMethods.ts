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

export type SlotGroup = 'definition' | 'docstring';

/** Where a slot occurs in the template: [start, end) in UTF-16 offsets, and its group (prose or code). */
export interface SlotOccurrence {
  readonly start: number;
  readonly end: number;
  readonly group: SlotGroup;
}

/** A slot of a template: a name and every place it occurs (mirrors TemplateSlot of src/analysis/dataset/template.ts). */
export interface TemplateSlot {
  readonly name: string;
  readonly occurrences: readonly SlotOccurrence[];
}

/** A suggested slot (a signature argument): its occurrences, the most tokens one takes, and why it cannot be filled if so. */
export interface SlotSuggestion extends TemplateSlot {
  readonly tokens: number;
  readonly note?: string;
}

export interface SuggestSlotsParams {
  readonly model: ModelSpec;
  readonly template: string;
}

export interface SuggestSlotsResult {
  readonly slots: readonly SlotSuggestion[];
  /** Tokens of the template (without BOS). */
  readonly tokenCount: number;
}

export type CorruptionChoice =
  /** One named slot randomised in the corrupt prompt. */
  | { readonly kind: 'slot'; readonly slot: string }
  /** That group's occurrences of every slot randomised. */
  | { readonly kind: 'group'; readonly group: SlotGroup }
  /** Every slot randomised. */
  | { readonly kind: 'all' };

export interface GeneratePromptSetParams {
  readonly model: ModelSpec;
  readonly template: string;
  /** The slots: names (every whole-word occurrence) or slots with their occurrences (marked by the user). */
  readonly slots: readonly (string | TemplateSlot)[];
  readonly corruption: CorruptionChoice;
  readonly n: number;
  readonly seed: number;
  /** The slot whose clean word is the answer. */
  readonly answer: string;
  /** The slot whose clean word is the wrong answer (default: the answer slot's corrupt word, see generatePromptSet.ts). */
  readonly wrong?: string;
  /** Skip the probe for words some head treats specially (default false: they are excluded). */
  readonly keepSpecialWords?: boolean;
}

export interface ExcludedWord {
  readonly word: string;
  readonly reason: string;
}

export interface GeneratePromptSetResult {
  /** `*.prompts.jsonl` text, one pair per line. */
  readonly jsonl: string;
  readonly pairs: number;
  /** Tokens of each prompt (without BOS). */
  readonly tokenCount: number;
  /** Pool words drawn from (after the exclusions). */
  readonly poolSize: number;
  /** Words left out of the random fill because some head treats them specially, with why. */
  readonly excluded: readonly ExcludedWord[];
  /** Tokens of the template's fixed text some head treats specially (information). */
  readonly templateSpecial: readonly ExcludedWord[];
  /** Sentences: why the probe could not judge some words, …. */
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
  /** Entry i of the summary's per-pair arrays (and row i of each table's perPair) is pair `pairIndex[i]` of the request; absent: all, in order. */
  readonly pairIndex?: readonly number[];
  /** Why sweeps were left out, …. */
  readonly notes: readonly string[];
  readonly ms: number;
}

/**
 * `detail` of a setSweeps progress message: progress; a table once it is final; or, after each block
 * of pairs but the last, every table over the pairs finished so far (`partial` set), so the view
 * fills in as the set runs and a stop loses nothing already shown.
 */
export type SweepsDetail =
  | { readonly kind: 'progress'; readonly progress: DatasetProgress }
  | { readonly kind: 'table'; readonly table: DatasetTable }
  | { readonly kind: 'pairs'; readonly result: SetRunResult };

export function isSweepsDetail(v: unknown): v is SweepsDetail {
  if (typeof v !== 'object' || v === null || !('kind' in v)) return false;
  return (v.kind === 'progress' && 'progress' in v) || (v.kind === 'table' && 'table' in v) || (v.kind === 'pairs' && 'result' in v);
}

export type DatasetEngineMethods = {
  checkPromptSet: { params: CheckPromptSetParams; result: CheckPromptSetResult };
  suggestSlots: { params: SuggestSlotsParams; result: SuggestSlotsResult };
  /** Progress: the special-word probe's variants done of total. */
  generatePromptSet: { params: GeneratePromptSetParams; result: GeneratePromptSetResult; progress: { readonly done: number; readonly total: number } };
  /** The attribution-patching preview over the set (method names are engine-wide: hence the prefix). */
  setAttribution: { params: SetRunParams; result: SetRunResult };
  setSweeps: { params: SetRunParams; result: SetRunResult; progress: SweepsDetail };
  /** Ends run `runId`'s setSweeps softly (they resolve partial); false when no such run is going. */
  stopSetSweeps: { params: { readonly runId: string }; result: { readonly stopped: boolean } };
};
