/**
 * The engine worker's patching requests: substitution plans (tokenize, diff, next-token
 * predictions, ranked suggestions), the attribution-patching preview, exact sweeps with per-sweep
 * progress and per-table results, and one head's clean/corrupt patterns. Each request gets its own
 * AbortController: `cancel` aborts it between batched runs, and the run answers `cancelled` (a
 * table is only ever sent whole). No `vscode` import.
 */
import { answerProbability, klDivergenceFrom, logitDifference, type LogitsMetric } from '../../../analysis/patching/patchingMetric';
import { runAttributionPatching } from '../../../analysis/patching/attributionPatching';
import { runPatchingSweeps, type PatchingTable } from '../../../analysis/patching/runPatchingSweeps';
import { PATCH_DIRECTIONS, SWEEP_KINDS } from '../../../shared/patchingVocabulary';
import { rankSubstitutes } from '../../../analysis/substitution/rankSubstitutes';
import { nearestSingleTokenAlternatives, sameKindSubstitutes } from '../../../analysis/substitution/substituteCandidates';
import { diffTokens } from '../../../analysis/substitution/tokenDiff';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import { topK } from '../../../model/logitsMath';
import type { Prompt } from '../../../model/prompt';
import { blockHook } from '../../../shared/hookNames';
import { isMetricSpec, type MetricSpec, type PatchTable } from '../shared/protocol';
import { EngineError, type EngineToHost, type ModelSpec } from '../../../engine/protocol';
import type {
  HeadPatternsQuery,
  HeadPatternsResult,
  PatchingEngineMethod,
  PatchingEngineMethods,
  PatchRunParams,
  PatchRunResult,
  PatchSweepsDetail,
  PlanToken,
  SubstitutionPlanParams,
  SubstitutionPlanResult,
} from '../shared/engineMethods';

/** A lease on the model of a spec: released when the request that took it is done. */
export type GetModel = (spec: ModelSpec, id: number) => Promise<{ readonly model: LoadedModel; release(): void }>;
export type PatchReply = (msg: EngineToHost, transfer?: ArrayBuffer[]) => void;

export type PatchingRequest = {
  [M in PatchingEngineMethod]: { readonly type: 'request'; readonly id: number; readonly method: M; readonly params: PatchingEngineMethods[M]['params'] };
}[PatchingEngineMethod];

export class PatchingService {
  private readonly running = new Map<number, AbortController>();
  /** The model lease a running request holds (released when it settles). */
  private readonly leases = new Map<number, () => void>();

  constructor(
    private readonly getModel: GetModel,
    private readonly reply: PatchReply,
  ) {}

  handle(req: PatchingRequest): void {
    const abort = new AbortController();
    this.running.set(req.id, abort);
    const work = async (): Promise<{ result: unknown; transfer: ArrayBuffer[] }> => {
      switch (req.method) {
        case 'substitutionPlan':
          return { result: await this.plan(req.id, req.params, abort.signal), transfer: [] };
        case 'attribution':
          return this.attribution(req.id, req.params, abort.signal);
        case 'patchSweeps':
          return { result: await this.sweeps(req.id, req.params, abort.signal), transfer: [] };
        case 'headPatterns':
          return this.headPatterns(req.id, req.params, abort.signal);
      }
    };
    work().then(
      ({ result, transfer }) => {
        if (abort.signal.aborted) this.fail(req.id, new EngineError({ code: 'cancelled', message: 'cancelled' }));
        else this.reply({ type: 'result', id: req.id, result }, transfer);
      },
      (e: unknown) => this.fail(req.id, abort.signal.aborted ? new EngineError({ code: 'cancelled', message: 'cancelled' }) : e),
    ).finally(() => {
      this.running.delete(req.id);
      this.leases.get(req.id)?.();
      this.leases.delete(req.id);
    });
  }

  /** The model of `spec`, held until request `id` settles. */
  private async useModel(spec: ModelSpec, id: number): Promise<{ model: LoadedModel }> {
    const lease = await this.getModel(spec, id);
    this.leases.get(id)?.(); // one lease per request: a second use replaces the first
    this.leases.set(id, () => lease.release());
    return lease;
  }

  /** Aborts a running patching request (no-op for other ids). */
  cancel(id: number): boolean {
    const a = this.running.get(id);
    a?.abort();
    return a !== undefined;
  }

  dispose(): void {
    for (const a of this.running.values()) a.abort();
  }

  private async plan(id: number, p: SubstitutionPlanParams, signal: AbortSignal): Promise<SubstitutionPlanResult> {
    if (typeof p.clean !== 'string' || (p.corrupt !== undefined && typeof p.corrupt !== 'string')) throw badRequest('malformed substitutionPlan request');
    const { model: loaded } = await this.useModel(p.model, id);
    const cfg = loaded.model.config;
    const k = p.topK ?? 5;
    const clean = loaded.toPrompt(p.clean);
    checkPrompt(clean, cfg.nCtx, 'clean');
    const cleanRow = await lastLogits(loaded, clean.ids, signal);
    const toTop = (row: Float32Array) => topK(row, k).map((t) => ({ id: t.id, text: loaded.tokenizer.displayText(t.id), logit: t.logit, prob: t.prob }));
    let result: SubstitutionPlanResult = {
      clean: planTokens(clean),
      topClean: toTop(cleanRow),
      n_layers: cfg.nLayers,
      n_heads: cfg.nHeads,
      nCtx: cfg.nCtx,
    };
    if (p.encode) {
      result = { ...result, encoded: p.encode.map((t) => loaded.tokenizer.encode(t).ids.map((i) => ({ id: i, text: loaded.tokenizer.displayText(i) }))) };
    }
    if (p.corrupt !== undefined) {
      const corrupt = loaded.toPrompt(p.corrupt);
      checkPrompt(corrupt, cfg.nCtx, 'corrupt');
      const diff = diffTokens(clean.ids, corrupt.ids);
      result = { ...result, corrupt: planTokens(corrupt), diff };
      if (diff.aligned) result = { ...result, topCorrupt: toTop(await lastLogits(loaded, corrupt.ids, signal)) };
      if (!diff.aligned && p.replaced && p.replaced.position < clean.ids.length && !clean.tokens[p.replaced.position].isBos) {
        result = { ...result, nearest: nearestSingleTokenAlternatives(loaded.tokenizer, clean.ids[p.replaced.position], p.replaced.text, 6) };
      }
    }
    if (p.rank) {
      const pos = p.rank.position;
      if (!Number.isInteger(pos) || pos < 0 || pos >= clean.ids.length) throw badRequest(`token ${pos} is outside the prompt (0..${clean.ids.length - 1})`);
      if (clean.tokens[pos].isBos) throw badRequest('the BOS token cannot be substituted');
      const preferred = clean.ids.filter((t, i) => i !== pos && !clean.tokens[i].isBos && t !== clean.ids[pos]);
      const given = p.rank.candidates?.filter((id) => Number.isInteger(id) && id >= 0 && id < loaded.model.config.dVocab);
      const candidates = given ?? sameKindSubstitutes(loaded.tokenizer, clean.ids[pos], { limit: Math.max(1, p.rank.limit), preferred }).slice(0, Math.max(1, p.rank.limit));
      const ranking = await rankSubstitutes(loaded.model, loaded.tokenizer, { ids: clean.ids, isBos: clean.tokens.map((t) => t.isBos) }, pos, candidates, { signal });
      result = { ...result, suggestions: ranking };
    }
    return result;
  }

  private async buildMetric(loaded: LoadedModel, spec: MetricSpec, clean: readonly number[], signal: AbortSignal): Promise<LogitsMetric> {
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
        return klDivergenceFrom(await lastLogits(loaded, clean, signal));
    }
  }

  private async runParams(id: number, p: PatchRunParams, signal: AbortSignal) {
    const okIds = (a: unknown): a is number[] => Array.isArray(a) && a.length > 0 && a.every((x) => Number.isInteger(x) && x >= 0);
    if (!okIds(p.clean) || !okIds(p.corrupt)) throw badRequest('malformed token ids');
    if (!Array.isArray(p.sweeps) || !p.sweeps.every((s) => SWEEP_KINDS.includes(s))) throw badRequest('unknown sweep');
    const directions = p.directions ?? PATCH_DIRECTIONS;
    if (!directions.every((d) => PATCH_DIRECTIONS.includes(d))) throw badRequest('unknown direction');
    if (p.clean.length !== p.corrupt.length) {
      throw badRequest(`the clean prompt has ${p.clean.length} tokens and the corrupt one ${p.corrupt.length}: position-wise patching needs equal token counts`);
    }
    const { model: loaded } = await this.useModel(p.model, id);
    const metric = await this.buildMetric(loaded, p.metric, p.clean, signal);
    return { loaded, metric, directions };
  }

  private async attribution(id: number, p: PatchRunParams, signal: AbortSignal): Promise<{ result: PatchRunResult; transfer: ArrayBuffer[] }> {
    const t0 = Date.now();
    const { loaded, metric, directions } = await this.runParams(id, p, signal);
    const r = await runAttributionPatching(loaded.model, { clean: p.clean, corrupt: p.corrupt, metric, sweeps: p.sweeps, directions, signal });
    // AtP estimates patched − target; the panel reads every table as a patched metric.
    const tables = r.tables.map((t) => {
      const target = t.direction === 'denoise' ? r.metricCorrupt : r.metricClean;
      return toPatchTable(t, 'attribution', t.values.map((v) => v + target));
    });
    return { result: { metricClean: r.metricClean, metricCorrupt: r.metricCorrupt, tables, ms: Date.now() - t0 }, transfer: tables.map((t) => t.patched.buffer as ArrayBuffer) };
  }

  /** One exact sweep per (sweep, direction), each sent whole as soon as it is done. */
  private async sweeps(id: number, p: PatchRunParams, signal: AbortSignal): Promise<PatchRunResult> {
    const t0 = Date.now();
    const { loaded, metric, directions } = await this.runParams(id, p, signal);
    const progress = (detail: PatchSweepsDetail, message: string, transfer?: ArrayBuffer[]) =>
      this.reply({ type: 'progress', id, phase: 'running', message, detail }, transfer);
    // One call: the clean and corrupt caches are computed once for every table.
    const r = await runPatchingSweeps(loaded.model, {
      clean: p.clean,
      corrupt: p.corrupt,
      metric,
      sweeps: p.sweeps,
      directions,
      maxBatch: p.maxBatch,
      signal,
      onProgress: (q) =>
        progress(
          { kind: 'progress', progress: { direction: q.direction, sweep: q.sweep, tablesDone: q.tablesDone, tablesTotal: q.tablesTotal, layer: q.layer, cellsDone: q.cellsDone, cellsTotal: q.cellsTotal } },
          `${q.direction} ${q.sweep} layer ${q.layer}`,
        ),
      onTable: (t) => {
        if (signal.aborted) return; // a cancelled run delivers no further table
        const table = toPatchTable(t, 'exact', t.values);
        progress({ kind: 'table', table }, `${t.direction} ${t.sweep} done`, [table.patched.buffer as ArrayBuffer]);
      },
    });
    signal.throwIfAborted();
    const { metricClean, metricCorrupt } = r;
    return { metricClean, metricCorrupt, tables: [], ms: Date.now() - t0 };
  }

  private async headPatterns(id: number, q: HeadPatternsQuery, signal: AbortSignal): Promise<{ result: HeadPatternsResult; transfer: ArrayBuffer[] }> {
    const { model: loaded } = await this.useModel(q.model, id);
    const cfg = loaded.model.config;
    if (!Number.isInteger(q.layer) || q.layer < 0 || q.layer >= cfg.nLayers || !Number.isInteger(q.head) || q.head < 0 || q.head >= cfg.nHeads) {
      throw badRequest(`head ${q.layer}.${q.head} is outside the model (${cfg.nLayers} layers × ${cfg.nHeads} heads)`);
    }
    if (q.clean.length !== q.corrupt.length) throw badRequest('clean and corrupt prompts differ in length');
    const hook = blockHook(q.layer, 'attn.hook_pattern');
    const run = await loaded.model.runWithCache([q.clean, q.corrupt], [hook], { logits: 'none', signal });
    const t = run.cache.get(hook); // [batch=2, head_index, query_pos, key_pos]
    const [, H, P] = t.dims;
    const n = P * P;
    const clean_q_k = t.data.slice(q.head * n, (q.head + 1) * n);
    const corrupt_q_k = t.data.slice((H + q.head) * n, (H + q.head + 1) * n);
    return { result: { n_tokens: P, clean_q_k, corrupt_q_k }, transfer: [clean_q_k.buffer as ArrayBuffer, corrupt_q_k.buffer as ArrayBuffer] };
  }

  private fail(id: number, e: unknown): void {
    const info = e instanceof EngineError ? e.toInfo() : { code: 'failed' as const, message: e instanceof Error ? e.message : String(e) };
    this.reply({ type: 'error', id, error: info });
  }
}

function badRequest(message: string): EngineError {
  return new EngineError({ code: 'bad-request', message });
}

function checkPrompt(p: Prompt, nCtx: number, which: string): void {
  if (!p.tokens.some((t) => !t.isBos)) throw new EngineError({ code: 'empty', message: `the ${which} prompt has no tokens` });
  if (p.ids.length > nCtx) {
    throw new EngineError({ code: 'too-long', message: `the ${which} prompt is ${p.ids.length} tokens; the model reads at most ${nCtx}`, promptTokens: p.ids.length, nCtx });
  }
}

function planTokens(p: Prompt): PlanToken[] {
  return p.tokens.map((t) => ({ id: t.id, text: t.text, isBos: t.isBos, start: t.start, end: t.end }));
}

async function lastLogits(loaded: LoadedModel, ids: readonly number[], signal: AbortSignal): Promise<Float32Array> {
  const out = await loaded.model.run(ids, { logits: 'last', signal });
  return out.logits!.data.slice();
}

function toPatchTable(t: PatchingTable, source: PatchTable['source'], patched: Float32Array): PatchTable {
  return { sweep: t.sweep, direction: t.direction, source, dims: [...t.dims], axes: [...t.axes], patched };
}
