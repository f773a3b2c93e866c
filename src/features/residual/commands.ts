/**
 * The residual stream's commands: Inspect Residual Stream (the selection or the current line; the
 * attention panel passes its prompt's document and range), Inspect Residual Stream over the
 * Document (norms in windows), Clear Residual Stream Decorations (Escape), and the hover link's
 * focus (internal).
 */
import * as vscode from 'vscode';
import { FOCUS_RESIDUAL_POSITION } from './hover';
import type { PromptSource, ResidualInspectOptions, ResidualSession, TooLongChoice } from './session';

export const INSPECT_RESIDUAL_STREAM = 'circuitInspector.inspectResidualStream';
export const INSPECT_RESIDUAL_DOCUMENT = 'circuitInspector.inspectResidualStreamDocument';
export const CLEAR_RESIDUAL_DECORATIONS = 'circuitInspector.clearResidualDecorations';

const TOO_LONG: readonly TooLongChoice[] = ['truncate', 'truncate-end', 'cancel'];

/** `{ uri, start, end }` (document offsets): the attention panel's prompt; `onTooLong` for automation. */
function parseArg(arg: unknown): { source?: PromptSource; options: ResidualInspectOptions } {
  if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return { options: {} };
  const a = arg as Record<string, unknown>;
  const onTooLong = TOO_LONG.find((c) => c === a.onTooLong);
  const options: ResidualInspectOptions = onTooLong ? { onTooLong } : {};
  const ok = typeof a.uri === 'string' && Number.isSafeInteger(a.start) && Number.isSafeInteger(a.end);
  return ok ? { source: { uri: a.uri as string, start: a.start as number, end: a.end as number }, options } : { options };
}

export function registerResidualCommands(session: ResidualSession): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(INSPECT_RESIDUAL_STREAM, (arg?: unknown) => {
      const { source, options } = parseArg(arg);
      return source ? session.inspectSource(source, options) : session.inspect(vscode.window.activeTextEditor, options);
    }),
    vscode.commands.registerCommand(INSPECT_RESIDUAL_DOCUMENT, (arg?: unknown) => {
      const a = typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) ? (arg as Record<string, unknown>) : {};
      const maxWindows = Number.isSafeInteger(a.maxWindows) ? (a.maxWindows as number) : undefined;
      return session.inspectDocument(vscode.window.activeTextEditor, { maxWindows });
    }),
    vscode.commands.registerCommand(CLEAR_RESIDUAL_DECORATIONS, () => session.clearHead()),
    vscode.commands.registerCommand(FOCUS_RESIDUAL_POSITION, (arg?: unknown) => {
      if (typeof arg !== 'object' || arg === null || !('position' in arg) || typeof arg.position !== 'number') return false;
      const inspectionId = 'inspectionId' in arg && typeof arg.inspectionId === 'string' ? arg.inspectionId : undefined;
      return session.focusPosition({ inspectionId, position: arg.position });
    }),
  ];
}
