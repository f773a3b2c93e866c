/**
 * The dataset feature's commands: Generate Prompt Set (from the selection), Run Prompt Set (the
 * active `*.prompts.jsonl` editor, the file a menu passes, or a path), and internal commands for
 * automation and the extension-host tests: the run's state, cancel, and export. Automation may pass
 * options; anything given is not asked for. Each command returns its outcome.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TypedEngine } from '../../engine/client';
import { generatePromptSetFromEditor, type GeneratePromptSetOptions } from './generate';
import type { DatasetSession, RunPromptSetOptions } from './session';
import type { DatasetEngineMethods } from './shared/engineMethods';

export const GENERATE_PROMPT_SET = 'circuitInspector.generatePromptSet';
export const RUN_PROMPT_SET = 'circuitInspector.runPromptSet';
export const RUN_PROMPT_SET_STATE = 'circuitInspector.runPromptSet.state';
export const RUN_PROMPT_SET_CANCEL = 'circuitInspector.runPromptSet.cancel';
export const RUN_PROMPT_SET_EXPORT = 'circuitInspector.runPromptSet.export';

export function registerDatasetCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  engine: TypedEngine<DatasetEngineMethods>,
  session: DatasetSession,
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(GENERATE_PROMPT_SET, (arg?: unknown) =>
      generatePromptSetFromEditor(context, log, engine, vscode.window.activeTextEditor, isOptions(arg) ? (arg as GeneratePromptSetOptions) : {}),
    ),
    // From a menu VS Code passes the file's URI; automation may pass a path or URI, and options.
    vscode.commands.registerCommand(RUN_PROMPT_SET, (arg?: unknown, more?: unknown) => {
      const options = (isOptions(arg) ? arg : isOptions(more) ? more : {}) as RunPromptSetOptions & { file?: string };
      const uri = fileArg(arg) ?? (options.file !== undefined ? vscode.Uri.file(path.resolve(options.file)) : activePromptSet());
      return session.run(uri, options);
    }),
    vscode.commands.registerCommand(RUN_PROMPT_SET_STATE, () => session.state()),
    vscode.commands.registerCommand(RUN_PROMPT_SET_CANCEL, () => session.cancelRun()),
    // The panel's Export buttons, for automation: 'json' | 'csv', and optionally the file to write; resolves to the path written.
    vscode.commands.registerCommand(RUN_PROMPT_SET_EXPORT, (format: unknown, target?: unknown) =>
      session.exportCurrent(format, typeof target === 'string' ? vscode.Uri.file(path.resolve(target)) : target instanceof vscode.Uri ? target : undefined),
    ),
  );
}

/** The active editor's document when it is a prompt set (`*.prompts.jsonl`, any `.jsonl`, or an untitled JSON Lines editor). */
function activePromptSet(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && (/\.jsonl$/i.test(doc.uri.path) || doc.languageId === 'jsonl') ? doc.uri : undefined;
}

function fileArg(v: unknown): vscode.Uri | undefined {
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string' && v) return vscode.Uri.file(path.resolve(v));
  return undefined;
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v);
}
