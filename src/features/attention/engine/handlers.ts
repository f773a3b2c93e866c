/**
 * Inspect Attention's engine half: runs a prompt with every layer's pattern cached, builds the
 * inspection record (thumbnails, head scores, special tokens), and keeps the last delivered
 * inspection's patterns to answer `headPattern` and `tokenActivity`. No `vscode` import.
 */
import type { LayerPattern } from '../../../analysis/headScores';
import { headPatternOf, InspectionBuilder } from '../../../analysis/inspection';
import { residualStreamHooks } from '../../../analysis/residual';
import { tokenActivity } from '../../../analysis/tokenActivity';
import { LogitsErrorCache } from '../../../analysis/precisionCheck';
import { checkExportPath } from '../../../engine/hookExport';
import { badRequest, cancelled, EngineError } from '../../../engine/protocol';
import { promptTokens } from '../../../engine/promptTokens';
import { defineEngineModule, type RequestContext } from '../../../engine/registry';
import { SerialQueue } from '../../../engine/serialQueue';
import { assertFiniteRun } from '../../../model/finiteChecks';
import { blockHook } from '../../../shared/hookNames';
import { isModelSpec, modelSpecKey, type ModelSpec } from '../../../shared/modelSpec';
import type { TokenRef } from '../../../shared/tokens';
import type { AttentionEngineMethods, ExportCacheParams, InspectParams, InspectResult } from '../shared/engineMethods';
import { exportCache } from './exportCache';

/** The patterns of the last delivered inspection. */
interface Kept {
  readonly inspectionId: string;
  /** Per layer: [head_index, query_pos, key_pos]. */
  readonly layers: readonly LayerPattern[];
  readonly isBos: readonly boolean[];
  readonly n_layers: number;
  readonly n_heads: number;
  /** The model and tokens it ran with (for `exportCache`). */
  readonly model: ModelSpec;
  readonly tokens: readonly TokenRef[];
}

export const attentionEngine = defineEngineModule<AttentionEngineMethods>('attention', (env) => {
  const runs = new SerialQueue();
  const logitsErrors = new LogitsErrorCache();
  let kept: Kept | undefined;

  const keptFor = (inspectionId: string): Kept => {
    if (!kept || kept.inspectionId !== inspectionId) {
      throw new EngineError({
        code: 'unknown-context',
        message: `inspection ${inspectionId} is no longer kept by the engine (a newer inspection replaced it, or the engine restarted): inspect again`,
      });
    }
    return kept;
  };

  return {
    handlers: {
      inspect: async (params, ctx) => {
        checkInspectParams(params);
        // A long prompt's forward would otherwise be made while the previous one's patterns are
        // still held (2.9 GB peak for a second 1024-token inspection): release them first when both
        // would not fit the forward cache's byte bound. The old panel's zoom then asks to re-inspect.
        const makeRoom = (bytes: number): void => {
          ctx.forwards.reserve(bytes);
          if (kept && keptBytes(kept) + bytes > ctx.forwards.byteLimit) kept = undefined;
        };
        const done = await runs.run(ctx.signal, () => inspect(params, ctx, makeRoom, logitsErrors));
        if (ctx.signal.aborted) throw cancelled('cancelled while running; result dropped');
        kept = done.kept;
        env.log(
          'info',
          `inspection ${params.inspectionId}: ${done.kept.isBos.length} tokens, ${done.kept.n_layers}×${done.kept.n_heads} heads in ${done.result.runMs} ms`,
        );
        return done.result;
      },
      headPattern: (q) => {
        const k = keptFor(q.inspectionId);
        if (!Number.isInteger(q.layer) || q.layer < 0 || q.layer >= k.n_layers) throw badRequest(`layer ${q.layer} outside 0..${k.n_layers - 1}`);
        const pattern_q_k = headPatternOf(k.layers[q.layer], q.head);
        return { inspectionId: q.inspectionId, layer: q.layer, head: q.head, n_tokens: k.isBos.length, pattern_q_k };
      },
      tokenActivity: (q) => {
        const k = keptFor(q.inspectionId);
        const heads = tokenActivity(k.layers, q.tokenIndex, k.isBos);
        return { inspectionId: q.inspectionId, tokenIndex: q.tokenIndex, n_layers: k.n_layers, n_heads: k.n_heads, heads };
      },
      exportCache: async (q, ctx) => {
        checkExportParams(q);
        const k = keptFor(q.inspectionId);
        const done = await runs.run(ctx.signal, () => exportCache(k, q, ctx));
        env.log('info', `exported inspection ${q.inspectionId} to ${done.path}: ${done.tensors} hooks, ${done.bytes} bytes`);
        return done;
      },
    },
    dispose: () => {
      kept = undefined;
    },
  };
});

function keptBytes(k: Kept): number {
  return k.layers.reduce((n, l) => n + l.data.byteLength, 0);
}

/** Bytes a forward of `nTokens` holds: every layer's pattern [heads, n, n] plus the [n, d_model]-sized hooks. */
function inspectForwardBytes(cfg: { nLayers: number; nHeads: number; dModel: number; dVocab: number }, nTokens: number, otherHooks: number): number {
  return 4 * (cfg.nLayers * cfg.nHeads * nTokens * nTokens + otherHooks * nTokens * cfg.dModel + cfg.dVocab);
}

async function inspect(
  p: InspectParams,
  ctx: RequestContext,
  makeRoom: (bytes: number) => void,
  logitsErrors: LogitsErrorCache,
): Promise<{ result: InspectResult; kept: Kept }> {
  const { model: loaded, loadMs } = await ctx.model(p.model);
  const cfg = loaded.model.config;
  const tokens = promptTokens(loaded, p);
  if (ctx.signal.aborted) throw cancelled();
  ctx.progress(`Running ${tokens.kept.length} tokens…`);
  const t0 = Date.now();
  const hooks = Array.from({ length: cfg.nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
  // The residual-stream view reads this forward from the engine's forward cache (no second run):
  // its extra hooks are small ([pos, d_model] per layer, and hook_v).
  const fetch = [...new Set([...hooks, ...residualStreamHooks(cfg.nLayers)])];
  const ids = tokens.kept.map((t) => t.id);
  makeRoom(inspectForwardBytes(cfg, ids.length, fetch.length - hooks.length));
  const run = await loaded.model.runWithCache(ids, fetch, { logits: 'last', signal: ctx.signal });
  assertFiniteRun(run.cache, fetch, run.logits); // NaN/Inf would draw as all-zero thumbnails
  ctx.forwards.put(p.model, ids, run);
  const builder = new InspectionBuilder({
    inspectionId: p.inspectionId,
    modelName: p.model.displayName,
    nLayers: cfg.nLayers,
    nHeads: cfg.nHeads,
    tokens: tokens.kept,
    watchTokens: p.watchTokens,
  });
  const layers: LayerPattern[] = hooks.map((h, l) => {
    const t = run.cache.get(h);
    // [batch=1, head_index, query_pos, key_pos] → [head_index, query_pos, key_pos]
    const layer: LayerPattern = { dims: t.dims.slice(1), data: t.data };
    builder.addLayer(l, layer);
    return layer;
  });
  // An int8 run says how far its logits are from fp32 on this prompt (two more forwards, once per model and prompt).
  const precisionError = loaded.model.precision === 'int8' ? await logitsErrors.get(modelSpecKey(p.model), loaded.model, ids, ctx.signal) : undefined;
  const inspection = precisionError ? { ...builder.finish(), precisionError } : builder.finish();
  const runMs = Date.now() - t0;
  return {
    result: { inspection, promptTokens: tokens.total, truncated: tokens.kept.length < tokens.total, n_ctx: cfg.nCtx, loadMs, runMs },
    kept: {
      inspectionId: p.inspectionId,
      layers,
      isBos: tokens.kept.map((t) => t.isBos),
      n_layers: cfg.nLayers,
      n_heads: cfg.nHeads,
      model: p.model,
      tokens: tokens.kept.map((t) => ({ id: t.id, text: t.text })),
    },
  };
}

function checkInspectParams(p: InspectParams): void {
  const ok =
    typeof p.text === 'string' &&
    typeof p.inspectionId === 'string' &&
    Array.isArray(p.watchTokens) &&
    isModelSpec(p.model) &&
    (p.truncateTo === undefined || (Number.isInteger(p.truncateTo) && p.truncateTo > 0)) &&
    (p.keep === undefined || p.keep === 'first' || p.keep === 'last');
  if (!ok) throw badRequest('malformed inspect request');
}

function checkExportParams(p: ExportCacheParams): void {
  if (typeof p.inspectionId !== 'string' || typeof p.modelId !== 'string') throw badRequest('malformed exportCache request');
  checkExportPath(p.path);
}
