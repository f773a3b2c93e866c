/** Dataset mode: Generate Prompt Set and Run Prompt Set (patching over a set of prompt pairs), its session and panel. */
import { defineFeature } from '../../platform/feature';
import { registerDatasetCommands } from './commands';
import { DatasetSession } from './session';
import type { DatasetEngineMethods } from './shared/engineMethods';

export const datasetFeature = defineFeature('dataset', (ctx) => {
  const engine = ctx.engine.methods<DatasetEngineMethods>();
  const session = new DatasetSession(ctx.extension, ctx.log, engine);
  ctx.extension.subscriptions.push(session, registerDatasetCommands(ctx.extension, ctx.log, engine, session));
  return {
    state: () => session.state(),
    closePanel: () => session.closePanel(),
    /** Opens pair `pair` of the set on screen as a single comparison (the panel's Open as comparison). */
    openPair: (pair: number) => session.openPair(session.results.runId ?? '', pair),
  };
});
