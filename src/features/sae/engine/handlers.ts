/**
 * Inspect Features' engine half: a prompt's SAE features (the model run only up to the SAE's hook),
 * then, on the kept activations, a feature's card (logit lens, density), every feature at a
 * position, the ablated text, the reconstruction quality, the activations for export, and the
 * workspace scan with its examples. No `vscode` import.
 */
import { featureLogitLens, runAblatedText, runFeatureActivations, runReconstructionQuality, topActive, type FeatureActivations } from '../../../analysis/sae';
import { badRequest, cancelled, EngineError } from '../../../engine/protocol';
import { promptTokens } from '../../../engine/promptTokens';
import { defineEngineModule, type RequestContext, type SaeUse } from '../../../engine/registry';
import { SerialQueue } from '../../../engine/serialQueue';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import { checkSaeFitsModel, SaeError } from '../../../model/sae';
import { isModelSpec, modelSpecKey } from '../../../shared/modelSpec';
import type { PromptToken } from '../../../shared/tokens';
import type { ActiveFeature } from '../shared/protocol';
import type { FeaturesRunParams, FeaturesRunResult, SaeEngineMethods, SaeRef } from '../shared/engineMethods';
import { fileDensity, qualitySummary, saeInfo } from './saeInfo';
import { newScanState, runScan, scanExamples, scanSummary, type ScanState } from './workspaceScan';

/** The last prompt's features: what card, token list, ablation, quality and export read. */
interface Kept {
  readonly inspectionId: string;
  readonly modelKey: string;
  readonly saeFolder: string;
  readonly tokens: readonly PromptToken[];
  readonly features: FeatureActivations;
}

export const ABLATION_METHOD = 'hook_embed[j] → mean token embedding (over the vocabulary)';

export const saeEngine = defineEngineModule<SaeEngineMethods>('sae', (env) => {
  const runs = new SerialQueue();
  let kept: Kept | undefined;
  let scan: ScanState | undefined;

  const onKept = (p: { inspectionId: unknown; model: unknown; sae: unknown }): Kept => {
    if (typeof p.inspectionId !== 'string' || !isModelSpec(p.model) || !isSaeRef(p.sae)) throw badRequest('malformed request');
    if (!kept || kept.inspectionId !== p.inspectionId || kept.modelKey !== modelSpecKey(p.model) || kept.saeFolder !== p.sae.folder) {
      throw new EngineError({
        code: 'unknown-context',
        message: `feature inspection ${p.inspectionId} is no longer kept by the engine (a newer one replaced it, or the engine restarted): inspect again`,
      });
    }
    return kept;
  };

  const checkFeatureIndex = (feature: unknown, dSae: number): number => {
    if (!Number.isSafeInteger(feature) || (feature as number) < 0 || (feature as number) >= dSae) {
      throw badRequest(`feature ${String(feature)} does not exist: this SAE has features 0..${dSae - 1}`);
    }
    return feature as number;
  };
  const checkPosition = (position: unknown, n: number): number => {
    if (!Number.isSafeInteger(position) || (position as number) < 0 || (position as number) >= n) {
      throw badRequest(`position ${String(position)} is outside the prompt: it has ${n} tokens (0..${n - 1})`);
    }
    return position as number;
  };

  return {
    handlers: {
      features: async (p, ctx) => {
        checkFeaturesParams(p);
        const done = await runs.run(ctx.signal, () => features(p, ctx));
        if (ctx.signal.aborted) throw cancelled('cancelled while running; result dropped');
        kept = done.kept;
        env.log('info', `features ${p.inspectionId}: ${done.result.tokens.length} tokens, ${done.result.layersRun} layers run, ${done.result.runMs} ms`);
        return done.result;
      },
      quality: async (p, ctx) => {
        const k = onKept(p);
        return runs.run(ctx.signal, async () => {
          const { loaded, use } = await openModelAndSae(p, ctx);
          const q = await runReconstructionQuality(
            loaded.model,
            use.encoder,
            use.sae,
            k.tokens.map((t) => t.id),
            ctx.signal,
          );
          return qualitySummary(q);
        });
      },
      card: async (p, ctx) => {
        const k = onKept(p);
        return runs.run(ctx.signal, async () => {
          const { loaded, use } = await openModelAndSae(p, ctx);
          const dSae = use.sae.config.dSae;
          const feature = checkFeatureIndex(p.feature, dSae);
          const n = k.tokens.length;
          const acts_pos = new Float32Array(n);
          let max = 0;
          for (let i = 0; i < n; i++) {
            acts_pos[i] = k.features.acts.data[i * dSae + feature];
            max = Math.max(max, acts_pos[i]);
          }
          const fromScan = scan && scan.scan.dSae === dSae && scan.key.startsWith(scanKeyPrefix(p.model, p.sae)) && scan.scan.tokens > 0 ? scan : undefined;
          const density = fileDensity(use.sae, feature) ?? (fromScan ? fromScan.scan.density(feature) : null);
          const densitySource = fileDensity(use.sae, feature) !== null ? 'sparsity file' : fromScan ? 'workspace scan' : 'unknown';
          const lens = featureLogitLens(loaded.model, use.sae, feature, Math.max(1, Math.min(50, p.k | 0)));
          const text = (id: number) => loaded.tokenizer.displayText(id);
          return {
            feature,
            acts_pos,
            density,
            densitySource,
            maxAct: fromScan ? Math.max(max, fromScan.scan.maxAct(feature)) : max,
            maxActSource: fromScan ? 'workspace scan' : 'prompt',
            logitLens: {
              basis: lens.basis,
              top: lens.top.map((t) => ({ id: t.token, text: text(t.token), value: t.value })),
              bottom: lens.bottom.map((t) => ({ id: t.token, text: text(t.token), value: t.value })),
            },
          };
        });
      },
      tokenFeatures: async (p, ctx) => {
        const k = onKept(p);
        const position = checkPosition(p.position, k.tokens.length);
        const { use } = await openModelAndSae(p, ctx);
        const dSae = use.sae.config.dSae;
        const all = topActive(k.features.acts.data, position * dSae, dSae, dSae);
        const features: ActiveFeature[] = all.map((f) => ({ ...f, density: fileDensity(use.sae, f.feature) }));
        return { features, densitySource: use.sae.logDensity ? 'sparsity file' : 'unknown' };
      },
      ablation: async (p, ctx) => {
        const k = onKept(p);
        const position = checkPosition(p.position, k.tokens.length);
        return runs.run(ctx.signal, async () => {
          const { loaded, use } = await openModelAndSae(p, ctx);
          const feature = checkFeatureIndex(p.feature, use.sae.config.dSae);
          const r = await runAblatedText(
            loaded.model,
            use.encoder,
            use.sae,
            k.tokens.map((t) => t.id),
            feature,
            position,
            ctx.signal,
          );
          return { feature, position, clean: r.clean, ablated_pos: r.ablated, method: ABLATION_METHOD };
        });
      },
      activations: async (p) => {
        const k = onKept(p);
        const [n, dSae] = k.features.acts.dims;
        const pos: number[] = [];
        const feat: number[] = [];
        const act: number[] = [];
        for (let i = 0; i < n; i++) {
          for (const f of topActive(k.features.acts.data, i * dSae, dSae, dSae)) {
            pos.push(i);
            feat.push(f.feature);
            act.push(f.act);
          }
        }
        return { tokens: k.tokens, position: Int32Array.from(pos), feature: Int32Array.from(feat), act: Float32Array.from(act) };
      },
      scan: async (p, ctx) => {
        if (typeof p.scanId !== 'string' || typeof p.cacheKey !== 'string' || typeof p.scope !== 'string' || !Array.isArray(p.files)) {
          throw badRequest('malformed scan request');
        }
        return runs.run(ctx.signal, async () => {
          const { loaded, use } = await openModelAndSae(p, ctx);
          const key = `${scanKeyPrefix(p.model, p.sae)}|${use.sae.id}|${p.cacheKey}`;
          if (scan?.key === key && scan.complete) return scanSummary(scan, p.scanId, true);
          if (scan?.key !== key) scan = newScanState(key, p.files, p.scope, use.sae.config.dSae);
          const state = scan;
          const t0 = Date.now();
          await runScan(state, loaded, use, p.model.specialTokensInText ?? true, p.model.prependBos, ctx.signal, (d) =>
            ctx.progress(`Scanning ${state.filesDone} of ${state.files.length} files…`, d),
          );
          env.log('info', `scan ${p.scanId}: ${state.scan.tokens} tokens in ${Date.now() - t0} ms${state.scan.partial ? ' (partial)' : ''}`);
          return scanSummary(state, p.scanId, false);
        });
      },
      examples: async (p, ctx) => {
        if (typeof p.cacheKey !== 'string') throw badRequest('malformed examples request');
        return runs.run(ctx.signal, async () => {
          const { loaded, use } = await openModelAndSae(p, ctx);
          const key = `${scanKeyPrefix(p.model, p.sae)}|${use.sae.id}|${p.cacheKey}`;
          if (!scan || scan.key !== key) {
            throw new EngineError({ code: 'unknown-context', message: 'no workspace scan of these files is kept by the engine: scan again' });
          }
          const feature = checkFeatureIndex(p.feature, use.sae.config.dSae);
          return scanExamples(scan, loaded, use, feature, p.model.specialTokensInText ?? true, p.model.prependBos, ctx.signal);
        });
      },
    },
    dispose: () => {
      kept = undefined;
      scan = undefined;
    },
  };
});

/** The model and SAE of a request, checked against each other: a misfit is a bad request naming the problem; a differing model name is a warning. */
async function openModelAndSae(
  p: { model: unknown; sae: unknown },
  ctx: RequestContext,
): Promise<{ loaded: LoadedModel; use: SaeUse; warnings: string[]; loadMs: number }> {
  if (!isModelSpec(p.model)) throw badRequest('malformed request: model');
  if (!isSaeRef(p.sae)) throw badRequest('malformed request: sae');
  const lease = await ctx.model(p.model);
  const use = await ctx.sae(p.sae.folder);
  try {
    const warnings = checkSaeFitsModel(use.sae, { config: lease.model.model.config, name: p.model.displayName });
    return { loaded: lease.model, use, warnings, loadMs: lease.loadMs + use.loadMs };
  } catch (e) {
    if (e instanceof SaeError) throw badRequest(`The SAE in ${p.sae.folder} does not fit ${p.model.displayName}: ${e.message}`);
    throw e;
  }
}

function scanKeyPrefix(model: FeaturesRunParams['model'], sae: SaeRef): string {
  return `${modelSpecKey(model)}|${sae.folder}`;
}

function isSaeRef(v: unknown): v is SaeRef {
  return typeof v === 'object' && v !== null && typeof (v as SaeRef).folder === 'string' && typeof (v as SaeRef).source === 'string';
}

function checkFeaturesParams(p: FeaturesRunParams): void {
  if (typeof p.inspectionId !== 'string' || typeof p.text !== 'string') throw badRequest('malformed features request');
  if (!Number.isSafeInteger(p.k) || p.k < 1 || p.k > 100) throw badRequest(`k must be an integer in 1..100, got ${String(p.k)}`);
  if (p.truncateTo !== undefined && (!Number.isSafeInteger(p.truncateTo) || p.truncateTo < 1)) throw badRequest('truncateTo must be a positive integer');
}

async function features(p: FeaturesRunParams, ctx: RequestContext): Promise<{ result: FeaturesRunResult; kept: Kept }> {
  const { loaded, use, warnings, loadMs } = await openModelAndSae(p, ctx);
  const prompt = promptTokens(loaded, p);
  const tokens = prompt.kept;
  ctx.progress(`Encoding ${tokens.length} tokens with ${use.sae.config.dSae} features…`);
  const t0 = Date.now();
  const f = await runFeatureActivations(
    loaded.model,
    use.encoder,
    use.sae,
    tokens.map((t) => t.id),
    { topK: p.k, signal: ctx.signal },
  );
  const runMs = Date.now() - t0;
  const dSae = use.sae.config.dSae;
  const l0 = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    let c = 0;
    for (let j = i * dSae; j < (i + 1) * dSae; j++) if (f.acts.data[j] > 0) c++;
    l0[i] = c;
  }
  return {
    kept: { inspectionId: p.inspectionId, modelKey: modelSpecKey(p.model), saeFolder: p.sae.folder, tokens, features: f },
    result: {
      sae: saeInfo(use.sae, p.sae.source),
      warnings,
      tokens,
      promptTokens: prompt.total,
      n_ctx: loaded.model.config.nCtx,
      top: f.top,
      l0_pos: l0,
      resid_norm_pos: f.residNorm,
      error_norm_pos: f.errorNorm,
      layersRun: use.sae.config.hookLayer + (use.sae.config.hookName.endsWith('hook_resid_pre') ? 0 : 1),
      loadMs,
      runMs,
    },
  };
}
