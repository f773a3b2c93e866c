/**
 * Compare Token Substitution's engine half: comparison contexts (the clean prompt run once), ranked
 * substitutes, the corrupt prompt's alignment, the attribution-patching preview, exact sweeps with
 * per-sweep progress and per-table results, and one head's clean/corrupt patterns. Cancelling a
 * request aborts it between batched runs (a table is only ever sent whole). No `vscode` import.
 */
import { runAttributionPatching } from '../../../analysis/patching/attributionPatching';
import { answerProbability, klDivergenceFrom, logitDifference, type LogitsMetric } from '../../../analysis/patching/patchingMetric';
import { runPatchingSweeps, type PatchingTable } from '../../../analysis/patching/runPatchingSweeps';
import { checkPatchTable, LogitsErrorCache } from '../../../analysis/precisionCheck';
import { attributionByPosition, rankFeatures, runFeatureAttribution } from '../../../analysis/sae/featureAttribution';
import { runFeaturePatching } from '../../../analysis/sae/featurePatching';
import { rankSubstitutes } from '../../../analysis/substitution/rankSubstitutes';
import { nearestSingleTokenAlternatives, substituteCandidates } from '../../../analysis/substitution/substituteCandidates';
import { diffTokens } from '../../../analysis/substitution/tokenDiff';
import { badRequest, EngineError } from '../../../engine/protocol';
import { defineEngineModule, type RequestContext } from '../../../engine/registry';
import type { ModelForwards } from '../../../model/hookedGpt2';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import { checkSaeFitsModel, SaeError } from '../../../model/sae';
import { topK } from '../../../model/logitsMath';
import type { Prompt } from '../../../model/prompt';
import { isRecord } from '../../../shared/guards';
import { blockHook } from '../../../shared/hookNames';
import { isModelSpec, modelSpecKey } from '../../../shared/modelSpec';
import { PATCH_DIRECTIONS, SWEEP_KINDS } from '../../../shared/patchingVocabulary';
import type { PromptToken, TopToken } from '../../../shared/tokens';
import type {
  CheckTableParams,
  CheckTableResult,
  FeatureAttributionParams,
  FeatureAttributionResult,
  PatchRunParams,
  PatchRunResult,
  SubstitutionEngineMethods,
} from '../shared/engineMethods';
import { isMetricSpec, type MetricSpec, type PatchTable, type SaeFeatureRow } from '../shared/protocol';
import { ComparisonContexts, type ComparisonContext } from './comparisonContexts';

export const substitutionEngine = defineEngineModule<SubstitutionEngineMethods>('substitution', () => {
  const comparisons = new ComparisonContexts();
  const logitsErrors = new LogitsErrorCache();

  /** A kept comparison with its model (the same spec, so the same weights, reloaded if another ran since). */
  const comparison = async (comparisonId: string, ctx: RequestContext): Promise<{ c: ComparisonContext; loaded: LoadedModel }> => {
    const c = comparisons.get(comparisonId);
    const { model: loaded } = await ctx.model(c.model);
    return { c, loaded };
  };

  return {
    handlers: {
      openComparison: async (p, ctx) => {
        if (typeof p.clean !== 'string' || typeof p.comparisonId !== 'string' || !isModelSpec(p.model)) throw badRequest('malformed openComparison request');
        const { model: loaded } = await ctx.model(p.model);
        const cfg = loaded.model.config;
        const clean = loaded.toPrompt(p.clean, p.model.specialTokensInText);
        checkPrompt(clean, cfg.nCtx, 'clean');
        const cleanLogits = await lastLogits(loaded.model, clean.ids, ctx.signal);
        const c: ComparisonContext = { comparisonId: p.comparisonId, model: p.model, clean, cleanLogits, topK: p.topK ?? 5 };
        comparisons.add(c);
        // An int8 run says how far its logits are from fp32 on the clean prompt (as Inspect Attention does; measured once per model and prompt).
        const precisionError =
          loaded.model.precision === 'int8' ? await logitsErrors.get(modelSpecKey(p.model), loaded.model, clean.ids, ctx.signal) : undefined;
        return {
          comparisonId: p.comparisonId,
          clean: promptTokens(clean),
          topClean: top(loaded, cleanLogits, c.topK),
          n_layers: cfg.nLayers,
          n_heads: cfg.nHeads,
          n_ctx: cfg.nCtx,
          ...(precisionError ? { precisionError } : {}),
        };
      },
      rankSubstitutes: async (p, ctx) => {
        const { c, loaded } = await comparison(p.comparisonId, ctx);
        const { ids, tokens } = c.clean;
        const pos = p.position;
        if (!Number.isInteger(pos) || pos < 0 || pos >= ids.length) throw badRequest(`token ${pos} is outside the prompt (0..${ids.length - 1})`);
        if (tokens[pos].isBos) throw badRequest('the BOS token cannot be substituted');
        const limit = Math.max(1, p.limit);
        const preferred = ids.filter((t, i) => i !== pos && !tokens[i].isBos && t !== ids[pos]);
        const given = p.candidates?.filter((id) => Number.isInteger(id) && id >= 0 && id < loaded.model.config.dVocab);
        const context = typeof p.context === 'string' ? p.context : undefined;
        const found = given ? undefined : substituteCandidates(loaded.tokenizer, ids[pos], { limit, preferred, text: c.clean.text, context });
        const picked = found?.candidates.slice(0, limit);
        const candidates = given ?? picked?.map((x) => x.id) ?? [];
        const fromDocument = picked && new Set(picked.filter((x) => x.source === 'document').map((x) => x.id));
        const ranking = await rankSubstitutes(loaded.model, loaded.tokenizer, { ids, isBos: tokens.map((t) => t.isBos) }, pos, candidates, {
          signal: ctx.signal,
          fromDocument,
        });
        return found ? { ...ranking, role: found.role } : ranking;
      },
      tokenizeCorrupt: async (p, ctx) => {
        if (typeof p.corrupt !== 'string') throw badRequest('malformed tokenizeCorrupt request');
        const { c, loaded } = await comparison(p.comparisonId, ctx);
        const corrupt = loaded.toPrompt(p.corrupt, c.model.specialTokensInText);
        checkPrompt(corrupt, loaded.model.config.nCtx, 'corrupt');
        const diff = diffTokens(c.clean.ids, corrupt.ids);
        const replaced = p.replaced;
        const nearest =
          !diff.aligned && replaced && replaced.position < c.clean.ids.length && !c.clean.tokens[replaced.position].isBos
            ? nearestSingleTokenAlternatives(loaded.tokenizer, c.clean.ids[replaced.position], replaced.text, 6, c.clean.text)
            : undefined;
        const topCorrupt = diff.aligned ? top(loaded, await lastLogits(loaded.model, corrupt.ids, ctx.signal), c.topK) : undefined;
        return { corrupt: promptTokens(corrupt), diff, topCorrupt, nearest };
      },
      encode: async (p, ctx) => {
        if (!Array.isArray(p.texts) || !p.texts.every((t) => typeof t === 'string')) throw badRequest('malformed encode request');
        const { model: loaded } = await ctx.model(p.model);
        return p.texts.map((t) => loaded.tokenizer.encode(t).ids.map((id) => ({ id, text: loaded.tokenizer.displayText(id) })));
      },
      attribution: async (p, ctx) => {
        const t0 = Date.now();
        const { loaded, metric, directions } = await runSetup(p, ctx);
        const r = await runAttributionPatching(loaded.model, { clean: p.clean, corrupt: p.corrupt, metric, sweeps: p.sweeps, directions, signal: ctx.signal });
        // AtP estimates patched − target; the panel reads every table as a patched metric.
        const tables = r.tables.map((t) => {
          const target = t.direction === 'denoise' ? r.metricCorrupt : r.metricClean;
          return toPatchTable(
            t,
            'attribution',
            t.values.map((v) => v + target),
          );
        });
        return { metricClean: r.metricClean, metricCorrupt: r.metricCorrupt, tables, ms: Date.now() - t0 };
      },
      patchSweeps: async (p, ctx): Promise<PatchRunResult> => {
        const t0 = Date.now();
        const { loaded, metric, directions } = await runSetup(p, ctx);
        // One call: the clean and corrupt caches are computed once for every table.
        const r = await runPatchingSweeps(loaded.model, {
          clean: p.clean,
          corrupt: p.corrupt,
          metric,
          sweeps: p.sweeps,
          directions,
          maxBatch: p.maxBatch,
          memoryBudgetBytes: p.memoryBudgetBytes,
          signal: ctx.signal,
          onProgress: (q) =>
            ctx.progress(`${q.direction} ${q.sweep} layer ${q.layer}`, {
              kind: 'progress',
              progress: {
                direction: q.direction,
                sweep: q.sweep,
                tablesDone: q.tablesDone,
                tablesTotal: q.tablesTotal,
                layer: q.layer,
                cellsDone: q.cellsDone,
                cellsTotal: q.cellsTotal,
                workDone: q.workDone,
                workTotal: q.workTotal,
                elapsedMs: q.elapsedMs,
              },
            }),
          onTable: (t) => ctx.progress(`${t.direction} ${t.sweep} done`, { kind: 'table', table: toPatchTable(t, 'exact', t.values) }),
        });
        ctx.signal.throwIfAborted();
        return { metricClean: r.metricClean, metricCorrupt: r.metricCorrupt, tables: [], ms: Date.now() - t0 };
      },
      checkTable: async (p, ctx) => checkTable(p, ctx),
      headPatterns: async (q, ctx) => {
        const { model: loaded } = await ctx.model(q.model);
        const cfg = loaded.model.config;
        if (!Number.isInteger(q.layer) || q.layer < 0 || q.layer >= cfg.nLayers || !Number.isInteger(q.head) || q.head < 0 || q.head >= cfg.nHeads) {
          throw badRequest(`head ${q.layer}.${q.head} is outside the model (${cfg.nLayers} layers × ${cfg.nHeads} heads)`);
        }
        if (q.clean.length !== q.corrupt.length) throw badRequest('clean and corrupt prompts differ in length');
        const hook = blockHook(q.layer, 'attn.hook_pattern');
        const run = await loaded.model.runWithCache([q.clean, q.corrupt], [hook], { logits: 'none', signal: ctx.signal });
        const t = run.cache.get(hook); // [batch=2, head_index, query_pos, key_pos]
        const [, H, P] = t.dims;
        const n = P * P;
        return { n_tokens: P, clean_q_k: t.data.subarray(q.head * n, (q.head + 1) * n), corrupt_q_k: t.data.subarray((H + q.head) * n, (H + q.head + 1) * n) };
      },
      featureAttribution: async (p, ctx) => featureAttribution(p, ctx),
    },
    dispose: () => comparisons.clear(),
  };
});

/**
 * The SAE features that carry the substitution: attribution of every feature (one forward+backward
 * of both prompts and one encode), sent as progress at once, then exact patches of the top `topK`
 * in both directions.
 */
async function featureAttribution(p: FeatureAttributionParams, ctx: RequestContext): Promise<FeatureAttributionResult> {
  if (typeof p.sae !== 'string' || !p.sae) throw badRequest('no SAE folder given');
  const topK = p.topK ?? 10;
  if (!Number.isInteger(topK) || topK < 1 || topK > 200) throw badRequest(`topK ${topK} must be an integer in 1..200`);
  const t0 = Date.now();
  const { loaded, metric } = await runSetup({ ...p, sweeps: [] }, ctx);
  const { sae, encoder } = await ctx.sae(p.sae);
  let warnings: string[];
  try {
    warnings = checkSaeFitsModel(sae, { config: loaded.model.config, name: p.model.displayName });
  } catch (e) {
    if (e instanceof SaeError) throw badRequest(`The SAE in ${p.sae} does not fit ${p.model.displayName}: ${e.message}`);
    throw e;
  }
  const a = await runFeatureAttribution(loaded.model, sae, encoder, { clean: p.clean, corrupt: p.corrupt, metric, signal: ctx.signal });
  const ranked = rankFeatures(a.totals, topK);
  const W = sae.weights.W_dec;
  const rows: SaeFeatureRow[] = ranked.map((r) => ({
    feature: r.feature,
    attribution: { denoise: r.denoise, noise: r.noise },
    denoise_pos: attributionByPosition(a, W, 'denoise', r.feature),
    noise_pos: attributionByPosition(a, W, 'noise', r.feature),
  }));
  let attributed = 0;
  for (let i = 0; i < a.dSae; i++) if (a.totals.denoise[i] !== 0 || a.totals.noise[i] !== 0) attributed++;
  const estimate = {
    sae: { label: sae.label, hook: sae.config.hookName, dSae: sae.config.dSae, inputTransform: sae.config.inputTransform },
    metricClean: a.clean.metric,
    metricCorrupt: a.corrupt.metric,
    features: rows,
    attributed,
    warnings,
    attributionMs: Date.now() - t0,
  };
  ctx.progress(`attribution of ${a.dSae} features`, { kind: 'estimate', estimate });
  const t1 = Date.now();
  const exact = await runFeaturePatching(loaded.model, W, a, {
    features: ranked.map((r) => r.feature),
    metric,
    maxBatch: p.maxBatch,
    signal: ctx.signal,
    onProgress: (q) => ctx.progress(`exact ${q.direction} ${q.done}/${q.total}`, { kind: 'exact', direction: q.direction, done: q.done, total: q.total }),
  });
  ctx.signal.throwIfAborted();
  const features = rows.map((r, i) => ({ ...r, exact: { denoise: exact.denoise![i], noise: exact.noise![i] } }));
  return { ...estimate, features, exactMs: Date.now() - t1 };
}

/**
 * One exact table of an int8 run recomputed with the fp32 weights of the same loaded model
 * (`exactForwards`: no second load) and compared with the int8 table the host sent: max |Δ|, its
 * share of fp32's gap, and the strongest cells both share.
 */
async function checkTable(p: CheckTableParams, ctx: RequestContext): Promise<CheckTableResult> {
  const t0 = Date.now();
  const i8 = p.int8;
  if (!isRecord(i8) || !(i8.patched instanceof Float32Array) || !Number.isFinite(i8.metricClean) || !Number.isFinite(i8.metricCorrupt)) {
    throw badRequest('malformed checkTable request: no int8 table');
  }
  const { loaded, forwards, metric, directions } = await runSetup({ ...p, sweeps: [p.sweep], directions: [p.direction] }, ctx, 'exact');
  if (loaded.model.precision !== 'int8') throw badRequest('the model runs in the exact mode: there is no int8 table to check against fp32');
  const r = await runPatchingSweeps(forwards, {
    clean: p.clean,
    corrupt: p.corrupt,
    metric,
    sweeps: [p.sweep],
    directions,
    maxBatch: p.maxBatch,
    memoryBudgetBytes: p.memoryBudgetBytes,
    signal: ctx.signal,
    onProgress: (q) => ctx.progress(`fp32 ${q.direction} ${q.sweep} layer ${q.layer}`, { done: q.workDone, total: q.workTotal }),
  });
  ctx.signal.throwIfAborted();
  const t = r.tables[0];
  if (t.values.length !== i8.patched.length) throw badRequest(`the int8 table has ${i8.patched.length} cells and the fp32 one ${t.values.length}`);
  const int8 = { values: i8.patched, metricClean: i8.metricClean, metricCorrupt: i8.metricCorrupt };
  const check = checkPatchTable({ values: t.values, metricClean: r.metricClean, metricCorrupt: r.metricCorrupt }, int8, p.direction);
  return { check, fp32: toPatchTable(t, 'exact', t.values), ms: Date.now() - t0 };
}

/**
 * Checks a patching request, and gives the forwards to run (the model's own, or with `precision`
 * 'exact' the fp32 forwards of an int8 model) and the metric built on them (the KL metric's clean
 * distribution comes from those forwards).
 */
async function runSetup(p: PatchRunParams, ctx: RequestContext, precision: 'model' | 'exact' = 'model') {
  const okIds = (a: unknown): a is number[] => Array.isArray(a) && a.length > 0 && a.every((x) => Number.isInteger(x) && x >= 0);
  if (!okIds(p.clean) || !okIds(p.corrupt)) throw badRequest('malformed token ids');
  if (!Array.isArray(p.sweeps) || !p.sweeps.every((s) => SWEEP_KINDS.includes(s))) throw badRequest('unknown sweep');
  const directions = p.directions ?? PATCH_DIRECTIONS;
  if (!directions.every((d) => PATCH_DIRECTIONS.includes(d))) throw badRequest('unknown direction');
  if (p.memoryBudgetBytes !== undefined && !(Number.isFinite(p.memoryBudgetBytes) && p.memoryBudgetBytes > 0)) {
    throw badRequest(`memoryBudgetBytes ${p.memoryBudgetBytes} must be a positive number`);
  }
  if (p.clean.length !== p.corrupt.length) {
    throw badRequest(`the clean prompt has ${p.clean.length} tokens and the corrupt one ${p.corrupt.length}: position-wise patching needs equal token counts`);
  }
  const { model: loaded } = await ctx.model(p.model);
  const forwards: ModelForwards = precision === 'exact' ? loaded.model.exactForwards() : loaded.model;
  const metric = await buildMetric(loaded, p.metric, p.clean, ctx.signal, forwards);
  return { loaded, forwards, metric, directions };
}

async function buildMetric(
  loaded: LoadedModel,
  spec: MetricSpec,
  clean: readonly number[],
  signal: AbortSignal,
  forwards: ModelForwards = loaded.model,
): Promise<LogitsMetric> {
  if (!isMetricSpec(spec)) throw badRequest('malformed metric');
  const v = loaded.model.config.dVocab;
  const check = (id: number) => {
    if (id >= v) throw badRequest(`token id ${id} is outside the vocabulary (${v})`);
    return id;
  };
  switch (spec.kind) {
    case 'logit_diff':
      return logitDifference(check(spec.answer.id), check(spec.wrong.id));
    case 'prob':
      return answerProbability(check(spec.answer.id));
    case 'kl':
      return klDivergenceFrom(await lastLogits(forwards, clean, signal));
  }
}

function checkPrompt(p: Prompt, nCtx: number, which: string): void {
  if (!p.tokens.some((t) => !t.isBos)) throw new EngineError({ code: 'empty', message: `the ${which} prompt has no tokens` });
  if (p.ids.length > nCtx) {
    throw new EngineError({
      code: 'too-long',
      message: `the ${which} prompt is ${p.ids.length} tokens; the model reads at most ${nCtx}`,
      promptTokens: p.ids.length,
      n_ctx: nCtx,
    });
  }
}

function promptTokens(p: Prompt): PromptToken[] {
  return p.tokens.map((t) => ({ id: t.id, text: t.text, isBos: t.isBos, ...(t.isSpecial ? { isSpecial: true } : {}), start: t.start, end: t.end }));
}

function top(loaded: LoadedModel, row: Float32Array, k: number): TopToken[] {
  return topK(row, k).map((t) => ({ id: t.id, text: loaded.tokenizer.displayText(t.id), logit: t.logit, prob: t.prob }));
}

async function lastLogits(forwards: ModelForwards, ids: readonly number[], signal: AbortSignal): Promise<Float32Array> {
  const out = await forwards.run(ids, { logits: 'last', signal });
  return out.logits!.data.slice();
}

function toPatchTable(t: PatchingTable, source: PatchTable['source'], patched: Float32Array): PatchTable {
  return { sweep: t.sweep, direction: t.direction, source, dims: [...t.dims], axes: [...t.axes], patched };
}
