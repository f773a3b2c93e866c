/**
 * `circuit-inspector patch --dataset FILE.prompts.jsonl`: activation patching over a set of prompt
 * pairs, as JSON: per table the mean patched logit difference, its standard error, the normalised
 * mean, the restored fraction and every pair's value, with the set's summary (mean clean and
 * corrupt metrics, the fraction of pairs where clean beats corrupt, a zero-gap flag) and notes
 * (position sweeps left out when the pairs' lengths differ). Every line of the file is checked
 * before the model runs a pair; all bad lines are listed. Ctrl-C stops the sweeps and writes the
 * finished pairs, labelled `partial`.
 */
import { runDatasetSweeps, type DatasetSweepResult } from '../analysis/dataset/datasetSweeps';
import { parsePromptSetJsonl } from '../analysis/dataset/promptSetFile';
import { promptSetTokenizeOptions, tokenizePromptSet } from '../analysis/dataset/tokenizePromptSet';
import { DEFAULT_PATCHING_BUDGET_BYTES } from '../analysis/patching/runPatchingSweeps';
import type { LoadedModel } from '../model/loadHookedGpt2';
import { PATCH_DIRECTIONS, SWEEP_KINDS, type PatchDirection, type SweepKind } from '../shared/patchingVocabulary';
import { parseNameList, positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { gapSummary } from '../shared/datasetGap';
import { nest } from './tableJson';
import { readTextFile } from './textInput';

export const PATCH_DATASET_OPTIONS: OptionSpecs = {
  dataset: { value: 'a *.prompts.jsonl file: one {clean, corrupt, answer, wrong} pair per line (patching over the set)' },
  'max-pairs': { value: 'run at most this many pairs of --dataset (the first valid ones)' },
};

/** A prompt set file may be this large. */
export const MAX_PROMPT_SET_BYTES = 64 * 2 ** 20;

/** Options of single-pair patching that --dataset replaces. */
const SINGLE_PAIR = ['clean', 'clean-file', 'corrupt', 'corrupt-file', 'answer', 'wrong'];

function nameList<T extends string>(values: OptionValues, name: string, known: readonly T[]): T[] {
  const list = parseNameList(stringOption(values, name), `--${name}`) ?? [...known];
  for (const s of list)
    if (!(known as readonly string[]).includes(s)) throw new UsageError(`--${name}: unknown ${name.slice(0, -1)} '${s}' (one of ${known.join(', ')})`);
  return list as T[];
}

export async function patchDatasetCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<unknown> {
  // Everything that needs no model is checked before it is loaded.
  const file = stringOption(values, 'dataset');
  if (file === undefined || file === '') throw new UsageError(`--dataset needs a value: ${PATCH_DATASET_OPTIONS.dataset.value}`);
  const clash = SINGLE_PAIR.filter((o) => values[o] !== undefined);
  if (clash.length) throw new UsageError(`--dataset runs the pairs of its file: leave out ${clash.map((o) => `--${o}`).join(', ')}`);
  const maxPairs = values['max-pairs'] !== undefined ? positiveInt(stringOption(values, 'max-pairs'), '--max-pairs', 1) : undefined;
  const sweeps = nameList<SweepKind>(values, 'sweeps', SWEEP_KINDS);
  const directions = nameList<PatchDirection>(values, 'directions', PATCH_DIRECTIONS);
  const budgetMb = positiveInt(stringOption(values, 'memory-budget-mb'), '--memory-budget-mb', DEFAULT_PATCHING_BUDGET_BYTES / 2 ** 20);
  const text = readTextFile(file, '--dataset', MAX_PROMPT_SET_BYTES);
  const parsed = parsePromptSetJsonl(text);

  const loaded = await load();
  try {
    // ... and every line against the model's tokenizer, before the first run.
    const tokenized = tokenizePromptSet(parsed.entries, loaded.tokenizer, promptSetTokenizeOptions(loaded));
    const errors = [...parsed.errors, ...tokenized.errors].sort((a, b) => a.line - b.line);
    if (errors.length === 1 && errors[0].line === 0) throw new UsageError(`--dataset ${file}: ${errors[0].message}`);
    if (errors.length) {
      const lines = errors.map((e) => (e.line > 0 ? `  ${file}:${e.line}: ${e.message}` : `  ${file}: ${e.message}`));
      throw new UsageError(`--dataset ${file}: ${errors.length} bad line${errors.length === 1 ? '' : 's'}, nothing was run:\n${lines.join('\n')}`);
    }
    const pairs = maxPairs !== undefined ? tokenized.pairs.slice(0, maxPairs) : tokenized.pairs;
    const progress = progressWriter();
    const stop = new AbortController();
    const onInterrupt = () => stop.abort();
    process.once('SIGINT', onInterrupt);
    let result: DatasetSweepResult;
    try {
      result = await runDatasetSweeps(loaded.model, {
        pairs,
        sweeps,
        directions,
        memoryBudgetBytes: budgetMb * 2 ** 20,
        signal: stop.signal,
        onProgress: (p) =>
          progress.write(
            `pair ${Math.min(p.pairsDone + 1, p.pairsTotal)} of ${p.pairsTotal}, table ${Math.min(p.tablesDone + 1, p.tablesTotal)} of ${p.tablesTotal} (${p.sweep} ${p.direction})`,
          ),
      });
    } finally {
      process.off('SIGINT', onInterrupt);
      progress.end();
    }
    if (result.partial) process.stderr.write(`circuit-inspector: stopped: partial, ${result.partial.done} of ${result.partial.total} pairs\n`);
    return datasetJson(loaded, file, tokenized.pairs.length, pairs, result);
  } finally {
    await loaded.dispose();
  }
}

/**
 * Progress on stderr: a line is written only when its text changes (the sweeps report many times
 * per table); on a terminal it is rewritten in place, elsewhere (a log, CI) one line each.
 */
function progressWriter() {
  const tty = process.stderr.isTTY === true;
  let last = '';
  return {
    write(text: string) {
      if (text === last) return;
      last = text;
      process.stderr.write(tty ? `\r${text}   ` : `${text}\n`);
    },
    end() {
      if (tty && last !== '') process.stderr.write('\n');
    },
  };
}

type RunPair = ReturnType<typeof tokenizePromptSet>['pairs'][number];

function datasetJson(loaded: LoadedModel, file: string, pairsInFile: number, pairs: readonly RunPair[], r: DatasetSweepResult) {
  const tok = loaded.tokenizer;
  const s = r.summary;
  const order = r.pairIndices ?? pairs.map((_, i) => i);
  const gap = gapSummary(s.metricClean, s.metricCorrupt, s.zeroGap);
  return {
    model: { dir: loaded.dir, layerNorm: loaded.model.layerNorm },
    dataset: file,
    metric: 'logit_diff: logit[answer] − logit[wrong] at the last position, per pair',
    pairsInFile,
    pairsRun: pairs.length,
    partial: r.partial ?? null,
    notes: r.notes,
    summary: {
      pairs: s.pairs,
      meanClean: s.meanClean,
      meanCorrupt: s.meanCorrupt,
      cleanBeatsCorrupt: s.cleanBeatsCorrupt,
      gap: gap.gap,
      gapStandardError: gap.gapStandardError,
      zeroGap: s.zeroGap,
      warnings: gap.warnings,
    },
    normalisation: '(mean patched − mean corrupt) / (mean clean − mean corrupt)',
    restoredFraction: 'denoise: fraction of pairs where the cell restores at least half the gap; noise: removes at least half',
    /** In the order of the tables' perPair rows (the finished pairs when partial). */
    pairs: order.map((i, row) => {
      const p = pairs[i];
      return {
        line: p.line,
        ...(p.text ? { clean: p.text.clean, corrupt: p.text.corrupt } : {}),
        answer: { id: p.answer, text: tok.displayText(p.answer) },
        wrong: { id: p.wrong, text: tok.displayText(p.wrong) },
        n_tokens: p.clean.length,
        metricClean: s.metricClean[row],
        metricCorrupt: s.metricCorrupt[row],
      };
    }),
    tables: r.tables.map((t) => {
      const cells = t.mean.length;
      const rows = cells > 0 ? t.perPair.length / cells : 0;
      return {
        sweep: t.sweep,
        direction: t.direction,
        axes: t.axes,
        dims: t.dims,
        mean: nest(t.mean, t.dims),
        standardError: nest(t.standardError, t.dims),
        normalised: t.normalised ? nest(t.normalised, t.dims, finite) : null,
        restoredFraction: t.restoredFraction ? nest(t.restoredFraction, t.dims, finite) : null,
        /** [pairs (as `pairs`), ...dims]. */
        perPair: nest(t.perPair, [rows, ...t.dims]),
      };
    }),
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
