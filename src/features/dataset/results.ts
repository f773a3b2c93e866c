/**
 * The set on screen and everything known about it: its summary (from the preview, then from the
 * exact sweeps, labelled partial while pairs are missing), its tables (an exact table replaces an
 * estimate, never the reverse) and its run state. The session owns this; the panel renders it and
 * the exports read it. No `vscode` import.
 */
import { mergeTables, type DatasetParams, type DatasetRunStateParams, type DatasetTable, type SummaryParams, type TableKey } from './shared/protocol';

export interface DatasetSnapshot {
  readonly dataset: DatasetParams;
  readonly summary?: SummaryParams;
  readonly tables: readonly DatasetTable[];
  readonly runState?: DatasetRunStateParams;
}

export class DatasetResults {
  private dataset: DatasetParams | undefined;
  private summary: SummaryParams | undefined;
  private tables: ReadonlyMap<TableKey, DatasetTable> = new Map();
  private runState: DatasetRunStateParams | undefined;

  /** A new run: the previous one's summary, tables and state go. */
  start(d: DatasetParams): void {
    this.dataset = d;
    this.summary = undefined;
    this.tables = new Map();
    this.runState = undefined;
  }

  get runId(): string | undefined {
    return this.dataset?.runId;
  }

  /** Adds tables of run `runId`; returns those that changed what is shown (none for another run). */
  addTables(runId: string, tables: readonly DatasetTable[]): DatasetTable[] {
    if (this.runId !== runId) return [];
    const next = mergeTables(this.tables, tables);
    const changed = tables.filter((t) => next.get(`${t.sweep}/${t.direction}`) === t);
    this.tables = next;
    return changed;
  }

  /** Records the summary of run `runId` (each replaces the last); false for another run. */
  setSummary(p: SummaryParams): boolean {
    if (this.runId !== p.runId) return false;
    this.summary = p;
    return true;
  }

  /** Records the run state of run `runId`; false for another run. */
  setRunState(p: DatasetRunStateParams): boolean {
    if (this.runId !== p.runId) return false;
    this.runState = p;
    return true;
  }

  snapshot(): DatasetSnapshot | undefined {
    const d = this.dataset;
    if (!d) return undefined;
    return { dataset: d, summary: this.summary, tables: [...this.tables.values()], runState: this.runState };
  }

  /** The snapshot of run `runId`; throws when another run replaced it. */
  snapshotOf(runId: string): DatasetSnapshot {
    const s = this.snapshot();
    if (!s || s.dataset.runId !== runId) throw new Error('this prompt set is no longer shown');
    return s;
  }

  get exactCount(): number {
    return [...this.tables.values()].filter((t) => t.source === 'exact').length;
  }
}
