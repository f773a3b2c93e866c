/**
 * How a feature adds engine methods: it declares a MethodTable (params, result and progress of
 * each method, in its `shared/engineMethods.ts`) and an EngineModule whose handlers serve them, in
 * its `engine/` folder. The engine process is given the list of modules (src/engineProcess.ts);
 * nothing in src/engine names a feature.
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import type { ModelSpec } from '../shared/modelSpec';
import type { ForwardCache } from './forwardCache';
import type { SaeLoaded } from './saeHolder';
import type { LogLevel, MethodSpec, MethodTable } from './protocol';

/** What a handler gets for the one request it serves. */
export interface RequestContext {
  readonly id: number;
  /** Aborted when the request is cancelled or the engine is disposed: the result is then dropped. */
  readonly signal: AbortSignal;
  /** Progress for this request (`detail` is the method's `progress` type). */
  progress(message: string, detail?: unknown): void;
  /**
   * The model of `spec`, loaded on first use (the load is reported as `loading` progress), held
   * until this request settles.
   */
  model(spec: ModelSpec): Promise<ModelUse>;
  /** The engine's recent forwards, shared by every feature (one prompt's forward serves every panel). */
  readonly forwards: ForwardCache;
  /**
   * The sparse autoencoder in `folder` (SAELens format) with its encoder, loaded on first use (at
   * most two stay loaded), held until this request settles. A load failure is an EngineError
   * `load-failed` whose message names the problem.
   */
  sae(folder: string): Promise<SaeUse>;
}

export interface SaeUse extends SaeLoaded {
  /** Milliseconds this request waited for a load it started (0 when the SAE was loaded). */
  readonly loadMs: number;
}

export interface ModelUse {
  readonly model: LoadedModel;
  /** Milliseconds this request waited for a load it started (0 when the model was loaded). */
  readonly loadMs: number;
}

export type Handler<S extends MethodSpec> = (params: S['params'], ctx: RequestContext) => Promise<S['result']> | S['result'];
export type Handlers<T extends MethodTable> = { readonly [M in keyof T & string]: Handler<T[M]> };

/** What a module gets from the engine once, when it starts. */
export interface EngineEnv {
  log(level: LogLevel, message: string): void;
}

export interface EngineModuleInstance<T extends MethodTable> {
  readonly handlers: Handlers<T>;
  /** Frees what the module keeps (called when the engine is disposed). */
  dispose?(): void;
}

/** A feature's engine half: a name (for logs and errors) and a factory for its handlers. */
export interface EngineModule<T extends MethodTable = MethodTable> {
  readonly feature: string;
  create(env: EngineEnv): EngineModuleInstance<T>;
}

/** Any feature's module, its method table erased: what the engine process is given as a list. */
export interface AnyEngineModule {
  readonly feature: string;
  create(env: EngineEnv): { readonly handlers: object; dispose?(): void };
}

/** Declares a feature's engine module, typed by its method table. */
export function defineEngineModule<T extends MethodTable>(feature: string, create: (env: EngineEnv) => EngineModuleInstance<T>): EngineModule<T> {
  return { feature, create };
}
