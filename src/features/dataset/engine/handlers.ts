/**
 * The dataset feature's engine half: check a `*.prompts.jsonl` text (every bad line listed), suggest
 * a template's slots and generate a set from it (words some head treats specially left out), the
 * attribution preview over a set, and the exact sweeps over it with "pair i of N, table j of M"
 * progress and each table as soon as it is final. `stopSetSweeps` ends the sweeps softly, so they
 * resolve with the finished pairs (partial); a cancelled request drops its result. The model runs
 * (the probe, the preview, the sweeps) wait their turn in one SerialQueue, so two sets never
 * double the memory. No `vscode` import.
 */
import { runDatasetAttribution } from '../../../analysis/dataset/datasetAttribution';
import { runDatasetSweeps, type DatasetSweepResult, type DatasetTable as AnalysisTable } from '../../../analysis/dataset/datasetSweeps';
import { checkTemplateFits, generatePromptSet, maxPromptTokens } from '../../../analysis/dataset/generatePromptSet';
import { parsePromptSetJsonl } from '../../../analysis/dataset/promptSetFile';
import { suggestSlots } from '../../../analysis/dataset/slotSuggestions';
import { findSpecialFillWords } from '../../../analysis/dataset/specialFillWords';
import { PromptSetTemplateError, slotByName, slotFromRanges, type CharRange, type TemplateSlot } from '../../../analysis/dataset/template';
import { promptSetTokenizeOptions, tokenizePromptSet } from '../../../analysis/dataset/tokenizePromptSet';
import { badRequest, cancelled } from '../../../engine/protocol';
import { defineEngineModule, type RequestContext } from '../../../engine/registry';
import { SerialQueue } from '../../../engine/serialQueue';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import { isModelSpec } from '../../../shared/modelSpec';
import { PATCH_DIRECTIONS, SWEEP_KINDS } from '../../../shared/patchingVocabulary';
import type { TokenizedPair } from '../../../shared/promptSet';
import type {
  CheckPromptSetParams,
  CheckPromptSetResult,
  DatasetEngineMethods,
  GeneratePromptSetParams,
  GeneratePromptSetResult,
  SetPair,
  SetRunParams,
  SetRunResult,
} from '../shared/engineMethods';
import type { DatasetTable, PairInfo, PositionLabel } from '../shared/protocol';

/** Text larger than this is refused before parsing (a set of 100,000 pairs of 1,000 characters). */
export const MAX_PROMPT_SET_CHARS = 100 * 2 ** 20;

export const datasetEngine = defineEngineModule<DatasetEngineMethods>('dataset', () => {
  const queue = new SerialQueue();
  /** Soft stops of the sweeps, by runId. */
  const stops = new Map<string, AbortController>();

  return {
    handlers: {
      checkPromptSet: async (p, ctx) => checkPromptSet(p, (await ctx.model(p.model)).model),
      suggestSlots: async (p, ctx) => {
        if (typeof p.template !== 'string' || !isModelSpec(p.model)) throw badRequest('malformed suggestSlots request');
        const { model: loaded } = await ctx.model(p.model);
        const slots = suggestSlots(p.template, loaded.tokenizer).map((s) => ({
          name: s.name,
          occurrences: s.occurrences.map((o) => ({ start: o.start, end: o.end, group: o.group })),
          tokens: s.tokens,
          ...(s.note ? { note: s.note } : {}),
        }));
        return { slots, tokenCount: loaded.tokenizer.encodeWithSpecialTokens(p.template).ids.length };
      },
      generatePromptSet: (p, ctx) => queue.run(ctx.signal, async () => generate(p, ctx)),
      setAttribution: (p, ctx) =>
        queue.run(ctx.signal, async () => {
          const t0 = Date.now();
          const { loaded, req } = await runSetup(p, ctx);
          const r = await runDatasetAttribution(loaded.model, { ...req, signal: ctx.signal });
          return toResult(r, t0, p.pairs.length);
        }),
      setSweeps: async (p, ctx) => {
        const stop = new AbortController();
        if (typeof p.runId !== 'string' || !p.runId) throw badRequest('setSweeps needs a runId');
        stops.get(p.runId)?.abort();
        stops.set(p.runId, stop);
        const signal = AbortSignal.any([ctx.signal, stop.signal]);
        try {
          return await queue.run(signal, async () => {
            const t0 = Date.now();
            const { loaded, req } = await runSetup(p, ctx);
            const r = await runDatasetSweeps(loaded.model, {
              ...req,
              signal,
              onProgress: (q) =>
                ctx.progress(
                  `pair ${Math.min(q.pairsDone + 1, q.pairsTotal)} of ${q.pairsTotal}, table ${Math.min(q.tablesDone + 1, q.tablesTotal)} of ${q.tablesTotal}`,
                  {
                    kind: 'progress',
                    progress: { ...q },
                  },
                ),
              onTable: (t) => ctx.progress(`${t.sweep} ${t.direction} done`, { kind: 'table', table: toTable(t) }),
              onPairsDone: (partial) =>
                ctx.progress(`${partial.partial?.done ?? 0} of ${p.pairs.length} pairs done`, { kind: 'pairs', result: toResult(partial, t0, p.pairs.length) }),
            });
            return toResult(r, t0, p.pairs.length);
          });
        } catch (e) {
          // Stopped before a pair was finished: nothing to keep, so it is a cancel.
          if (stop.signal.aborted && !ctx.signal.aborted) throw cancelled('stopped before a pair was finished');
          throw e;
        } finally {
          if (stops.get(p.runId) === stop) stops.delete(p.runId);
        }
      },
      stopSetSweeps: (p) => {
        const stop = stops.get(p.runId);
        stop?.abort();
        return { stopped: stop !== undefined };
      },
    },
    dispose: () => {
      for (const s of stops.values()) s.abort();
      stops.clear();
    },
  };
});

/** Parses and tokenizes a set: every error, in line order; the pairs to run with their text; the position columns. */
export function checkPromptSet(p: CheckPromptSetParams, loaded: LoadedModel): CheckPromptSetResult {
  if (typeof p.text !== 'string' || !isModelSpec(p.model)) throw badRequest('malformed checkPromptSet request');
  if (p.maxPairs !== undefined && !(Number.isInteger(p.maxPairs) && p.maxPairs >= 1)) throw badRequest(`maxPairs ${p.maxPairs} must be a whole number ≥ 1`);
  if (p.text.length > MAX_PROMPT_SET_CHARS) throw badRequest(`the prompt set is ${p.text.length} characters; at most ${MAX_PROMPT_SET_CHARS} are read`);
  const cfg = loaded.model.config;
  const parsed = parsePromptSetJsonl(p.text);
  const tokenized = tokenizePromptSet(parsed.entries, loaded.tokenizer, promptSetTokenizeOptions(loaded, p.model.specialTokensInText ?? true));
  const errors = [...parsed.errors, ...tokenized.errors].sort((a, b) => a.line - b.line);
  const kept = p.maxPairs !== undefined ? tokenized.pairs.slice(0, p.maxPairs) : tokenized.pairs;
  const tok = loaded.tokenizer;
  const text = (ids: readonly number[]) => tok.decode(loaded.prependBos && ids[0] === cfg.bosTokenId ? ids.slice(1) : ids);
  const info: PairInfo[] = kept.map((q) => ({
    line: q.line,
    clean: q.text?.clean ?? text(q.clean),
    corrupt: q.text?.corrupt ?? text(q.corrupt),
    answer: tok.displayText(q.answer),
    wrong: tok.displayText(q.wrong),
    n_tokens: q.clean.length,
  }));
  const pairs: SetPair[] = kept.map((q) => ({ line: q.line, clean: [...q.clean], corrupt: [...q.corrupt], answer: q.answer, wrong: q.wrong }));
  return {
    errors,
    pairs,
    info,
    pairsInFile: tokenized.pairs.length,
    positions: positionLabels(kept, (id) => tok.displayText(id)),
    n_layers: cfg.nLayers,
    n_heads: cfg.nHeads,
    n_ctx: cfg.nCtx,
  };
}

/** One label per position when every pair has the same length (the first pair's clean token; `varies` where any prompt differs). */
export function positionLabels(pairs: readonly Pick<TokenizedPair, 'clean' | 'corrupt'>[], text: (id: number) => string): PositionLabel[] | null {
  if (pairs.length === 0) return null;
  const n = pairs[0].clean.length;
  if (!pairs.every((q) => q.clean.length === n && q.corrupt.length === n)) return null;
  const first = pairs[0].clean;
  return first.map((id, pos) => ({ text: text(id), varies: pairs.some((q) => q.clean[pos] !== id || q.corrupt[pos] !== id) }));
}

async function generate(p: GeneratePromptSetParams, ctx: RequestContext): Promise<GeneratePromptSetResult> {
  if (typeof p.template !== 'string' || !Array.isArray(p.slots) || !isModelSpec(p.model)) throw badRequest('malformed generatePromptSet request');
  const { model: loaded } = await ctx.model(p.model);
  try {
    const slots: TemplateSlot[] = p.slots.map((s: GeneratePromptSetParams['slots'][number]) =>
      typeof s === 'string'
        ? slotByName(p.template, s)
        : slotFromRanges(
            p.template,
            s.occurrences.map((o: CharRange) => ({ start: o.start, end: o.end })),
          ),
    );
    const maxTokens = maxPromptTokens({ nCtx: loaded.model.config.nCtx, prependBos: loaded.prependBos });
    checkTemplateFits(p.template, loaded.tokenizer, maxTokens); // before the probe: a template the model cannot run is refused at once
    const special = p.keepSpecialWords
      ? undefined
      : await findSpecialFillWords(loaded, {
          template: p.template,
          slots,
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress(`checking fill words: ${done} of ${total} variants`, { done, total }),
        });
    ctx.signal.throwIfAborted();
    const g = generatePromptSet(
      {
        template: p.template,
        slots,
        n: p.n,
        corruption: p.corruption,
        seed: p.seed,
        answer: p.answer,
        wrong: p.wrong,
        excluded: special?.excluded,
        templateSpecial: special?.templateSpecial,
        maxTokens,
      },
      loaded.tokenizer,
    );
    const notes = [
      ...(special?.note ? [special.note] : []),
      ...(p.keepSpecialWords ? ['Words some head treats specially were not looked for (keepSpecialWords).'] : []),
    ];
    return {
      jsonl: g.jsonl,
      pairs: g.pairs.length,
      tokenCount: g.tokenCount,
      poolSize: g.poolSize,
      excluded: special?.excluded.map((e) => ({ word: e.word, reason: e.reason })) ?? [],
      templateSpecial: special?.templateSpecial.map((e) => ({ word: e.text, reason: e.reason })) ?? [],
      notes,
    };
  } catch (e) {
    if (e instanceof PromptSetTemplateError) throw badRequest(e.message);
    throw e;
  }
}

/** Checks a run request and loads its model. */
async function runSetup(p: SetRunParams, ctx: RequestContext) {
  if (!isModelSpec(p.model)) throw badRequest('malformed model spec');
  const okIds = (a: unknown): a is number[] => Array.isArray(a) && a.length > 0 && a.every((x) => Number.isInteger(x) && x >= 0);
  if (!Array.isArray(p.pairs) || p.pairs.length === 0) throw badRequest('the prompt set has no pairs to run');
  for (const q of p.pairs) {
    if (!okIds(q.clean) || !okIds(q.corrupt) || !Number.isInteger(q.answer) || !Number.isInteger(q.wrong))
      throw badRequest(`line ${q.line}: malformed token ids`);
    if (q.clean.length !== q.corrupt.length)
      throw badRequest(`line ${q.line}: the clean prompt has ${q.clean.length} tokens and the corrupt one ${q.corrupt.length}`);
  }
  if (!Array.isArray(p.sweeps) || p.sweeps.length === 0 || !p.sweeps.every((s) => SWEEP_KINDS.includes(s))) throw badRequest('unknown or no sweep');
  const directions = p.directions ?? PATCH_DIRECTIONS;
  if (!Array.isArray(directions) || directions.length === 0 || !directions.every((d) => PATCH_DIRECTIONS.includes(d))) throw badRequest('unknown direction');
  const { model: loaded } = await ctx.model(p.model);
  const v = loaded.model.config.dVocab;
  for (const q of p.pairs) {
    const out = [...q.clean, ...q.corrupt, q.answer, q.wrong].find((id) => id >= v);
    if (out !== undefined) throw badRequest(`line ${q.line}: token id ${out} is outside the vocabulary (${v})`);
  }
  return { loaded, req: { pairs: p.pairs, sweeps: p.sweeps, directions, maxBatch: p.maxBatch, memoryBudgetBytes: p.memoryBudgetBytes } };
}

function toTable(t: AnalysisTable, pairIndex?: readonly number[]): DatasetTable {
  return {
    sweep: t.sweep,
    direction: t.direction,
    source: t.source,
    dims: [...t.dims],
    axes: [...t.axes],
    mean: t.mean,
    normalised: t.normalised,
    standardError: t.standardError,
    restoredFraction: t.restoredFraction,
    perPair: t.perPair,
    ...(pairIndex ? { pairIndex } : {}),
  };
}

/** The pair order of a result, or undefined when it is every pair of the request in order. */
function pairOrder(r: DatasetSweepResult, n: number): readonly number[] | undefined {
  const idx = r.pairIndices;
  if (!idx || (idx.length === n && idx.every((v, i) => v === i))) return undefined;
  return [...idx];
}

function toResult(r: DatasetSweepResult, t0: number, n: number): SetRunResult {
  const pairIndex = pairOrder(r, n);
  return {
    summary: { ...r.summary },
    tables: r.tables.map((t) => toTable(t, pairIndex)),
    ...(r.partial ? { partial: { done: r.partial.done, total: r.partial.total } } : {}),
    ...(pairIndex ? { pairIndex } : {}),
    notes: [...(r.notes ?? [])],
    ms: Date.now() - t0,
  };
}
