/** `circuit-inspector patch`: activation-patching tables in both directions, as JSON. */
import { parseArgs } from 'node:util';
import type { LoadedModel } from '../model/loadHookedGpt2';
import { logitDifference } from '../analysis/patching/patchingMetric';
import { runPatchingSweeps } from '../analysis/patching/runPatchingSweeps';
import { PATCH_DIRECTIONS, SWEEP_KINDS, type PatchDirection, type SweepKind } from '../shared/patchingVocabulary';
import { parseNameList, textArg, UsageError } from './cliArgs';
import { tableToJson } from './tableJson';

export const PATCH_OPTIONS = {
  clean: { type: 'string' },
  'clean-file': { type: 'string' },
  corrupt: { type: 'string' },
  'corrupt-file': { type: 'string' },
  answer: { type: 'string' },
  wrong: { type: 'string' },
  sweeps: { type: 'string' },
  directions: { type: 'string' },
} as const;

/** A single token: its text (e.g. " c") must tokenize to exactly one token, or a numeric id with "#12". */
function singleToken(loaded: LoadedModel, value: string | undefined, what: string): number {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  if (/^#\d+$/.test(value)) return Number(value.slice(1));
  const { ids } = loaded.tokenizer.encode(value);
  if (ids.length !== 1) {
    const shown = ids.map((i) => JSON.stringify(loaded.tokenizer.displayText(i))).join(' + ');
    throw new UsageError(`${what} ${JSON.stringify(value)} is ${ids.length} tokens (${shown}); the metric needs a single token (multi-token answers are not supported: use the first token, e.g. ${JSON.stringify(ids.length ? loaded.tokenizer.displayText(ids[0]) : '')})`);
  }
  return ids[0];
}

export async function patchCommand(args: string[], load: () => Promise<LoadedModel>): Promise<unknown> {
  const { values } = parseArgs({ args, options: PATCH_OPTIONS, strict: true, allowPositionals: false });
  const cleanText = textArg(values, 'clean', true)!;
  const corruptText = textArg(values, 'corrupt', true)!;
  const sweeps = (parseNameList(values.sweeps).length ? parseNameList(values.sweeps) : SWEEP_KINDS) as SweepKind[];
  for (const s of sweeps) if (!SWEEP_KINDS.includes(s)) throw new UsageError(`--sweeps: unknown sweep '${s}' (one of ${SWEEP_KINDS.join(', ')})`);
  const directions = (parseNameList(values.directions).length ? parseNameList(values.directions) : PATCH_DIRECTIONS) as PatchDirection[];
  for (const d of directions) if (!PATCH_DIRECTIONS.includes(d)) throw new UsageError(`--directions: unknown direction '${d}' (denoise, noise)`);

  const loaded = await load();
  try {
    const clean = loaded.toPrompt(cleanText);
    const corrupt = loaded.toPrompt(corruptText);
    if (clean.ids.length !== corrupt.ids.length) {
      throw new UsageError(`the clean prompt is ${clean.ids.length} tokens and the corrupt one ${corrupt.ids.length}: position-wise patching needs equal token counts`);
    }
    const answer = singleToken(loaded, values.answer, '--answer');
    const wrong = singleToken(loaded, values.wrong, '--wrong');
    const result = await runPatchingSweeps(loaded.model, {
      clean: clean.ids,
      corrupt: corrupt.ids,
      metric: logitDifference(answer, wrong),
      sweeps,
      directions,
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
