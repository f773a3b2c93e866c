/**
 * `circuit-inspector prompts`: generates a prompt set (`*.prompts.jsonl`) from a template, headlessly,
 * as "Circuit Inspector: Generate Prompt Set" does from a selection.
 *
 *   circuit-inspector prompts --template FILE [--slots auto|a,b,c] [--n 200] --corrupt slot:NAME|group:definition|group:docstring|all
 *                             --answer NAME [--wrong NAME] [--seed 1] [--no-probe] [--model …] [--out FILE]
 *
 * The template ends right before the answer (the docstring task: after the last `:param`). `--slots
 * auto` (the default) takes the suggested slots (the `def` signature's argument names, not
 * self/cls, with their docstring mentions). Before generating, the model is probed for pool words
 * some head treats specially (`findSpecialFillWords`); they are left out (`--no-probe` skips the
 * probe). The JSONL goes to stdout (or `--out`); a summary goes to stderr: the pairs, the slots, the
 * excluded words and why, and the special tokens of the template's fixed text.
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import { findSpecialFillWords, type SpecialFillWords } from '../analysis/dataset/specialFillWords';
import {
  checkTemplateFits,
  corruptionLabel,
  generatePromptSet,
  MAX_PAIRS,
  maxPromptTokens,
  parseCorruption,
  type Corruption,
} from '../analysis/dataset/generatePromptSet';
import { slotForName, suggestSlots } from '../analysis/dataset/slotSuggestions';
import { PromptSetTemplateError, type TemplateSlot } from '../analysis/dataset/template';
import { parseNameList, positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { readTextFile } from './textInput';
import { writeFileSync } from 'node:fs';

export const PROMPTS_OPTIONS: OptionSpecs = {
  template: { value: 'a UTF-8 text file holding the template (the prompt up to the answer)' },
  slots: { value: "auto (the def signature's argument names) or comma-separated names, e.g. a,b,c" },
  n: { value: `how many pairs (1 .. ${MAX_PAIRS}, default 200)` },
  corrupt: { value: 'slot:NAME, group:definition, group:docstring or all' },
  answer: { value: 'the slot whose clean fill is the answer' },
  wrong: { value: "the slot whose clean fill is the wrong answer (default: the answer slot's corrupt fill, else another slot's)" },
  seed: { value: 'a whole number (default 1)' },
  'no-probe': {},
};

export interface PromptsOutput {
  /** The prompt set, as JSONL. */
  readonly jsonl: string;
  /** Lines for stderr. */
  readonly summary: readonly string[];
}

function seedArg(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--seed: expected a whole number, got '${value}'`);
  return Number(value);
}

function required(values: OptionValues, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`--${name} is needed: ${PROMPTS_OPTIONS[name].value}`);
  return v.trim();
}

/** Every argument checked, the model loaded, the set generated: the JSONL and the summary. */
export async function promptsCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<PromptsOutput> {
  const templateFile = required(values, 'template');
  const template = readTextFile(templateFile, '--template');
  if (template.trim() === '') throw new UsageError(`--template ${templateFile}: the template is empty`);
  const slotsArg = stringOption(values, 'slots') ?? 'auto';
  const names = slotsArg.trim() === 'auto' ? undefined : parseNameList(slotsArg, '--slots');
  const n = positiveInt(stringOption(values, 'n'), '--n', 200);
  if (n > MAX_PAIRS) throw new UsageError(`--n: at most ${MAX_PAIRS} pairs, got ${n}`);
  let corruption: Corruption;
  try {
    corruption = parseCorruption(required(values, 'corrupt'));
  } catch (e) {
    throw new UsageError(`--corrupt: ${(e as Error).message}`);
  }
  const answer = required(values, 'answer');
  const wrong = stringOption(values, 'wrong')?.trim();
  const seed = seedArg(stringOption(values, 'seed'));
  let explicit: TemplateSlot[] | undefined;
  try {
    explicit = names?.map((name) => slotForName(template, name));
  } catch (e) {
    throw new UsageError(`--slots: ${(e as Error).message}`);
  }

  const loaded = await load();
  try {
    const slots = explicit ?? suggestSlots(template, loaded.tokenizer);
    if (slots.length === 0)
      throw new UsageError(`--slots auto: the template has no def signature with arguments (other than self/cls): name the slots with --slots a,b,c`);
    const maxTokens = maxPromptTokens({ nCtx: loaded.model.config.nCtx, prependBos: loaded.prependBos });
    checkTemplateFits(template, loaded.tokenizer, maxTokens); // before the probe: a template the model cannot run is refused at once
    const probe: SpecialFillWords | undefined = values['no-probe'] ? undefined : await findSpecialFillWords(loaded, { template, slots });
    let set;
    try {
      set = generatePromptSet(
        { template, slots, n, corruption, seed, answer, wrong, excluded: probe?.excluded, templateSpecial: probe?.templateSpecial, maxTokens },
        loaded.tokenizer,
      );
    } catch (e) {
      if (e instanceof PromptSetTemplateError) throw new UsageError(e.message);
      throw e;
    }
    const groups = (s: TemplateSlot) => [...new Set(s.occurrences.map((o) => o.group))].join(', ');
    const summary = [
      `${n} pairs of ${set.tokenCount} tokens each (BOS not counted), corruption ${corruptionLabel(corruption)}, seed ${seed}, answer slot ${answer}`,
      `slots: ${slots.map((s) => `${s.name} (${s.occurrences.length}× in ${groups(s)})`).join('; ')}`,
    ];
    if (!probe) summary.push(`special words: not probed (--no-probe); fill words drawn from ${set.poolSize}`);
    else {
      summary.push(
        `special words: probed ${probe.poolSize} pool words in ${probe.probes} template variants; excluded ${probe.excluded.length}${probe.excluded.length > 0 ? ':' : ''}`,
      );
      for (const e of probe.excluded) summary.push(`  ${e.word}: ${e.reason}`);
      if (probe.note) summary.push(`  note: ${probe.note}`);
      if (probe.templateSpecial.length > 0) summary.push('the template’s own tokens some head treats specially (for information):');
      for (const t of probe.templateSpecial) summary.push(`  ${JSON.stringify(t.text)}: ${t.reason}`);
    }
    return { jsonl: set.jsonl, summary };
  } catch (e) {
    if (e instanceof PromptSetTemplateError) throw new UsageError(e.message);
    throw e;
  }
}

/** Runs the command: the JSONL to `out` (or stdout), the summary to stderr. */
export async function runPromptsCommand(values: OptionValues, load: () => Promise<LoadedModel>, out: string | undefined): Promise<void> {
  const { jsonl, summary } = await promptsCommand(values, load);
  if (out !== undefined) {
    try {
      writeFileSync(out, jsonl);
    } catch (e) {
      throw new Error(`--out ${out}: cannot write the prompt set (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else process.stdout.write(jsonl);
  for (const line of summary) process.stderr.write(`circuit-inspector: ${line}\n`);
}
