/**
 * `circuit-inspector precision-check`: how far the int8 approximate mode is from fp32 on a prompt.
 * It runs the prompt both ways and reports the logits error (max and mean |Δ|, top-1 agreement, KL)
 * and the largest difference of a patching table (the z sweep, both directions) on a pair made from
 * the prompt: one token swapped, the answer and wrong tokens being fp32's predictions for each.
 */
import { logitDifference } from '../analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../analysis/patching/runPatchingSweeps';
import { compareLogits, comparePatchingResults } from '../analysis/precisionCheck';
import type { LoadedModel } from '../model/loadHookedGpt2';
import { INT8_NOTE, formatLogitsError, type Precision } from '../shared/precision';
import { positiveInt, stringOption, type OptionSpecs, type OptionValues } from './cliArgs';
import { buildPrompt, PROMPT_OPTIONS, promptArgs } from './promptArgs';

export const PRECISION_CHECK_OPTIONS: OptionSpecs = {
  ...PROMPT_OPTIONS,
  'patch-tokens': { value: 'how many tokens of the prompt the patching pair takes (default 32)' },
};

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * The corrupt prompt: the first token (after BOS) that occurs again later is replaced by the token
 * after it (or the next id), so the pair tests what copies it; a prompt without repeats swaps its
 * middle token.
 */
export function corruptPair(ids: readonly number[], dVocab: number): { readonly position: number; readonly corrupt: number[] } {
  let position = ids.findIndex((t, i) => i >= 1 && i < ids.length - 1 && ids.indexOf(t, i + 1) > 0);
  if (position < 0) position = Math.max(1, Math.floor(ids.length / 2) - 1);
  const next = ids[position + 1];
  const replacement = next !== undefined && next !== ids[position] ? next : (ids[position] + 1) % dVocab;
  const corrupt = [...ids];
  corrupt[position] = replacement;
  return { position, corrupt };
}

export async function precisionCheckCommand(values: OptionValues, load: (precision: Precision) => Promise<LoadedModel>): Promise<unknown> {
  const promptArg = promptArgs(values);
  const patchTokens = positiveInt(stringOption(values, 'patch-tokens'), '--patch-tokens', 32);

  const exact = await load('exact');
  let int8: LoadedModel | undefined;
  try {
    const prompt = buildPrompt(exact, promptArg);
    int8 = await load('int8');
    const ids = prompt.ids;
    const time = async (run: () => Promise<unknown>) => {
      await run(); // the first run builds the session
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    const fp32Ms = await time(() => exact.model.run(ids));
    const int8Ms = await time(() => int8!.model.run(ids));
    const fp32Logits = (await exact.model.run(ids, { logits: 'all' })).logits!;
    const int8Logits = (await int8.model.run(ids, { logits: 'all' })).logits!;
    const logits = compareLogits(fp32Logits, int8Logits);
    process.stderr.write(`${formatLogitsError(logits)}\n`);

    // The patching pair: at most --patch-tokens tokens of the prompt.
    const clean = ids.slice(0, Math.max(3, Math.min(patchTokens, ids.length)));
    const V = exact.model.config.dVocab;
    const { position, corrupt } = corruptPair(clean, V);
    const lastRow = async (m: LoadedModel, t: readonly number[]) => (await m.model.runExact(t)).logits!.data.slice(-V);
    const answer = argmax(await lastRow(exact, clean));
    let wrong = argmax(await lastRow(exact, corrupt));
    if (wrong === answer) {
      const row = await lastRow(exact, clean);
      row[answer] = -Infinity;
      wrong = argmax(row); // the runner-up
    }
    const request = { clean, corrupt, metric: logitDifference(answer, wrong), sweeps: ['z'] as const };
    const fp32Table = await runPatchingSweeps(exact.model, request);
    const int8Table = await runPatchingSweeps(int8.model, request);
    const tables = comparePatchingResults(fp32Table, int8Table);
    for (const t of tables) {
      process.stderr.write(
        `int8 vs fp32 patching (${t.direction} ${t.sweep}, ${t.cells} cells): max |Δ logit diff| ${t.maxAbs.toPrecision(3)}` +
          `${t.maxAbsNormalised !== null ? ` (${(100 * t.maxAbsNormalised).toFixed(1)}% of the clean − corrupt gap)` : ''}\n`,
      );
    }
    const text = (id: number) => exact.tokenizer.displayText(id);
    return {
      model: { dir: exact.dir, layerNorm: exact.model.layerNorm },
      precision: 'int8',
      note: INT8_NOTE,
      tokens: ids.length,
      forwardMs: { fp32: fp32Ms, int8: int8Ms, ratio: int8Ms / fp32Ms },
      logits: { ...logits, summary: formatLogitsError(logits) },
      patching: {
        pair: { tokens: clean.length, position, clean: text(clean[position]), corrupt: text(corrupt[position]), answer: text(answer), wrong: text(wrong) },
        metric: {
          name: 'logit_diff',
          fp32: { clean: fp32Table.metricClean, corrupt: fp32Table.metricCorrupt },
          int8: { clean: int8Table.metricClean, corrupt: int8Table.metricCorrupt },
        },
        tables,
      },
    };
  } finally {
    await exact.dispose();
    await int8?.dispose();
  }
}
