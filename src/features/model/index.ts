/**
 * The model and the engine that runs it: Select Model, Restart Engine (a hard cancel), the Hugging
 * Face token (secret storage), and Open Sample (the walkthrough's first step).
 */
import * as vscode from 'vscode';
import { defineFeature } from '../../platform/feature';
import { migrateHfTokenSetting, registerHfTokenCommands } from './hfTokenCommands';
import { registerOpenSample } from './openSample';
import { registerSelectModel } from './selectModel';

export const RESTART_ENGINE = 'circuitInspector.restartEngine';

/** What the extension-host tests read of the model feature. */
export interface ModelApi {
  /** Settles when the old circuitInspector.hfToken setting has been moved (see hfTokenCommands.ts). */
  readonly hfTokenMigrated: Promise<void>;
}

export const modelFeature = defineFeature('model', (ctx): ModelApi => {
  ctx.extension.subscriptions.push(
    registerSelectModel(ctx.extension, ctx.log),
    registerHfTokenCommands(ctx.extension, ctx.log),
    registerOpenSample(ctx.extension),
    vscode.commands.registerCommand(RESTART_ENGINE, () => {
      if (!ctx.engine.started) {
        void vscode.window.setStatusBarMessage('Circuit Inspector: the engine is not running', 3000);
        return false;
      }
      ctx.engine.restart('restarted by Circuit Inspector: Restart Engine');
      void vscode.window.setStatusBarMessage('Circuit Inspector: engine stopped; it starts again on the next request', 4000);
      return true;
    }),
  );
  return { hfTokenMigrated: migrateHfTokenSetting(ctx.extension, ctx.log) };
});
