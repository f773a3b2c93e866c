/**
 * The engine worker's logic, without the worker: requests in, replies out. A model loads lazily on
 * the first run that needs it and stays warm until a run asks for a different `ModelSpec`. Runs
 * are served one at a time in arrival order; the last delivered inspection's attention patterns are
 * kept for `headPattern` and `tokenActivity` (which jump the queue: they only read memory).
 * No `vscode` import.
 */
import type { LayerPattern } from '../../../analysis/headScores';
import { headPatternOf, InspectionBuilder } from '../../../analysis/inspection';
import type { LoadedModel, LoadModelOptions } from '../../../model/loadHookedGpt2';
import { ModelHolder, type ModelLease } from '../../../engine/modelHolder';
import type { HookName } from '../../../shared/hookNames';
import {
  EngineError,
  modelSpecKey,
  type EngineRequest,
  type EngineToHost,
  type HeadPatternQuery,
  type HeadPatternResult,
  type HostToEngine,
  type InspectParams,
  type InspectResult,
  type ModelSpec,
  type TokenActivityQuery,
  type TokenActivityResult,
} from '../../../engine/protocol';
import { tokenActivity } from '../../../analysis/tokenActivity';
import { PatchingService } from '../../substitution/engine/handlers';

export type ModelLoader = (dir: string, options: LoadModelOptions) => Promise<LoadedModel>;

/** Where replies go (the worker's parentPort, or a test's array), with buffers to transfer. */
export type Reply = (msg: EngineToHost, transfer?: ArrayBuffer[]) => void;

interface Kept {
  readonly inspectionId: string;
  readonly layers: readonly LayerPattern[];
  readonly isBos: readonly boolean[];
  readonly nLayers: number;
  readonly nHeads: number;
}

interface Job {
  readonly req: Extract<EngineRequest, { method: 'inspect' }>;
  cancelled: boolean;
}

export class EngineService {
  private readonly models = new ModelHolder(
    (spec) => this.load(spec.dir, { layerNorm: spec.layerNorm, prependBos: spec.prependBos, threads: spec.threads }),
    {
      loading: (spec) => this.log('info', `loading ${spec.dir} (layerNorm ${spec.layerNorm}, prependBos ${spec.prependBos})`),
      loaded: (spec, ms) => this.log('info', `loaded ${spec.dir} in ${ms} ms`),
      unloading: (dir) => this.log('info', `unloading ${dir}`),
    },
  );
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private kept: Kept | undefined;
  private disposed = false;
  /** Patching requests (Compare Token Substitution): abortable, run alongside the inspect queue. */
  private readonly patching = new PatchingService((spec, id) => this.model(spec, id), (msg, transfer) => this.reply(msg, transfer));

  constructor(
    private readonly load: ModelLoader,
    private readonly reply: Reply,
  ) {}

  handle(msg: HostToEngine): void {
    if (msg.type === 'dispose') {
      void this.dispose();
      return;
    }
    if (msg.type === 'cancel') {
      if (!this.patching.cancel(msg.id)) this.cancel(msg.id);
      return;
    }
    if (this.disposed) {
      this.fail(msg.id, new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
      return;
    }
    switch (msg.method) {
      case 'inspect':
        this.queue.push({ req: msg, cancelled: false });
        void this.pump();
        return;
      case 'headPattern':
        this.answer(msg.id, () => this.headPattern(msg.params));
        return;
      case 'tokenActivity':
        this.answer(msg.id, () => this.tokenActivity(msg.params));
        return;
      case 'substitutionPlan':
      case 'attribution':
      case 'patchSweeps':
      case 'headPatterns':
        this.patching.handle(msg);
        return;
    }
  }

  /** A queued run is removed and answered `cancelled`; the run in flight finishes and its result is dropped. */
  cancel(id: number): void {
    const i = this.queue.findIndex((j) => j.req.id === id);
    if (i >= 0) {
      const [job] = this.queue.splice(i, 1);
      this.fail(job.req.id, new EngineError({ code: 'cancelled', message: 'cancelled before it ran' }));
      return;
    }
    if (this.current?.req.id === id) this.current.cancelled = true;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.patching.dispose();
    for (const job of this.queue.splice(0)) this.fail(job.req.id, new EngineError({ code: 'cancelled', message: 'the engine was disposed' }));
    if (this.current) this.current.cancelled = true;
    this.kept = undefined;
    await this.models.dispose();
  }

  /** For tests: the spec key of the model loaded (or loading). */
  get loadedKey(): string | undefined {
    return this.models.currentKey;
  }

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  private async pump(): Promise<void> {
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    try {
      const { result, kept } = await this.inspect(job);
      if (job.cancelled || this.disposed) {
        this.fail(job.req.id, new EngineError({ code: 'cancelled', message: 'cancelled while running; result dropped' }));
      } else {
        this.kept = kept;
        this.reply({ type: 'result', id: job.req.id, result }, [result.inspection.thumbnails_layer_head_q_k.buffer as ArrayBuffer]);
      }
    } catch (e) {
      this.fail(job.req.id, job.cancelled ? new EngineError({ code: 'cancelled', message: 'cancelled' }) : e);
    } finally {
      this.current = undefined;
      void this.pump();
    }
  }

  /** A lease on the model of `spec` (loaded on first use), reporting a load as progress of request `id`. */
  private async model(spec: ModelSpec, id: number): Promise<ModelLease> {
    if (this.models.currentKey !== modelSpecKey(spec)) this.reply({ type: 'progress', id, phase: 'loading', message: `Loading ${spec.displayName}…` });
    try {
      return await this.models.acquire(spec);
    } catch (e) {
      throw new EngineError({ code: 'load-failed', message: `Could not load the model ${spec.displayName} (${spec.dir}): ${errorMessage(e)}` });
    }
  }

  private async inspect(job: Job): Promise<{ result: InspectResult; kept: Kept }> {
    checkInspectParams(job.req.params);
    const lease = await this.model(job.req.params.model, job.req.id);
    try {
      return await this.inspectWith(job, lease.model, lease.loadMs);
    } finally {
      lease.release();
    }
  }

  private async inspectWith(job: Job, loaded: LoadedModel, loadMs: number): Promise<{ result: InspectResult; kept: Kept }> {
    const { id, params: p } = job.req;
    const cfg = loaded.model.config;
    const prompt = loaded.toPrompt(p.text);
    const nonBos = prompt.tokens.filter((t) => !t.isBos).length;
    if (nonBos === 0) throw new EngineError({ code: 'empty', message: 'the selection has no tokens to run' });
    const promptTokens = prompt.tokens.length;
    let tokens = prompt.tokens;
    if (promptTokens > cfg.nCtx) {
      if (p.truncateTo === undefined) {
        throw new EngineError({
          code: 'too-long',
          message: `the selection is ${promptTokens} tokens long but ${p.model.displayName} reads at most ${cfg.nCtx} (n_positions)`,
          promptTokens,
          nCtx: cfg.nCtx,
        });
      }
      tokens = tokens.slice(0, Math.min(p.truncateTo, cfg.nCtx));
    } else if (p.truncateTo !== undefined && p.truncateTo < promptTokens) {
      tokens = tokens.slice(0, p.truncateTo);
    }
    if (job.cancelled) throw new EngineError({ code: 'cancelled', message: 'cancelled' });
    this.reply({ type: 'progress', id, phase: 'running', message: `Running ${tokens.length} tokens…` });
    const t0 = Date.now();
    const hooks = Array.from({ length: cfg.nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern` as HookName);
    const run = await loaded.model.runWithCache(
      tokens.map((t) => t.id),
      hooks,
      { logits: 'last' },
    );
    const builder = new InspectionBuilder({
      inspectionId: p.inspectionId,
      modelName: p.model.displayName,
      nLayers: cfg.nLayers,
      nHeads: cfg.nHeads,
      tokens,
      watchTokens: p.watchTokens,
    });
    const layers: LayerPattern[] = hooks.map((h, l) => {
      const t = run.cache.get(h);
      // [batch=1, head_index, query_pos, key_pos] → [head_index, query_pos, key_pos]
      const layer: LayerPattern = { dims: t.dims.slice(1), data: t.data };
      builder.addLayer(l, layer);
      return layer;
    });
    const inspection = builder.finish();
    const runMs = Date.now() - t0;
    this.log('info', `inspection ${p.inspectionId}: ${tokens.length} tokens, ${cfg.nLayers}×${cfg.nHeads} heads in ${runMs} ms`);
    return {
      result: { inspection, promptTokens, truncated: tokens.length < promptTokens, nCtx: cfg.nCtx, loadMs, runMs },
      kept: { inspectionId: p.inspectionId, layers, isBos: tokens.map((t) => t.isBos), nLayers: cfg.nLayers, nHeads: cfg.nHeads },
    };
  }

  private keptFor(inspectionId: string): Kept {
    if (!this.kept || this.kept.inspectionId !== inspectionId) {
      throw new EngineError({ code: 'unknown-inspection', message: `inspection ${inspectionId} is no longer kept (a newer run replaced it)` });
    }
    return this.kept;
  }

  private headPattern(q: HeadPatternQuery): { result: HeadPatternResult; transfer: ArrayBuffer[] } {
    const kept = this.keptFor(q.inspectionId);
    if (!Number.isInteger(q.layer) || q.layer < 0 || q.layer >= kept.nLayers) {
      throw new EngineError({ code: 'bad-request', message: `layer ${q.layer} outside 0..${kept.nLayers - 1}` });
    }
    const pattern = headPatternOf(kept.layers[q.layer], q.head);
    return {
      result: { inspectionId: q.inspectionId, layer: q.layer, head: q.head, n_tokens: kept.isBos.length, pattern_q_k: pattern },
      transfer: [pattern.buffer as ArrayBuffer],
    };
  }

  private tokenActivity(q: TokenActivityQuery): { result: TokenActivityResult; transfer: ArrayBuffer[] } {
    const kept = this.keptFor(q.inspectionId);
    const heads = tokenActivity(kept.layers, q.tokenIndex, kept.isBos);
    return { result: { inspectionId: q.inspectionId, tokenIndex: q.tokenIndex, n_layers: kept.nLayers, n_heads: kept.nHeads, heads }, transfer: [] };
  }

  private answer(id: number, f: () => { result: unknown; transfer: ArrayBuffer[] }): void {
    try {
      const { result, transfer } = f();
      this.reply({ type: 'result', id, result }, transfer);
    } catch (e) {
      this.fail(id, e instanceof RangeError ? new EngineError({ code: 'bad-request', message: e.message }) : e);
    }
  }

  private fail(id: number, e: unknown): void {
    const info = e instanceof EngineError ? e.toInfo() : { code: 'failed' as const, message: errorMessage(e) };
    this.reply({ type: 'error', id, error: info });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.reply({ type: 'log', level, message });
  }
}

function checkInspectParams(p: InspectParams): void {
  const m = p.model;
  const ok =
    typeof p.text === 'string' &&
    typeof p.inspectionId === 'string' &&
    Array.isArray(p.watchTokens) &&
    typeof m === 'object' &&
    m !== null &&
    typeof m.dir === 'string' &&
    (m.layerNorm === 'as_configured' || m.layerNorm === 'identity') &&
    typeof m.prependBos === 'boolean' &&
    (p.truncateTo === undefined || (Number.isInteger(p.truncateTo) && p.truncateTo > 0));
  if (!ok) throw new EngineError({ code: 'bad-request', message: 'malformed inspect request' });
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
