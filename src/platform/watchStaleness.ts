/**
 * Wires a session's StalenessTracker to VS Code: an edit to the inspected document, closing it, or a
 * change of a setting that affects runs (RUN_AFFECTING) makes the shown result stale, once.
 */
import * as vscode from 'vscode';
import { affects } from './settings';
import { RUN_AFFECTING } from './settingsKeys';
import type { StalenessTracker } from './staleness';

export function watchStaleness(
  stale: StalenessTracker,
  becameStale: () => void,
  /** Also told of every configuration change (after the staleness check). */
  onConfiguration?: (e: vscode.ConfigurationChangeEvent) => void,
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (stale.documentChanged(e.document.uri.toString(), e.document.version, e.contentChanges.length > 0)) becameStale();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (stale.documentClosed(d.uri.toString())) becameStale();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const changed = RUN_AFFECTING.find((k) => affects(e, k));
      if (changed && stale.settingsChanged(`the setting circuitInspector.${changed}`)) becameStale();
      onConfiguration?.(e);
    }),
  );
}
