/**
 * The comparison's "features that carry the substitution": when an SAE applies to the model
 * (`circuitInspector.sae`, resolved by platform/saeResolver), the engine ranks its features by
 * attribution and patches the top ones exactly in both directions. Runs beside the exact sweeps,
 * with its own progress and cancel; each state it reaches is recorded with the results and shown.
 * A feature row opens Inspect Features through its command (features never import each other).
 */
import * as vscode from 'vscode';
import type { EngineCall, TypedEngine } from '../../engine/client';
import { isCancelled } from '../../engine/protocol';
import { noSaeMessage, resolveSae, SaeResolveCancelled } from '../../platform/saeResolver';
import type { Settings } from '../../platform/settingsKeys';
import { errorMessage } from '../../shared/errors';
import type { ModelSpec } from '../../shared/modelSpec';
import { isFeatureAttributionDetail, type FeatureAttributionResult, type SubstitutionEngineMethods } from './shared/engineMethods';
import type { MetricSpec, SaeFeaturesParams } from './shared/protocol';

/** The command of Inspect Features, called with `{ feature }`. */
export const INSPECT_FEATURES_COMMAND = 'circuitInspector.inspectFeatures';
export const SELECT_SAE_COMMAND = 'circuitInspector.selectSae';
/** How many features are listed and patched exactly. */
export const SAE_FEATURES_TOP_K = 10;

export interface SaeFeaturesRun {
  readonly runId: string;
  readonly model: ModelSpec;
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: MetricSpec;
  readonly settings: Settings;
}

export class SaeFeatureRunner {
  private call: { runId: string; call?: EngineCall<unknown>; cancelled: boolean } | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly engine: TypedEngine<SubstitutionEngineMethods>,
    /** Records the state with the results and shows it (false when another comparison replaced this one). */
    private readonly show: (p: SaeFeaturesParams) => void,
  ) {}

  /** Stops the run of `runId` (or any): the estimate shown so far stays. */
  cancel(runId?: string): void {
    const c = this.call;
    if (!c || (runId !== undefined && c.runId !== runId) || c.cancelled) return;
    c.cancelled = true;
    c.call?.cancel();
  }

  async run(r: SaeFeaturesRun): Promise<SaeFeaturesParams> {
    this.cancel();
    const mine = { runId: r.runId, cancelled: false } as { runId: string; call?: EngineCall<unknown>; cancelled: boolean };
    this.call = mine;
    const post = (p: Omit<SaeFeaturesParams, 'runId'>): SaeFeaturesParams => {
      const full = { runId: r.runId, ...p };
      if (this.call === mine) this.show(full);
      return full;
    };
    let folder: string;
    try {
      const resolved = await resolveSae(this.context, r.settings, r.model, this.log);
      if (!resolved) return post({ state: 'no-sae', message: noSaeMessage(r.model), features: [], warnings: [] });
      folder = resolved.folder;
    } catch (e) {
      if (e instanceof SaeResolveCancelled) return post({ state: 'no-sae', message: `No SAE: ${e.message}`, features: [], warnings: [] });
      return post({ state: 'error', message: errorMessage(e), features: [], warnings: [] });
    }
    if (mine.cancelled) return post({ state: 'cancelled', message: 'Cancelled before the attribution ran.', features: [], warnings: [] });

    post({ state: 'estimating', message: 'Attributing the metric to the SAE’s features…', features: [], warnings: [] });
    let estimate: Omit<FeatureAttributionResult, 'exactMs'> | undefined;
    const call = this.engine.call(
      'featureAttribution',
      { model: r.model, sae: folder, clean: r.clean, corrupt: r.corrupt, metric: r.metric, topK: SAE_FEATURES_TOP_K },
      (_phase, _message, d) => {
        if (!isFeatureAttributionDetail(d) || mine.cancelled) return;
        if (d.kind === 'estimate') {
          estimate = d.estimate;
          const n = d.estimate.features.length;
          post({ ...shown(d.estimate), state: 'exact', message: `Patching the top ${n} features exactly…`, progress: { done: 0, total: 2 * n } });
          return;
        }
        if (!estimate) return;
        const done = d.done + (d.direction === 'noise' ? d.total : 0);
        post({ ...shown(estimate), state: 'exact', message: `Patching the top features exactly (${d.direction})…`, progress: { done, total: 2 * d.total } });
      },
    );
    mine.call = call;
    if (mine.cancelled) call.cancel();
    try {
      const res = await call.result;
      this.log.info(
        `run ${r.runId}: SAE feature attribution in ${res.attributionMs} ms, exact patches of ${res.features.length} features in ${res.exactMs} ms`,
      );
      return post({
        ...shown(res),
        state: 'done',
        message: `${res.attributed} of ${res.sae.dSae} features have an attribution; the top ${res.features.length} were patched exactly in both directions.`,
      });
    } catch (e) {
      if (isCancelled(e) || mine.cancelled) {
        return post({
          ...(estimate ? shown(estimate) : { features: [], warnings: [] }),
          state: 'cancelled',
          message: estimate ? 'Cancelled: the estimates stay; the exact patches were not finished.' : 'Cancelled before the attribution finished.',
        });
      }
      this.log.warn(`SAE feature attribution failed: ${errorMessage(e)}`);
      return post({
        ...(estimate ? shown(estimate) : { features: [], warnings: [] }),
        state: 'error',
        message: `Feature attribution failed: ${errorMessage(e)}`,
      });
    } finally {
      mine.cancelled = true; // settled: a later cancel() has nothing to stop
    }
  }
}

function shown(r: Omit<FeatureAttributionResult, 'exactMs'>): Pick<SaeFeaturesParams, 'sae' | 'features' | 'attributed' | 'warnings'> {
  return { sae: r.sae, features: r.features, attributed: r.attributed, warnings: r.warnings };
}

/** Reveals the comparison's prompt in its editor, then opens Inspect Features on `feature` there. */
export async function inspectFeatureAt(uri: string, range: vscode.Range | undefined, feature: number): Promise<unknown> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const column = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One;
  await vscode.window.showTextDocument(doc, { selection: range, preview: false, viewColumn: column });
  return vscode.commands.executeCommand(INSPECT_FEATURES_COMMAND, { feature });
}
