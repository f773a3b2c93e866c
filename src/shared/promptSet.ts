/**
 * Prompt pairs of a dataset (a `*.prompts.jsonl` file): plain data shared by the analysis, the
 * engine, the host and the webview. A file holds one pair per line, either as text
 * (`PromptPairText`) or as token ids (`PromptPairIds`); `src/analysis/dataset/promptSetFile.ts`
 * parses and validates it, `src/analysis/dataset/tokenizePromptSet.ts` turns it into
 * `TokenizedPair`s ready to run.
 */

/** One line of a *.prompts.jsonl file, as text (ids are the other form). */
export interface PromptPairText {
  readonly clean: string;
  readonly corrupt: string;
  /** The clean answer: one token, with its leading space (e.g. ' b'). */
  readonly answer: string;
  /** The wrong (corrupt) answer: one token, with its leading space. */
  readonly wrong: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** One line of a *.prompts.jsonl file, as token ids (written without BOS; BOS is prepended when the model spec says so). */
export interface PromptPairIds {
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly answer: number;
  readonly wrong: number;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export type PromptPair = PromptPairText | PromptPairIds;

/** A bad line of a prompt set, or a pair that cannot run. */
export interface PromptSetLineError {
  /** 1-based line of the file (0 for the file as a whole, e.g. an empty set). */
  readonly line: number;
  readonly message: string;
}

/** A parsed line: its 1-based line number and the pair. */
export interface PromptSetEntry {
  readonly line: number;
  readonly pair: PromptPair;
}

/** A pair ready to run: token ids (BOS prepended when the model spec says so), same length within the pair. */
export interface TokenizedPair {
  readonly line: number;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly answer: number;
  readonly wrong: number;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** The pair as text, when the line was text (absent for an ids line). */
  readonly text?: PromptPairText;
}

/** True when the pair is the text form. */
export function isTextPair(pair: PromptPair): pair is PromptPairText {
  return typeof pair.clean === 'string';
}
