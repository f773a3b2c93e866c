/**
 * `circuit-inspector patch`: activation-patching tables in both directions, as JSON. Every argument
 * is checked (prompts, tokens, sweeps, directions) before the first run of the model.
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import { logitDifference } from '../analysis/patching/patchingMetric';
import { DEFAULT_PATCHING_BUDGET_BYTES, runPatchingSweeps } from '../analysis/patching/runPatchingSweeps';
import { PATCH_DIRECTIONS, SWEEP_KINDS, type PatchDirection, type SweepKind } from '../shared/patchingVocabulary';
import { parseNameList, positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { patchDatasetCommand, PATCH_DATASET_OPTIONS } from './patchDatasetCommand';
import { checkPrompt, checkTokenId } from './promptChecks';
import { tableToJson } from './tableJson';
import { textArg } from './textInput';

export const PATCH_OPTIONS: OptionSpecs = {
  clean: { value: 'the clean prompt text' },
  'clean-file': { value: 'a UTF-8 text file holding the clean prompt' },
  corrupt: { value: 'the corrupt prompt text' },
  'corrupt-file': { value: 'a UTF-8 text file holding the corrupt prompt' },
  answer: { value: 'the token the clean prompt should predict: text that is one token (e.g. " c"), or #ID' },
  wrong: { value: 'the token the corrupt prompt should predict: text that is one token (e.g. " c"), or #ID' },
  sweeps: { value: `comma-separated sweeps (${SWEEP_KINDS.join(', ')})` },
  directions: { value: 'denoise, noise, or denoise,noise' },
  'memory-budget-mb': { value: 'MB the batched patched runs may take, beside the weights (a positive whole number, default 2048)' },
  ...PATCH_DATASET_OPTIONS,
};

type TokenArg = { readonly id: number } | { readonly text: string };

/** --answer / --wrong before the model is loaded: "#ID" or text. */
function tokenArg(values: OptionValues, name: string): TokenArg {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}: ${PATCH_OPTIONS[name].value}`);
  if (value === '') throw new UsageError(`--${name} is empty: ${PATCH_OPTIONS[name].value}`);
  if (/^#\d+$/.test(value)) return { id: Number(value.slice(1)) };
  return { text: value };
}

/** A single token: its text (e.g. " c") must tokenize to exactly one token; "#12" is the id 12. */
function singleToken(loaded: LoadedModel, arg: TokenArg, what: string): number {
  if ('id' in arg) {
    checkTokenId(loaded, arg.id, what);
    return arg.id;
  }
  const { ids } = loaded.tokenizer.encode(arg.text);
  if (ids.length !== 1) {
    const shown = ids.map((i) => JSON.stringify(loaded.tokenizer.displayText(i))).join(' + ');
    throw new UsageError(
      `${what} ${JSON.stringify(arg.text)} is ${ids.length} tokens (${shown}); the metric needs a single token (multi-token answers are not supported: use the first token, e.g. ${JSON.stringify(loaded.tokenizer.displayText(ids[0]))})`,
    );
  }
  checkTokenId(loaded, ids[0], what);
  return ids[0];
}

function nameList<T extends string>(values: OptionValues, name: string, known: readonly T[]): T[] {
  const list = parseNameList(stringOption(values, name), `--${name}`) ?? [...known];
  for (const s of list)
    if (!(known as readonly string[]).includes(s)) throw new UsageError(`--${name}: unknown ${name.slice(0, -1)} '${s}' (one of ${known.join(', ')})`);
  return list as T[];
}

export async function patchCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<unknown> {
  if (values.dataset !== undefined) return patchDatasetCommand(values, load);
  // Everything that needs no model is checked before it is loaded.
  const cleanText = textArg(values, 'clean', true)!;
  const corruptText = textArg(values, 'corrupt', true)!;
  const cleanOption = values['clean-file'] !== undefined ? '--clean-file' : '--clean';
  const corruptOption = values['corrupt-file'] !== undefined ? '--corrupt-file' : '--corrupt';
  if (cleanText === '') throw new UsageError(`${cleanOption}: the clean prompt is empty`);
  if (corruptText === '') throw new UsageError(`${corruptOption}: the corrupt prompt is empty`);
  const answerArg = tokenArg(values, 'answer');
  const wrongArg = tokenArg(values, 'wrong');
  const sweeps = nameList<SweepKind>(values, 'sweeps', SWEEP_KINDS);
  const directions = nameList<PatchDirection>(values, 'directions', PATCH_DIRECTIONS);
  const budgetMb = positiveInt(stringOption(values, 'memory-budget-mb'), '--memory-budget-mb', DEFAULT_PATCHING_BUDGET_BYTES / 2 ** 20);

  const loaded = await load();
  try {
    // ... and everything that needs the model, before its first run.
    const clean = loaded.toPrompt(cleanText);
    const corrupt = loaded.toPrompt(corruptText);
    checkPrompt(loaded, clean, cleanOption);
    checkPrompt(loaded, corrupt, corruptOption);
    if (clean.ids.length !== corrupt.ids.length) {
      throw new UsageError(
        `the clean prompt is ${clean.ids.length} tokens and the corrupt one ${corrupt.ids.length}: position-wise patching needs equal token counts`,
      );
    }
    const answer = singleToken(loaded, answerArg, '--answer');
    const wrong = singleToken(loaded, wrongArg, '--wrong');
    if (answer === wrong) {
      throw new UsageError(
        `--answer and --wrong are the same token (${answer}, ${JSON.stringify(loaded.tokenizer.displayText(answer))}): their logit difference is 0 in every run`,
      );
    }
    const result = await runPatchingSweeps(loaded.model, {
      clean: clean.ids,
      corrupt: corrupt.ids,
      metric: logitDifference(answer, wrong),
      sweeps,
      directions,
      memoryBudgetBytes: budgetMb * 2 ** 20,
      onProgress: (p) => process.stderr.write(`\r${p.direction} ${p.sweep} layer ${p.layer}: ${p.cellsDone}/${p.cellsTotal}   `),
    });
    process.stderr.write('\n');
    const denominator = result.metricClean - result.metricCorrupt;
    return {
      model: { dir: loaded.dir, layerNorm: loaded.model.layerNorm },
      clean: clean.tokens,
      corrupt: corrupt.tokens,
      answer: { id: answer, text: loaded.tokenizer.displayText(answer) },
      wrong: { id: wrong, text: loaded.tokenizer.displayText(wrong) },
      metric: { name: 'logit_diff', clean: result.metricClean, corrupt: result.metricCorrupt },
      ...(denominator === 0 ? { warning: 'clean and corrupt prompts give the same metric: normalised values are undefined (null)' } : {}),
      tables: result.tables.map((t) => tableToJson(t, result.metricClean, result.metricCorrupt)),
    };
  } finally {
    await loaded.dispose();
  }
}
