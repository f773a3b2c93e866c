/**
 * The engine's request loop, without the process: requests in, replies out. It routes each
 * request to the handler a feature module registered for its method, gives the handler a
 * RequestContext (abort signal, progress, model leases), and answers exactly once. A model loads
 * lazily on the first request that needs it and stays warm until a request asks for another spec
 * (src/engine/modelHolder.ts). No `vscode` import; the unit tests drive it directly.
 */
import type { LoadedModel, LoadModelOptions } from '../model/loadHookedGpt2';
import { errorMessage } from '../shared/errors';
import { modelSpecKey, type ModelSpec } from '../shared/modelSpec';
import { compactTensors } from './compactTensors';
import { ForwardCache } from './forwardCache';
import { ModelHolder } from './modelHolder';
import { loadSaeWithEncoder, SaeHolder, type SaeLoader } from './saeHolder';
import { cancelled, EngineError, type EngineToHost, type HostToEngine, type LogLevel, type MethodSpec, type RequestMessage } from './protocol';
import type { AnyEngineModule, Handler, RequestContext, SaeUse } from './registry';

export type ModelLoader = (dir: string, options: LoadModelOptions) => Promise<LoadedModel>;

/** Where replies go (the process channel, or a test's array). */
export type Reply = (msg: EngineToHost) => void;

interface Running {
  readonly abort: AbortController;
  readonly releases: (() => void)[];
}

export class EngineServer {
  private readonly models: ModelHolder;
  private readonly saes: SaeHolder;
  private readonly handlers = new Map<string, { feature: string; handler: Handler<MethodSpec> }>();
  private readonly instances: { dispose?(): void }[] = [];
  private readonly running = new Map<number, Running>();
  /** Recent forwards, shared by every feature's handlers. */
  readonly forwards = new ForwardCache();
  private disposed = false;

  constructor(
    load: ModelLoader,
    private readonly reply: Reply,
    modules: readonly AnyEngineModule[],
    threads?: number,
    loadSae: SaeLoader = loadSaeWithEncoder(threads),
  ) {
    this.saes = new SaeHolder(async (folder) => {
      const t0 = Date.now();
      const loaded = await loadSae(folder);
      this.log('info', `loaded the SAE ${loaded.sae.label} from ${folder} in ${Date.now() - t0} ms`);
      return loaded;
    });
    const loadAndWarn = async (spec: ModelSpec) => {
      const loaded = await load(spec.dir, { layerNorm: spec.layerNorm, prependBos: spec.prependBos, threads, precision: spec.precision ?? 'exact' });
      for (const warning of loaded.warnings ?? []) this.log('warn', warning);
      return loaded;
    };
    this.models = new ModelHolder(loadAndWarn, {
      loading: (spec) => this.log('info', `loading ${spec.dir} (layerNorm ${spec.layerNorm}, prependBos ${spec.prependBos})`),
      loaded: (spec, ms) => this.log('info', `loaded ${spec.dir} in ${ms} ms`),
      unloading: (dir) => this.log('info', `unloading ${dir}`),
    });
    const env = { log: (level: LogLevel, message: string) => this.log(level, message) };
    for (const m of modules) {
      const instance = m.create(env);
      this.instances.push(instance);
      for (const [method, handler] of Object.entries(instance.handlers) as unknown as [string, Handler<MethodSpec>][]) {
        const taken = this.handlers.get(method);
        if (taken) throw new Error(`engine method ${method} is registered by both ${taken.feature} and ${m.feature}`);
        this.handlers.set(method, { feature: m.feature, handler });
      }
    }
  }

  /** The methods the registered modules serve. */
  get methods(): readonly string[] {
    return [...this.handlers.keys()];
  }

  /** The spec key of the model loaded (or loading). */
  get loadedKey(): string | undefined {
    return this.models.currentKey;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  handle(msg: HostToEngine): void {
    if (msg.type === 'dispose') {
      void this.dispose();
      return;
    }
    if (msg.type === 'cancel') {
      this.running.get(msg.id)?.abort.abort();
      return;
    }
    if (this.disposed) {
      this.fail(msg.id, cancelled('the engine was disposed'));
      return;
    }
    const entry = this.handlers.get(msg.method);
    if (!entry) {
      this.fail(msg.id, new EngineError({ code: 'unknown-method', message: `the engine has no method ${msg.method}` }));
      return;
    }
    void this.serve(msg, entry.handler);
  }

  /** Aborts every request, frees every module's state, then every model. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const r of this.running.values()) r.abort.abort();
    for (const i of this.instances) i.dispose?.();
    this.forwards.clear();
    await this.saes.dispose();
    await this.models.dispose();
  }

  private async serve(req: RequestMessage, handler: Handler<MethodSpec>): Promise<void> {
    const running: Running = { abort: new AbortController(), releases: [] };
    this.running.set(req.id, running);
    const { signal } = running.abort;
    const ctx: RequestContext = {
      id: req.id,
      signal,
      progress: (message, detail) => {
        if (!signal.aborted) this.reply({ type: 'progress', id: req.id, phase: 'running', message, detail });
      },
      model: (spec) => this.model(spec, req.id, running),
      forwards: this.forwards,
      sae: (folder) => this.sae(folder, req.id, running),
    };
    try {
      const result: unknown = await handler(req.params, ctx);
      if (signal.aborted) this.fail(req.id, cancelled(this.disposed ? 'the engine was disposed' : 'cancelled'));
      else this.reply({ type: 'result', id: req.id, result: compactTensors(result) });
    } catch (e) {
      this.fail(req.id, signal.aborted ? cancelled() : e);
    } finally {
      this.running.delete(req.id);
      for (const release of running.releases) release();
    }
  }

  private async model(spec: ModelSpec, id: number, running: Running): Promise<{ model: LoadedModel; loadMs: number }> {
    if (this.models.currentKey !== modelSpecKey(spec)) this.reply({ type: 'progress', id, phase: 'loading', message: `Loading ${spec.displayName}…` });
    try {
      const lease = await this.models.acquire(spec);
      running.releases.push(() => lease.release());
      return lease;
    } catch (e) {
      throw new EngineError({ code: 'load-failed', message: `Could not load the model ${spec.displayName} (${spec.dir}): ${errorMessage(e)}` });
    }
  }

  private async sae(folder: string, id: number, running: Running): Promise<SaeUse> {
    if (!this.saes.folders.includes(folder)) this.reply({ type: 'progress', id, phase: 'loading', message: `Loading the SAE in ${folder}…` });
    try {
      const lease = await this.saes.acquire(folder);
      running.releases.push(() => lease.release());
      return lease;
    } catch (e) {
      throw new EngineError({ code: 'load-failed', message: `Could not load the SAE in ${folder}: ${errorMessage(e)}` });
    }
  }

  private fail(id: number, e: unknown): void {
    const info =
      e instanceof EngineError
        ? e.toInfo()
        : e instanceof RangeError
          ? { code: 'bad-request' as const, message: e.message }
          : { code: 'failed' as const, message: errorMessage(e) };
    this.reply({ type: 'error', id, error: info });
  }

  private log(level: LogLevel, message: string): void {
    this.reply({ type: 'log', level, message });
  }
}
