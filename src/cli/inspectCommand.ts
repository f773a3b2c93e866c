/** `circuit-inspector inspect`: tokens with offsets, top-k next tokens, and logits or hooks on request. */
import { assertFiniteRun } from '../model/finiteChecks';
import type { LoadedModel } from '../model/loadHookedGpt2';
import type { LogitsRequest } from '../model/runOptions';
import { topK } from '../model/logitsMath';
import { parseIntList, parseNameList, positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { JsonRows } from './jsonOutput';
import { buildPrompt, PROMPT_OPTIONS, promptArgs } from './promptArgs';
import { checkHooks } from './promptChecks';

export const INSPECT_OPTIONS: OptionSpecs = {
  ...PROMPT_OPTIONS,
  'top-k': { value: 'how many likely next tokens to list (a positive whole number)' },
  hooks: { value: 'comma-separated hook names, e.g. blocks.0.attn.hook_pattern' },
  logits: { value: 'none, last, all, or comma-separated token positions' },
};

/** --logits: a mode, or positions (checked against the prompt once it is tokenized). */
function parseLogits(value: string | undefined): 'none' | 'last' | 'all' | number[] {
  if (value === undefined) return 'none';
  if (value === 'none' || value === 'last' || value === 'all') return value;
  if (/^[\d\s,]+$/.test(value)) return parseIntList(value, '--logits', 'token position');
  throw new UsageError(`--logits: expected none, last, all or comma-separated token positions, got '${value}'`);
}

export async function inspectCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<unknown> {
  // Everything that needs no model is checked before it is loaded.
  const promptArg = promptArgs(values);
  const k = positiveInt(stringOption(values, 'top-k'), '--top-k', 10);
  const logitsMode = parseLogits(stringOption(values, 'logits'));
  const hookNames = parseNameList(stringOption(values, 'hooks'), '--hooks') ?? [];

  const loaded = await load();
  try {
    // ... and everything that needs the model, before it runs.
    const hooks = checkHooks(loaded, hookNames, '--hooks');
    const prompt = buildPrompt(loaded, promptArg);
    const n = prompt.ids.length;
    if (Array.isArray(logitsMode)) {
      const outside = logitsMode.find((p) => p >= n);
      if (outside !== undefined) throw new UsageError(`--logits: position ${outside} is outside the prompt, whose ${n} tokens are at positions 0..${n - 1}`);
    }
    const logits: LogitsRequest =
      logitsMode === 'all' ? 'all' : Array.isArray(logitsMode) ? [...new Set([...logitsMode, n - 1])].sort((a, b) => a - b) : 'last';
    const run = await loaded.model.run(prompt.ids, { fetch: hooks, logits });
    assertFiniteRun(run.cache, hooks, run.logits);
    const V = loaded.model.config.dVocab;
    const all = run.logits!;
    const lastAt = run.logitPositions.indexOf(n - 1);
    const lastRow = all.data.subarray(lastAt * V, (lastAt + 1) * V);
    let logitsOut: unknown;
    if (logitsMode === 'all' || logitsMode === 'last') logitsOut = { dims: all.dims, positions: run.logitPositions, data: new JsonRows(all.data, V) };
    else if (Array.isArray(logitsMode)) {
      // Only the positions asked for (the last one was added for the next-token list).
      const wanted = [...new Set(logitsMode)];
      const rows = new Float32Array(wanted.length * V);
      wanted.forEach((p, i) => rows.set(all.data.subarray(run.logitPositions.indexOf(p) * V, (run.logitPositions.indexOf(p) + 1) * V), i * V));
      logitsOut = { dims: [1, wanted.length, V], positions: wanted, data: new JsonRows(rows, V) };
    }
    return {
      model: { dir: loaded.dir, config: loaded.model.config, layerNorm: loaded.model.layerNorm, prependBos: loaded.prependBos },
      tokens: prompt.tokens,
      nextTokens: topK(lastRow, k).map((t) => ({ ...t, text: loaded.tokenizer.displayText(t.id) })),
      ...(logitsOut ? { logits: logitsOut } : {}),
      ...(hooks.length
        ? {
            hooks: Object.fromEntries(
              hooks.map((h) => {
                const t = run.cache.get(h);
                return [h, { dims: t.dims, data: new JsonRows(t.data, t.dims[t.dims.length - 1] ?? 1) }];
              }),
            ),
          }
        : {}),
    };
  } finally {
    await loaded.dispose();
  }
}
