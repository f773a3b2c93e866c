/**
 * What a feature is to the extension: a name and an `activate` that registers its commands,
 * providers and panels (each into `context.subscriptions`) and returns what the extension-host
 * tests may read of it. src/extension.ts activates every feature of its list with one context.
 */
import type * as vscode from 'vscode';
import type { EngineClient } from '../engine/client';

export interface FeatureContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** The one engine process (each feature takes its typed view: `engine.methods<…>()`). */
  readonly engine: EngineClient;
}

export interface Feature<Api> {
  readonly name: string;
  activate(ctx: FeatureContext): Api;
}

export function defineFeature<Api>(name: string, activate: (ctx: FeatureContext) => Api): Feature<Api> {
  return { name, activate };
}
