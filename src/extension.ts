/**
 * Circuit Inspector's entry point: one Output channel, one engine process, and the features of
 * FEATURES, each activated with the same context. Adding a feature is one entry here (and its
 * engine half one entry in src/engineModules.ts).
 */
import * as vscode from 'vscode';
import { attentionFeature } from './features/attention';
import { datasetFeature } from './features/dataset';
import { modelFeature } from './features/model';
import { residualFeature } from './features/residual';
import { saeFeature } from './features/sae';
import { substitutionFeature } from './features/substitution';
import { createEngineClient, effectiveMemoryLimitMb } from './platform/engineConnection';
import type { Feature, FeatureContext } from './platform/feature';
import { getSettings } from './platform/settings';

const FEATURES = {
  attention: attentionFeature,
  substitution: substitutionFeature,
  residual: residualFeature,
  sae: saeFeature,
  dataset: datasetFeature,
  model: modelFeature,
};

type FeatureApis = { readonly [K in keyof typeof FEATURES]: (typeof FEATURES)[K] extends Feature<infer Api> ? Api : never };

/** What activate() returns: read by the extension-host tests. */
export interface CircuitInspectorApi extends FeatureApis {
  readonly engine: {
    /** The engine process id, while it runs. */
    readonly pid: number | undefined;
    /** Resolves when the next request of `method` has been handed to the engine. */
    nextRequest(method: string): Promise<void>;
  };
}

export function activate(context: vscode.ExtensionContext): CircuitInspectorApi {
  const log = vscode.window.createOutputChannel('Circuit Inspector', { log: true });
  context.subscriptions.push(log);
  const waiting: { method: string; resolve(): void }[] = [];
  const engine = createEngineClient(context.extensionUri.fsPath, log, {
    memoryLimitMb: () => effectiveMemoryLimitMb(getSettings().engineMemoryLimitMB),
    events: {
      sent: (method) => {
        for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i].method === method) waiting.splice(i, 1)[0].resolve();
      },
    },
  });
  context.subscriptions.push({ dispose: () => void engine.dispose() });
  const ctx: FeatureContext = { extension: context, log, engine };
  const apis = Object.fromEntries(Object.entries(FEATURES).map(([name, f]) => [name, (f as Feature<unknown>).activate(ctx)])) as unknown as FeatureApis;
  log.info(`activated (extension host ${process.version}, ${process.platform}-${process.arch})`);
  return {
    ...apis,
    engine: {
      get pid() {
        return engine.pid;
      },
      nextRequest: (method) => new Promise<void>((resolve) => waiting.push({ method, resolve })),
    },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
