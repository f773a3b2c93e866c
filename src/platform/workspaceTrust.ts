/**
 * Restricted Mode (an untrusted workspace): the workspace must not point Circuit Inspector at
 * arbitrary local files, and nothing is downloaded. package.json declares
 * `capabilities.untrustedWorkspaces` as `limited` with `circuitInspector.model` restricted (VS Code
 * then ignores its workspace values itself); this decides the same from `inspect()`'s values so the
 * extension does not depend on it and can say what it ignored. No `vscode` import.
 */

/** The values of `WorkspaceConfiguration.inspect('model')` that matter here. */
export interface InspectedSetting<T> {
  readonly defaultValue?: T;
  readonly globalValue?: T;
  readonly workspaceValue?: T;
  readonly workspaceFolderValue?: T;
}

export interface EffectiveModelSetting {
  /** The value to use (undefined: none set anywhere that counts; the default applies). */
  readonly value: unknown;
  /** A workspace-level value that was ignored because the workspace is not trusted. */
  readonly ignored?: { readonly scope: 'workspace' | 'workspaceFolder'; readonly value: unknown };
}

/** Folder over workspace over user, as VS Code does; only the user's value in an untrusted workspace. */
export function effectiveModelSetting(v: InspectedSetting<unknown>, isTrusted: boolean): EffectiveModelSetting {
  if (isTrusted) return { value: v.workspaceFolderValue ?? v.workspaceValue ?? v.globalValue ?? v.defaultValue };
  const value = v.globalValue ?? v.defaultValue;
  if (v.workspaceFolderValue !== undefined && v.workspaceFolderValue !== value)
    return { value, ignored: { scope: 'workspaceFolder', value: v.workspaceFolderValue } };
  if (v.workspaceValue !== undefined && v.workspaceValue !== value) return { value, ignored: { scope: 'workspace', value: v.workspaceValue } };
  return { value };
}

export function ignoredModelMessage(ignored: NonNullable<EffectiveModelSetting['ignored']>, used: string): string {
  const where = ignored.scope === 'workspace' ? 'workspace' : 'workspace folder';
  return (
    `This workspace is not trusted, so its ${where} setting circuitInspector.model (${JSON.stringify(ignored.value)}) is ignored; ` +
    `using ${used}. Trust the workspace to use it.`
  );
}

/** Why a download is refused, or undefined when downloads are allowed. */
export function downloadRefusal(isTrusted: boolean, name: string): string | undefined {
  if (isTrusted) return undefined;
  return `${name} is not downloaded: Circuit Inspector downloads nothing in an untrusted workspace (Restricted Mode). Trust the workspace, or pick the shipped model, a local folder or an already downloaded model.`;
}
