/**
 * The engine's loaded sparse autoencoders, shared by every feature (Inspect Features and the
 * substitution's feature attribution use the same one): requests for the same folder wait on one
 * load, each request holds a lease while it runs, and at most `capacity` SAEs stay loaded. An
 * evicted SAE's encoder is released once its last lease ends, so a running scan keeps its encoder.
 */
import { loadSaeFolder, SaeEncoder, type LoadedSae } from '../model/sae';

export interface SaeLoaded {
  readonly sae: LoadedSae;
  readonly encoder: SaeEncoder;
}

export interface SaeLease extends SaeLoaded {
  /** Milliseconds this request waited for a load it started (0 when the SAE was loaded). */
  readonly loadMs: number;
  release(): void;
}

interface Entry {
  readonly folder: string;
  readonly loaded: Promise<SaeLoaded>;
  users: number;
  evicted: boolean;
}

export type SaeLoader = (folder: string) => Promise<SaeLoaded>;

export const loadSaeWithEncoder =
  (threads?: number): SaeLoader =>
  async (folder) => {
    const sae = await loadSaeFolder(folder);
    return { sae, encoder: await SaeEncoder.create(sae, { threads }) };
  };

export class SaeHolder {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly load: SaeLoader,
    private readonly capacity = 2,
  ) {}

  /** Folders loaded or loading, oldest first. */
  get folders(): readonly string[] {
    return this.entries.map((e) => e.folder);
  }

  async acquire(folder: string): Promise<SaeLease> {
    let entry = this.entries.find((e) => e.folder === folder);
    let started: number | undefined;
    if (entry) {
      this.entries.splice(this.entries.indexOf(entry), 1);
      this.entries.push(entry);
    } else {
      started = Date.now();
      entry = { folder, loaded: this.load(folder), users: 0, evicted: false };
      this.entries.push(entry);
      const failed = entry;
      entry.loaded.catch(() => this.drop(failed));
      while (this.entries.length > this.capacity) this.evict(this.entries[0]);
    }
    entry.users++;
    let loaded: SaeLoaded;
    try {
      loaded = await entry.loaded;
    } catch (e) {
      entry.users--;
      throw e;
    }
    const held = entry;
    let released = false;
    return {
      ...loaded,
      loadMs: started === undefined ? 0 : Date.now() - started,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.evicted && held.users === 0) void this.free(held);
      },
    };
  }

  /** Forgets every SAE (their encoders are released as their leases end). */
  async dispose(): Promise<void> {
    const all = [...this.entries];
    for (const e of all) this.evict(e);
    await Promise.all(all.map((e) => e.loaded.catch(() => undefined)));
  }

  private evict(e: Entry): void {
    this.drop(e);
    e.evicted = true;
    if (e.users === 0) void this.free(e);
  }

  private drop(e: Entry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
  }

  private async free(e: Entry): Promise<void> {
    try {
      await (await e.loaded).encoder.release();
    } catch {
      // a failed load has nothing to release
    }
  }
}
