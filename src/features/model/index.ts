/** The model and the engine that runs it: Select Model, and Restart Engine (a hard cancel). */
import * as vscode from 'vscode';
import { defineFeature } from '../../platform/feature';
import { registerSelectModel } from './selectModel';

export const RESTART_ENGINE = 'circuitInspector.restartEngine';

export const modelFeature = defineFeature('model', (ctx) => {
  ctx.extension.subscriptions.push(
    registerSelectModel(ctx.extension, ctx.log),
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
  return {};
});
