/**
 * Inspect Residual Stream's engine half: the logit lens, residual norms and direct logit
 * attribution of a prompt (src/analysis/residual), from one cached forward. The forward comes from
 * the engine's forward cache when the attention panel (or an earlier analysis) ran the same tokens,
 * so changing the answer, wrong token, position or lens variant re-runs only the analysis. The norms
 * and DLA go out as `partial` progress before the logit lens (several times their cost) starts,
 * then the lens reports its rows. Also the norms of a whole document in windows, and the residual
 * stream's export. No `vscode` import.
 */
import {
  analyseResidualStream,
  resolveResidualOptions,
  ResidualInputError,
  residualStreamHooks,
  residualStreamLogitPositions,
  type ResidualStreamResult,
} from '../../../analysis/residual';
import { computeDirectLogitAttribution } from '../../../analysis/residual/directLogitAttribution';
import { computeResidualNorms, growthFit } from '../../../analysis/residual/residualNorms';
import { topLogitId } from '../../../analysis/residual/vectors';
import { compactTensors } from '../../../engine/compactTensors';
import { badRequest, cancelled, EngineError } from '../../../engine/protocol';
import { promptTokens } from '../../../engine/promptTokens';
import { defineEngineModule, type RequestContext } from '../../../engine/registry';
import { SerialQueue } from '../../../engine/serialQueue';
import { assertFiniteRun } from '../../../model/finiteChecks';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import type { LogitsRequest, RunResult } from '../../../model/runOptions';
import { blockHook, type HookName } from '../../../shared/hookNames';
import { isModelSpec, type ModelSpec } from '../../../shared/modelSpec';
import { boundaryHook, LENS_VARIANTS, type ResidualNormsRecord } from '../../../shared/residualStream';
import type { PromptToken, TokenRef } from '../../../shared/tokens';
import type { AnalyseParams, AnalysePartial, AnalyseProgress, AnalyseResult, DocumentNormsRequest, ResidualEngineMethods } from '../shared/engineMethods';
import type { DocumentNormsParams } from '../shared/protocol';
import { exportResidualStream, residualExportHooks } from './exportResidual';
import { withLogitsAt } from './logitRows';

/** Logits at every position when they take at most this much (a later position change needs no rows computed). */
const ALL_LOGITS_BYTES = 16 * 1024 * 1024;
/** Windows a document run does at most by default (each is one forward). */
export const DEFAULT_MAX_WINDOWS = 64;

/**
 * The last analysis's lens and norms, and what they depend on: a later request with the same
 * forward, variant, k and answer (a new position or wrong token) reuses them and recomputes only
 * DLA, which takes milliseconds where the lens takes seconds.
 */
interface LastLens {
  readonly run: RunResult;
  readonly variant: string;
  readonly k: number;
  readonly answerId: number;
  readonly result: ResidualStreamResult;
}

/** The prompt of the last delivered analysis (for `exportResidual`). */
interface Kept {
  readonly inspectionId: string;
  readonly model: ModelSpec;
  readonly tokens: readonly TokenRef[];
}

export const residualEngine = defineEngineModule<ResidualEngineMethods>('residual', (env) => {
  const runs = new SerialQueue();
  let kept: Kept | undefined;
  const lensMemo: { last?: LastLens } = {};
  return {
    handlers: {
      analyse: async (p, ctx) => {
        checkAnalyseParams(p);
        const done = await runs.run(ctx.signal, () => analyse(p, ctx, lensMemo));
        if (ctx.signal.aborted) throw cancelled('cancelled while running; result dropped');
        kept = { inspectionId: p.inspectionId, model: p.model, tokens: done.record.tokens.map((t) => ({ id: t.id, text: t.text })) };
        env.log(
          'info',
          `residual ${p.inspectionId}: ${done.record.tokens.length} tokens, forward ${done.forwardReused ? 'reused' : `${done.forwardMs} ms`}, analysis ${done.analysisMs} ms`,
        );
        return done;
      },
      documentNorms: async (p, ctx) => {
        checkDocumentParams(p);
        const done = await runs.run(ctx.signal, () => documentNorms(p, ctx));
        if (ctx.signal.aborted) throw cancelled('cancelled while running; result dropped');
        env.log('info', `document norms ${p.runId}: ${done.totalTokens} tokens in ${done.windows.length} windows`);
        return done;
      },
      exportResidual: async (p, ctx) => {
        if (typeof p.inspectionId !== 'string' || typeof p.modelId !== 'string') throw badRequest('malformed exportResidual request');
        if (!kept || kept.inspectionId !== p.inspectionId) {
          throw new EngineError({
            code: 'unknown-context',
            message: `residual-stream inspection ${p.inspectionId} is no longer kept by the engine (a newer one replaced it, or the engine restarted): inspect again`,
          });
        }
        const src = kept;
        const done = await runs.run(ctx.signal, () => exportResidualStream(src, p, ctx));
        env.log('info', `exported the residual stream of ${p.inspectionId} to ${done.path}: ${done.tensors} hooks, ${done.bytes} bytes`);
        return done;
      },
    },
    dispose: () => {
      kept = undefined;
      lensMemo.last = undefined;
    },
  };
});

/**
 * The first token of `text` ('' or absent: none), and a note when the text is several tokens.
 * `#ID` names a token by id, as the CLI's `--answer` does: the way to ask for a token that has no
 * typeable text (a raw byte shown as `\xb9`).
 */
function tokenOf(loaded: LoadedModel, text: string | undefined, role: 'answer' | 'wrong'): { ref?: TokenRef; note?: string } {
  if (!text) return {};
  const byId = /^#(\d+)$/.exec(text.trim());
  if (byId) {
    const id = Number(byId[1]);
    const dVocab = loaded.model.config.dVocab;
    if (!Number.isSafeInteger(id) || id >= dVocab) throw badRequest(`the ${role} ${text} is not a token id: ids run from 0 to ${dVocab - 1}`);
    return { ref: { id, text: loaded.tokenizer.displayText(id) } };
  }
  const ids = loaded.tokenizer.encode(text).ids;
  if (ids.length === 0) return {};
  const ref = { id: ids[0], text: loaded.tokenizer.displayText(ids[0]) };
  if (ids.length === 1) return { ref };
  const pieces = ids.map((id) => JSON.stringify(loaded.tokenizer.displayText(id))).join(' + ');
  return {
    ref,
    note: `The ${role} ${JSON.stringify(text)} is ${ids.length} tokens (${pieces}): the ${role} used is its first token, ${JSON.stringify(ref.text)}.`,
  };
}

async function analyse(p: AnalyseParams, ctx: RequestContext, memo: { last?: LastLens }): Promise<AnalyseResult> {
  const { model: loaded, loadMs } = await ctx.model(p.model);
  const model = loaded.model;
  const cfg = model.config;
  const tokens = promptTokens(loaded, p);
  const n = tokens.kept.length;
  const position = p.position ?? n - 1;
  if (!Number.isInteger(position) || position < 0 || position >= n) {
    throw badRequest(`position ${position} is outside the prompt: it has ${n} tokens (0..${n - 1}${tokens.kept[0]?.isBos ? ', 0 is BOS' : ''})`);
  }
  const answer = tokenOf(loaded, p.answer, 'answer');
  const wrong = tokenOf(loaded, p.wrong, 'wrong');
  const notes = [answer.note, wrong.note].filter((x): x is string => x !== undefined);
  if (tokens.kept.length < tokens.total) {
    notes.push(`The selection is ${tokens.total} tokens; the ${p.keep === 'last' ? 'last' : 'first'} ${n} (n_positions ${cfg.nCtx}) were run.`);
  }
  if (answer.ref && wrong.ref && answer.ref.id === wrong.ref.id) {
    throw badRequest(`the answer and the wrong token are the same token (${JSON.stringify(answer.ref.text)}): their logit difference is 0 by definition`);
  }
  if (ctx.signal.aborted) throw cancelled();

  const ids = tokens.kept.map((t) => t.id);
  const needHooks = residualStreamHooks(cfg.nLayers);
  const t0 = Date.now();
  const forward = await ctx.forwards.getOrRun(p.model, ids, { hooks: needHooks }, async () => {
    ctx.progress(`Running ${n} tokens…`);
    const fetch = [...new Set<HookName>([...needHooks, ...residualExportHooks(cfg.nLayers)])];
    const logits: LogitsRequest = n * cfg.dVocab * 4 <= ALL_LOGITS_BYTES ? 'all' : residualStreamLogitPositions(n, position);
    const run = await model.runWithCache(ids, fetch, { logits, signal: ctx.signal });
    assertFiniteRun(run.cache, fetch, run.logits);
    return run;
  });
  const forwardMs = forward.reused ? 0 : Date.now() - t0;
  const t1 = Date.now();
  ctx.progress('Logit lens, norms and attribution…');
  const positions = residualStreamLogitPositions(n, position);
  const run = withLogitsAt(model, forward.run, positions);
  const logitsAt = (pos: number) => {
    const i = run.logitPositions.indexOf(pos); // withLogitsAt made sure it is there
    return run.logits!.data.subarray(i * cfg.dVocab, (i + 1) * cfg.dVocab);
  };
  const decode = (id: number) => loaded.tokenizer.displayText(id);
  const progress = (message: string, detail: AnalyseProgress) => ctx.progress(message, detail);
  const head = { inspectionId: p.inspectionId, modelName: p.model.displayName, n_layers: cfg.nLayers, n_heads: cfg.nHeads, tokens: tokens.kept };
  const about = { notes, promptTokens: tokens.total, truncated: n < tokens.total, n_ctx: cfg.nCtx, forwardReused: forward.reused, loadMs, forwardMs };
  try {
    const answerId = answer.ref?.id ?? topLogitId(logitsAt(n - 1));
    const options = { variant: p.variant, k: p.k, answerId, wrongId: wrong.ref?.id, position, decode, signal: ctx.signal };
    const last = memo.last;
    let r: ResidualStreamResult;
    if (last && last.run === forward.run && last.variant === p.variant && last.k === p.k && last.answerId === answerId) {
      // Only the position or the wrong token changed: the lens and the norms stand, DLA is redone.
      resolveResidualOptions(model, n, options);
      if (answerId === options.wrongId)
        throw badRequest(`the wrong token is the answer (${JSON.stringify(decode(answerId))}): name another answer or wrong token`);
      const dla = computeDirectLogitAttribution(model, run.cache, n, {
        position,
        answer: { id: answerId, text: decode(answerId) },
        wrong: options.wrongId === undefined ? undefined : { id: options.wrongId, text: decode(options.wrongId) },
        logits: logitsAt(position),
      });
      r = { ...last.result, dla };
    } else {
      const rowsTotal = (cfg.nLayers + 1) * n;
      r = await analyseResidualStream(model, run, tokens.kept, {
        ...options,
        onPartial: ({ norms, dla }) => {
          // Copies of views only (compactTensors): the same values the result will hold.
          const partial: AnalysePartial = compactTensors({ ...about, record: { ...head, norms, dla, pendingVariant: p.variant } });
          progress('Norms and attribution ready; logit lens…', { kind: 'partial', partial });
          progress(`Logit lens 0/${rowsTotal} rows…`, { kind: 'lens', rowsDone: 0, rowsTotal });
        },
        onProgress: (rowsDone, total) => progress(`Logit lens ${rowsDone}/${total} rows…`, { kind: 'lens', rowsDone, rowsTotal: total }),
      });
    }
    memo.last = { run: forward.run, variant: p.variant, k: p.k, answerId, result: r };
    return { ...about, record: { ...head, ...r }, analysisMs: Date.now() - t1 };
  } catch (e) {
    if (e instanceof ResidualInputError) throw badRequest(e.message);
    throw e;
  }
}

/** The hooks a norms-only forward fetches. */
function normHooks(nLayers: number): HookName[] {
  const hooks: HookName[] = [];
  for (let b = 0; b <= nLayers; b++) hooks.push(boundaryHook(nLayers, b) as HookName);
  for (let l = 0; l < nLayers; l++) hooks.push(blockHook(l, 'hook_attn_out'), blockHook(l, 'hook_mlp_out'));
  return hooks;
}

async function documentNorms(p: DocumentNormsRequest, ctx: RequestContext): Promise<DocumentNormsParams> {
  const { model: loaded } = await ctx.model(p.model);
  const model = loaded.model;
  const cfg = model.config;
  const prompt = loaded.toPrompt(p.text, p.model.specialTokensInText);
  const bos = prompt.tokens[0]?.isBos ? prompt.tokens[0] : undefined;
  const text = prompt.tokens.filter((t) => !t.isBos);
  if (text.length === 0) throw new EngineError({ code: 'empty', message: 'the document has no tokens to run' });
  const windowTokens = Math.min(p.windowTokens ?? cfg.nCtx, cfg.nCtx);
  const per = windowTokens - (bos ? 1 : 0);
  if (per < 1) throw badRequest(`a window of ${windowTokens} tokens leaves no room for text after BOS`);
  const all = Math.ceil(text.length / per);
  const count = Math.min(all, p.maxWindows ?? DEFAULT_MAX_WINDOWS);
  const notes: string[] = [];
  if (count < all)
    notes.push(`The document is ${text.length} tokens (${all} windows of ${windowTokens}); the first ${count} windows (${count * per} tokens) were run.`);
  const hooks = normHooks(cfg.nLayers);
  const windows: ResidualNormsRecord[] = [];
  const windowStarts: number[] = [];
  for (let w = 0; w < count; w++) {
    if (ctx.signal.aborted) throw cancelled();
    ctx.progress(`Window ${w + 1} of ${count}…`, { done: w, total: count });
    const chunk: PromptToken[] = [...(bos ? [bos] : []), ...text.slice(w * per, (w + 1) * per)];
    const run = await model.runWithCache(
      chunk.map((t) => t.id),
      hooks,
      { logits: 'none', signal: ctx.signal },
    );
    assertFiniteRun(run.cache, hooks);
    windows.push(computeResidualNorms(cfg, run.cache, chunk));
    windowStarts.push(w * per);
  }
  ctx.progress(`Window ${count} of ${count}`, { done: count, total: count });
  return {
    runId: p.runId,
    source: p.source,
    modelName: p.model.displayName,
    n_layers: cfg.nLayers,
    n_boundaries: cfg.nLayers + 1,
    totalTokens: text.length,
    windowTokens,
    windows,
    windowStarts,
    ...combinedGrowth(windows, cfg.nLayers),
    notes,
    stale: false,
  };
}

/** Growth over every window's non-BOS positions together. */
export function combinedGrowth(windows: readonly ResidualNormsRecord[], nLayers: number): Pick<DocumentNormsParams, 'rawGrowth' | 'centredGrowth'> {
  const nB = nLayers + 1;
  const cols = windows.reduce((n, w) => n + w.n_tokens - (w.hasBos ? 1 : 0), 0);
  const gather = (pick: (w: ResidualNormsRecord) => Float32Array): Float32Array => {
    const out = new Float32Array(nB * cols);
    let c = 0;
    for (const w of windows) {
      const data = pick(w);
      for (let p = w.hasBos ? 1 : 0; p < w.n_tokens; p++, c++) for (let b = 0; b < nB; b++) out[b * cols + c] = data[b * w.n_tokens + p];
    }
    return out;
  };
  return {
    rawGrowth: growthFit(
      gather((w) => w.raw_boundary_pos),
      nLayers,
      cols,
      false,
    ),
    centredGrowth: growthFit(
      gather((w) => w.centred_boundary_pos),
      nLayers,
      cols,
      false,
    ),
  };
}

function checkAnalyseParams(p: AnalyseParams): void {
  const ok =
    typeof p.text === 'string' &&
    typeof p.inspectionId === 'string' &&
    isModelSpec(p.model) &&
    LENS_VARIANTS.includes(p.variant) &&
    Number.isInteger(p.k) &&
    p.k > 0 &&
    (p.answer === undefined || typeof p.answer === 'string') &&
    (p.wrong === undefined || typeof p.wrong === 'string') &&
    (p.position === undefined || Number.isInteger(p.position)) &&
    (p.truncateTo === undefined || (Number.isInteger(p.truncateTo) && p.truncateTo > 0)) &&
    (p.keep === undefined || p.keep === 'first' || p.keep === 'last');
  if (!ok) throw badRequest('malformed analyse request');
}

function checkDocumentParams(p: DocumentNormsRequest): void {
  const ok =
    typeof p.text === 'string' &&
    typeof p.runId === 'string' &&
    typeof p.source === 'string' &&
    isModelSpec(p.model) &&
    (p.windowTokens === undefined || (Number.isInteger(p.windowTokens) && p.windowTokens > 1)) &&
    (p.maxWindows === undefined || (Number.isInteger(p.maxWindows) && p.maxWindows > 0));
  if (!ok) throw badRequest('malformed documentNorms request');
}
