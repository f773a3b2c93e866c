/**
 * "Check against fp32" for one table of an int8 comparison: the engine recomputes that table
 * (sweep × direction) with the fp32 weights of the loaded int8 model and says how far the shown
 * table is from it. One check runs at a time, with its own progress and cancel. Each state it
 * reaches is recorded with the results (so a closed panel loses nothing: the check finishes, and
 * the export and a reloaded webview have it); a check of a comparison that was replaced is
 * dropped by the results. No `vscode` import.
 */
import type { EngineCall, TypedEngine } from '../../engine/client';
import { isCancelled } from '../../engine/protocol';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import { formatTableCheck } from '../../shared/precision';
import { isCheckTableDetail, type SubstitutionEngineMethods } from './shared/engineMethods';
import type { MetricSpec, PatchTable, TableCheckParams } from './shared/protocol';

export interface TableCheckRun {
  readonly runId: string;
  readonly model: ModelSpec;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: MetricSpec;
  /** The int8 table shown (exact), and the int8 runs' metric. */
  readonly table: PatchTable;
  readonly metricClean: number;
  readonly metricCorrupt: number;
  readonly maxBatch?: number;
  readonly memoryBudgetBytes?: number;
}

export class TableCheckRunner {
  private current: { runId: string; call?: EngineCall<unknown>; cancelled: boolean } | undefined;

  constructor(
    private readonly engine: TypedEngine<SubstitutionEngineMethods>,
    /** Records the state with the results and shows it (ignored when another comparison replaced this one). */
    private readonly record: (p: TableCheckParams, fp32?: PatchTable) => void,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** A check is in flight. */
  get running(): boolean {
    return this.current !== undefined && !this.current.cancelled;
  }

  /** Stops the check of `runId` (or any): it is recorded as cancelled, the tables stay. */
  cancel(runId?: string): void {
    const c = this.current;
    if (!c || (runId !== undefined && c.runId !== runId) || c.cancelled) return;
    c.cancelled = true;
    c.call?.cancel();
  }

  async run(r: TableCheckRun): Promise<TableCheckParams> {
    this.cancel();
    const mine: { runId: string; call?: EngineCall<unknown>; cancelled: boolean } = { runId: r.runId, cancelled: false };
    this.current = mine;
    const ref = { runId: r.runId, sweep: r.table.sweep, direction: r.table.direction };
    const post = (p: Omit<TableCheckParams, 'runId' | 'sweep' | 'direction'>, fp32?: PatchTable): TableCheckParams => {
      const full = { ...ref, ...p };
      this.record(full, fp32);
      return full;
    };
    const what = `${r.table.sweep} (${r.table.direction})`;
    post({ state: 'running', message: `Recomputing ${what} with the fp32 weights…`, progress: 0 });
    let last = 0;
    const call = this.engine.call(
      'checkTable',
      {
        model: r.model,
        clean: r.clean,
        corrupt: r.corrupt,
        metric: r.metric,
        sweep: r.table.sweep,
        direction: r.table.direction,
        maxBatch: r.maxBatch,
        memoryBudgetBytes: r.memoryBudgetBytes,
        int8: { patched: r.table.patched, metricClean: r.metricClean, metricCorrupt: r.metricCorrupt },
      },
      (_phase, _message, d) => {
        if (!isCheckTableDetail(d) || mine.cancelled || d.total <= 0) return;
        const progress = Math.min(1, d.done / d.total);
        if (progress - last < 0.02 && progress < 1) return; // a message per 2% at most
        last = progress;
        post({ state: 'running', message: `Recomputing ${what} with the fp32 weights…`, progress });
      },
    );
    mine.call = call;
    try {
      const res = await call.result;
      this.log(`run ${r.runId}: fp32 check of ${what} in ${res.ms} ms: ${formatTableCheck(res.check)}`);
      return post({ state: 'done', check: res.check }, res.fp32);
    } catch (e) {
      if (isCancelled(e) || mine.cancelled) return post({ state: 'cancelled', message: 'Cancelled: the fp32 check was not finished; the table is as it was.' });
      this.log(`fp32 check of ${what} failed: ${errorMessage(e)}`);
      return post({ state: 'error', message: `The fp32 check failed: ${errorMessage(e)}` });
    } finally {
      mine.cancelled = true; // settled: a later cancel() has nothing to stop
      if (this.current === mine) this.current = undefined;
    }
  }
}
