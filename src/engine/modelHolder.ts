/**
 * The engine's loaded model, shared by every request: requests for the same ModelSpec wait
 * on one load, and each request holds a lease while it runs. Asking for another spec loads it and
 * retires the current model, which is disposed once its last lease is released (a sweep that is
 * running keeps its model; an inspection with the new model does not wait for the sweep).
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import { modelSpecKey, type ModelSpec } from '../shared/modelSpec';

export interface ModelLease {
  readonly model: LoadedModel;
  /** Milliseconds this request waited for a load it started (0 when the model was already loaded). */
  readonly loadMs: number;
  release(): void;
}

export interface ModelHolderEvents {
  /** A load starts (once per spec change, not once per waiting request). */
  loading(spec: ModelSpec): void;
  loaded(spec: ModelSpec, ms: number): void;
  unloading(dir: string): void;
}

interface Entry {
  readonly key: string;
  readonly model: Promise<LoadedModel>;
  users: number;
  retired: boolean;
}

export class ModelHolder {
  private current: Entry | undefined;
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly load: (spec: ModelSpec) => Promise<LoadedModel>,
    private readonly events: ModelHolderEvents,
  ) {}

  /** The spec key of the model loaded or loading now. */
  get currentKey(): string | undefined {
    return this.current?.key;
  }

  async acquire(spec: ModelSpec): Promise<ModelLease> {
    const key = modelSpecKey(spec);
    let started: number | undefined;
    while (this.current?.key !== key) {
      if (this.current) this.retire(this.current);
      if (this.retiring.size > 0) {
        await Promise.all(this.retiring); // free the old model's memory first when nothing uses it any more
        continue;
      }
      this.start(spec, key);
      started = Date.now();
    }
    const e = this.current;
    e.users++;
    let model: LoadedModel;
    try {
      model = await e.model;
    } catch (err) {
      e.users--;
      if (this.current === e) this.current = undefined; // the next request tries again
      throw err;
    }
    let released = false;
    return {
      model,
      loadMs: started === undefined ? 0 : Date.now() - started,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        if (e.retired && e.users === 0) this.disposeEntry(e);
      },
    };
  }

  /** Disposes every model once its leases are released (the current one at once if unused). */
  async dispose(): Promise<void> {
    if (this.current) this.retire(this.current);
    this.current = undefined;
    await Promise.all(this.retiring);
  }

  private start(spec: ModelSpec, key: string): void {
    const t0 = Date.now();
    this.events.loading(spec);
    const model = this.load(spec);
    model.then(() => this.events.loaded(spec, Date.now() - t0)).catch(() => undefined);
    this.current = { key, model, users: 0, retired: false };
  }

  private retire(e: Entry): void {
    if (e.retired) return;
    e.retired = true;
    if (this.current === e) this.current = undefined;
    if (e.users === 0) this.disposeEntry(e);
  }

  private disposeEntry(e: Entry): void {
    const done = e.model
      .then(async (m) => {
        this.events.unloading(m.dir);
        await m.dispose();
      })
      .catch(() => undefined)
      .finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }
}
