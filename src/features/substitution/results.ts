/**
 * The comparison on screen and everything known about it: its tables (an exact table replaces an
 * estimate, never the reverse), its run state and whether the document changed since. The session
 * owns this; the panel renders it and export reads it. No `vscode` import.
 */
import { mergeTables, tableKey, type TableKey } from './shared/tables';
import type { ComparisonParams, PatchTable, SaeFeaturesParams, SubstitutionRunStateParams, TableCheckParams } from './shared/protocol';

export interface ResultsSnapshot {
  readonly comparison: ComparisonParams;
  readonly tables: readonly PatchTable[];
  readonly runState?: SubstitutionRunStateParams;
  readonly staleReason?: string;
  /** The SAE features that carry the substitution, as far as they are known. */
  readonly saeFeatures?: SaeFeaturesParams;
  /** int8 runs: the tables checked against fp32 (or being checked), with the fp32 table of each finished check. */
  readonly tableChecks: readonly TableCheckRecord[];
}

export interface TableCheckRecord {
  readonly params: TableCheckParams;
  /** The table recomputed in fp32 (a finished check). */
  readonly fp32?: PatchTable;
}

export class ComparisonResults {
  private comparison: ComparisonParams | undefined;
  private tables: ReadonlyMap<TableKey, PatchTable> = new Map();
  private runState: SubstitutionRunStateParams | undefined;
  private staleReason: string | undefined;
  private saeFeatures: SaeFeaturesParams | undefined;
  private tableChecks = new Map<TableKey, TableCheckRecord>();

  /** A new comparison: the previous one's tables, run state, staleness and fp32 checks go. */
  start(c: ComparisonParams): void {
    this.comparison = c;
    this.tables = new Map();
    this.runState = undefined;
    this.staleReason = undefined;
    this.saeFeatures = undefined;
    this.tableChecks = new Map();
  }

  get runId(): string | undefined {
    return this.comparison?.runId;
  }

  /** Adds the tables of run `runId`; returns those that changed what is shown (none for another run). */
  addTables(runId: string, tables: readonly PatchTable[]): PatchTable[] {
    if (this.runId !== runId) return [];
    const next = mergeTables(this.tables, tables);
    const changed = tables.filter((t) => next.get(`${t.sweep}/${t.direction}`) === t);
    this.tables = next;
    return changed;
  }

  /** Records the run state of run `runId`; false for another run. */
  setRunState(p: SubstitutionRunStateParams): boolean {
    if (this.runId !== p.runId) return false;
    this.runState = p;
    return true;
  }

  /** Records the SAE features of run `runId` (each replaces the last); false for another run. */
  setSaeFeatures(p: SaeFeaturesParams): boolean {
    if (this.runId !== p.runId) return false;
    this.saeFeatures = p;
    return true;
  }

  /** Records the fp32 check of one table of run `runId` (each replaces the last for its table); false for another run. */
  setTableCheck(p: TableCheckParams, fp32?: PatchTable): boolean {
    if (this.runId !== p.runId) return false;
    this.tableChecks.set(tableKey(p.sweep, p.direction), fp32 ? { params: p, fp32 } : { params: p });
    return true;
  }

  /** Marks run `runId` stale once; true when this call did. */
  markStale(runId: string, reason: string): boolean {
    if (!this.comparison || this.comparison.runId !== runId || this.staleReason) return false;
    this.staleReason = reason;
    this.comparison = { ...this.comparison, stale: true };
    return true;
  }

  /** Everything about the comparison on screen, or undefined when none is. */
  snapshot(): ResultsSnapshot | undefined {
    const c = this.comparison;
    if (!c) return undefined;
    return {
      comparison: c,
      tables: [...this.tables.values()],
      runState: this.runState,
      staleReason: this.staleReason,
      saeFeatures: this.saeFeatures,
      tableChecks: [...this.tableChecks.values()],
    };
  }

  /** The snapshot of run `runId`; throws when another comparison replaced it. */
  snapshotOf(runId: string): ResultsSnapshot {
    const s = this.snapshot();
    if (!s || s.comparison.runId !== runId) throw new Error('this comparison is no longer shown');
    return s;
  }

  /** How many tables of the comparison are exact. */
  get exactCount(): number {
    return [...this.tables.values()].filter((t) => t.source === 'exact').length;
  }
}
