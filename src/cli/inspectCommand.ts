/** `circuit-inspector inspect`: tokens with offsets, top-k next tokens, and logits or hooks on request. */
import { parseArgs } from 'node:util';
import type { HookName } from '../shared/hookNames';
import { assertFiniteRun } from '../model/finiteChecks';
import type { LoadedModel } from '../model/loadHookedGpt2';
import { topK } from '../model/logitsMath';
import { promptFromIds, type Prompt } from '../model/prompt';
import { parseIdList, parseNameList, positiveInt, textArg, UsageError } from './cliArgs';

export const INSPECT_OPTIONS = {
  text: { type: 'string' },
  'text-file': { type: 'string' },
  tokens: { type: 'string' },
  'top-k': { type: 'string' },
  hooks: { type: 'string' },
  logits: { type: 'string' },
} as const;

export async function inspectCommand(args: string[], load: () => Promise<LoadedModel>): Promise<unknown> {
  const { values } = parseArgs({ args, options: INSPECT_OPTIONS, strict: true, allowPositionals: false });
  const text = textArg(values, 'text', false);
  if ((text === undefined) === (values.tokens === undefined)) throw new UsageError('give the prompt as --text / --text-file, or as --tokens (ids), exactly one');
  const k = positiveInt(values['top-k'], '--top-k', 10);
  const logitsMode = values.logits ?? 'none';
  if (!['none', 'last', 'all'].includes(logitsMode)) throw new UsageError(`--logits: expected none, last or all, got '${logitsMode}'`);
  const hooks = parseNameList(values.hooks) as HookName[];

  const loaded = await load();
  try {
    const prompt: Prompt = text !== undefined ? loaded.toPrompt(text) : promptFromIds(loaded.tokenizer, parseIdList(values.tokens!, '--tokens'), loaded.model.config.bosTokenId);
    if (prompt.ids.length === 0) throw new UsageError('the prompt is empty: no tokens to run');
    const run = await loaded.model.run(prompt.ids, { fetch: hooks, logits: logitsMode === 'all' ? 'all' : 'last' });
    assertFiniteRun(run.cache, hooks, run.logits);
    const V = loaded.model.config.dVocab;
    const lastRow = run.logits!.data.subarray(run.logits!.data.length - V);
    return {
      model: { dir: loaded.dir, config: loaded.model.config, layerNorm: loaded.model.layerNorm, prependBos: loaded.prependBos },
      tokens: prompt.tokens,
      nextTokens: topK(lastRow, k).map((t) => ({ ...t, text: loaded.tokenizer.displayText(t.id) })),
      ...(logitsMode !== 'none' ? { logits: { dims: run.logits!.dims, positions: run.logitPositions, data: Array.from(run.logits!.data) } } : {}),
      ...(hooks.length ? { hooks: Object.fromEntries(hooks.map((h) => [h, { dims: run.cache.get(h).dims, data: Array.from(run.cache.get(h).data) }])) } : {}),
    };
  } finally {
    await loaded.dispose();
  }
}
