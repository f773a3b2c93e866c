/**
 * How a feature tells the user something outside its panel: a line in the Output channel and a
 * notification. `failed` offers **Open Output**, where the details are.
 */
import * as vscode from 'vscode';

const OPEN_OUTPUT = 'Open Output';

/** Logs `message` and shows it as an information or warning notification. */
export function tellUser(log: vscode.LogOutputChannel, message: string, level: 'info' | 'warn' = 'info'): void {
  log.info(message);
  if (level === 'warn') void vscode.window.showWarningMessage(`Circuit Inspector: ${message}`);
  else void vscode.window.showInformationMessage(`Circuit Inspector: ${message}`);
}

/** Logs `message` as an error and shows it with an **Open Output** button. */
export function reportFailure(log: vscode.LogOutputChannel, message: string): void {
  log.error(message);
  void vscode.window.showErrorMessage(`Circuit Inspector: ${message}`, OPEN_OUTPUT).then((c) => {
    if (c === OPEN_OUTPUT) log.show(true);
  });
}
