/**
 * The `*.prompts.jsonl` file format: parse, validate, serialize.
 *
 * One pair per line, a JSON object, in one of two forms (a file may mix forms across lines, never
 * within a line):
 * ```
 * {"clean": "def f(self, a, b):…:param", "corrupt": "def f(self, x, b):…:param", "answer": " a", "wrong": " x", "meta": {…}}
 * {"clean": [318, 2, 77], "corrupt": [318, 2, 78], "answer": 12, "wrong": 40}
 * ```
 * - text form: `clean`, `corrupt`, `answer`, `wrong` are strings (the answers one token each, with
 *   their leading space: checked by `tokenizePromptSet`, which knows the tokenizer);
 * - ids form: `clean` and `corrupt` are arrays of token ids, written without BOS (BOS is prepended
 *   when the model spec says so), `answer` and `wrong` are single token ids;
 * - `meta` (optional): any JSON object, kept as it is (the generator records its seed, index,
 *   corruption and fills there).
 * Blank lines (only whitespace) are skipped; a UTF-8 BOM and CRLF or lone CR line ends are accepted
 * (line numbers count them as the editor does; JSON text cannot hold a raw CR). Every bad
 * line is reported with its 1-based line number; parsing never stops at the first. A file with no
 * pair at all is an error (line 0).
 *
 * The prompt-set API the dataset feature's engine handler calls (signatures are stable):
 * - `parsePromptSetJsonl(text)` → `{ entries, errors }` (here);
 * - `tokenizePromptSet(entries, loaded.tokenizer, promptSetTokenizeOptions(loaded, specialTokensInText))`
 *   → `{ pairs: TokenizedPair[], errors }` (./tokenizePromptSet.ts). Refuse the set when either
 *   `errors` is not empty, and show every error with its line;
 * - Generate Prompt Set from a selection: `suggestSlots(template, loaded.tokenizer)` → `SuggestedSlot[]`
 *   (./slotSuggestions.ts; `slotForName(template, name)` there and `slotFromRanges(template, ranges)` in
 *   ./template.ts for slots the user marks), then `await findSpecialFillWords(loaded, { template,
 *   slots, signal, onProgress })` → `{ excluded, templateSpecial, poolSize, probes, note? }`
 *   (./specialFillWords.ts), then `generatePromptSet({ template, slots, n, corruption:
 *   parseCorruption('group:docstring'), seed, answer, wrong?, excluded, templateSpecial },
 *   loaded.tokenizer)` → `{ pairs, jsonl, tokenCount, poolSize }` (./generatePromptSet.ts). A request
 *   it cannot meet throws `PromptSetTemplateError` (./template.ts) with a message for the user.
 */
import { isRecord } from '../../shared/guards';
import type { PromptPair, PromptSetEntry, PromptSetLineError } from '../../shared/promptSet';

export interface ParsedPromptSet {
  /** The good lines, in file order. */
  readonly entries: readonly PromptSetEntry[];
  /** Every bad line (and, line 0, an empty set), in file order. */
  readonly errors: readonly PromptSetLineError[];
}

const FIELDS = ['clean', 'corrupt', 'answer', 'wrong'] as const;
const KNOWN = new Set<string>([...FIELDS, 'meta']);
/** How much of a bad line a message quotes. */
const QUOTE_CHARS = 60;

/** Parses a `*.prompts.jsonl` text: every line checked, every bad one listed. */
export function parsePromptSetJsonl(text: string): ParsedPromptSet {
  const entries: PromptSetEntry[] = [];
  const errors: PromptSetLineError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const result = parseLine(raw);
    if (typeof result === 'string') errors.push({ line, message: result });
    else entries.push({ line, pair: result });
  });
  if (entries.length === 0 && errors.length === 0) errors.push({ line: 0, message: 'the prompt set is empty: no pair in the file (one JSON object per line)' });
  return { entries, errors };
}

/** A pair, or what is wrong with the line. */
function parseLine(raw: string): PromptPair | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return `not valid JSON (${(e as Error).message}): ${quote(raw)}`;
  }
  if (!isRecord(value)) {
    return `expected a JSON object {"clean", "corrupt", "answer", "wrong"}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
  }
  const o = value;
  const problems: string[] = [];
  const missing = FIELDS.filter((f) => !(f in o));
  if (missing.length > 0) problems.push(`missing ${missing.map((f) => `"${f}"`).join(', ')}`);
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    problems.push(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (a pair has clean, corrupt, answer, wrong and an optional meta)`,
    );
  if ('meta' in o && !isRecord(o.meta)) problems.push('"meta" must be a JSON object');
  const present = FIELDS.filter((f) => f in o);
  const forms = present.map((f) => formOf(f, o[f]));
  for (let j = 0; j < present.length; j++) {
    if (forms[j] === 'bad') problems.push(`"${present[j]}" ${expected(present[j])}, got ${describe(o[present[j]])}`);
  }
  const good = forms.filter((f) => f !== 'bad');
  if (good.includes('text') && good.includes('ids')) {
    const byForm = (form: string) => present.filter((_, j) => forms[j] === form).join(', ');
    problems.push(`mixes text (${byForm('text')}) and token ids (${byForm('ids')}): write a pair all as text or all as ids`);
  }
  if (problems.length > 0) return problems.join('; ');
  const meta = o.meta as Readonly<Record<string, unknown>> | undefined;
  const pair = { clean: o.clean, corrupt: o.corrupt, answer: o.answer, wrong: o.wrong, ...(meta !== undefined ? { meta } : {}) };
  return pair as PromptPair;
}

type Form = 'text' | 'ids' | 'bad';

function formOf(field: (typeof FIELDS)[number], v: unknown): Form {
  if (typeof v === 'string') return 'text';
  const isId = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (field === 'clean' || field === 'corrupt') return Array.isArray(v) && v.every(isId) ? 'ids' : 'bad';
  return isId(v) ? 'ids' : 'bad';
}

function expected(field: (typeof FIELDS)[number]): string {
  return field === 'clean' || field === 'corrupt'
    ? 'must be text (a string) or token ids (an array of whole numbers ≥ 0)'
    : 'must be text (a string, one token with its leading space) or a token id (a whole number ≥ 0)';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const bad = v.find((x) => !(typeof x === 'number' && Number.isSafeInteger(x) && x >= 0));
    return `an array holding ${show(bad)}`;
  }
  if (typeof v === 'number') return `number ${show(v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** A JSON value as written (a number too large for JSON.stringify, such as 1e400, shows as Infinity, not null). */
function show(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

function quote(raw: string): string {
  const t = raw.trim();
  return t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS)}…` : t;
}

/** Pairs as `*.prompts.jsonl` text: one JSON object per line (keys clean, corrupt, answer, wrong, meta), ending with a newline. */
export function serializePromptSet(pairs: readonly PromptPair[]): string {
  return pairs
    .map(
      (p) => JSON.stringify({ clean: p.clean, corrupt: p.corrupt, answer: p.answer, wrong: p.wrong, ...(p.meta !== undefined ? { meta: p.meta } : {}) }) + '\n',
    )
    .join('');
}
