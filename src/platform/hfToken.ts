/**
 * The Hugging Face token lives in VS Code's SecretStorage (never in settings.json, never in
 * Settings Sync). This is the logic without `vscode`: reading, setting and clearing the stored
 * token, and the one-time move of the old `circuitInspector.hfToken` setting into the store
 * (then removed from every scope it was set in). src/platform/secrets.ts wires it to VS Code.
 * `HF_TOKEN` from the environment still applies when nothing is stored (src/hub/endpoint.ts).
 */

/** The SecretStorage key. */
export const HF_TOKEN_SECRET = 'circuitInspector.hfToken';
/** The old setting, read only to migrate it (no longer contributed in package.json). */
export const LEGACY_HF_TOKEN_SETTING = 'circuitInspector.hfToken';

/** What the store needs of VS Code's SecretStorage. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export type SettingScope = { readonly kind: 'global' } | { readonly kind: 'workspace' } | { readonly kind: 'workspaceFolder'; readonly folder: string };

export interface LegacyValue {
  readonly scope: SettingScope;
  readonly value: unknown;
}

/** The old setting in every scope (VS Code's `inspect()`, per folder), and its removal from one. */
export interface LegacySetting {
  read(): readonly LegacyValue[];
  remove(scope: SettingScope): PromiseLike<void>;
}

export interface MigrationResult {
  /** A token was moved into the secret store. */
  readonly moved: boolean;
  /** A token was already stored, so the setting's value was dropped, not moved. */
  readonly keptStored: boolean;
  /** Scopes the setting was removed from. */
  readonly removedFrom: readonly SettingScope[];
  /** Scopes it could not be removed from, with why. */
  readonly failed: readonly { readonly scope: SettingScope; readonly message: string }[];
}

export function describeScope(scope: SettingScope): string {
  if (scope.kind === 'global') return 'user settings';
  if (scope.kind === 'workspace') return 'workspace settings';
  return `folder settings of ${scope.folder}`;
}

/** Which value to move: the user's own (global) first, then the workspace's, then a folder's. */
const PREFERENCE: Readonly<Record<SettingScope['kind'], number>> = { global: 0, workspace: 1, workspaceFolder: 2 };

export class HfTokenStore {
  constructor(
    private readonly secrets: SecretStore,
    private readonly legacy: LegacySetting,
  ) {}

  /** The stored token, or undefined (the hub then falls back to `HF_TOKEN`). */
  async get(): Promise<string | undefined> {
    const v = (await this.secrets.get(HF_TOKEN_SECRET))?.trim();
    return v || undefined;
  }

  async set(token: string): Promise<void> {
    const v = token.trim();
    if (!v) throw new Error('the Hugging Face token is empty');
    if (/\s/.test(v)) throw new Error('the Hugging Face token contains whitespace; paste the token alone (it looks like hf_…)');
    await this.secrets.store(HF_TOKEN_SECRET, v);
  }

  async clear(): Promise<boolean> {
    const had = (await this.get()) !== undefined;
    await this.secrets.delete(HF_TOKEN_SECRET);
    return had;
  }

  /**
   * Moves the old setting into the secret store (unless a token is stored already) and removes it
   * from every scope it is set in. Nothing happens when it is set nowhere, so this runs at every
   * activation and does its work once per place the setting was written.
   */
  async migrate(): Promise<MigrationResult | undefined> {
    const found = this.legacy.read().filter((v) => v.value !== undefined);
    if (!found.length) return undefined;
    const tokens = found
      .filter((v): v is LegacyValue & { value: string } => typeof v.value === 'string' && v.value.trim() !== '')
      .sort((a, b) => PREFERENCE[a.scope.kind] - PREFERENCE[b.scope.kind]);
    let moved = false;
    let keptStored = false;
    if (tokens.length) {
      if (await this.get()) keptStored = true;
      else {
        await this.secrets.store(HF_TOKEN_SECRET, tokens[0].value.trim());
        moved = true;
      }
    }
    const removedFrom: SettingScope[] = [];
    const failed: { scope: SettingScope; message: string }[] = [];
    for (const { scope } of found) {
      try {
        await this.legacy.remove(scope);
        removedFrom.push(scope);
      } catch (e) {
        failed.push({ scope, message: e instanceof Error ? e.message : String(e) });
      }
    }
    return { moved, keptStored, removedFrom, failed };
  }
}

/** What to tell the user after a migration (undefined: nothing worth a notification). */
export function describeMigration(r: MigrationResult): string | undefined {
  const parts: string[] = [];
  if (r.moved) parts.push("Your Hugging Face token is now kept in VS Code's secret storage instead of the setting circuitInspector.hfToken.");
  else if (r.keptStored) parts.push("The setting circuitInspector.hfToken is no longer used; the token already in VS Code's secret storage was kept.");
  if (r.removedFrom.length) {
    const where = r.removedFrom.map(describeScope).join(', ');
    parts.push(`${parts.length ? 'The setting was' : 'The unused setting circuitInspector.hfToken was'} removed from ${where}.`);
  }
  if (r.failed.length) {
    parts.push(
      `It could not be removed from ${r.failed.map((f) => `${describeScope(f.scope)} (${f.message})`).join(', ')}: delete "circuitInspector.hfToken" there by hand.`,
    );
  }
  if (!r.moved && !r.keptStored && !r.failed.length) return undefined;
  return parts.join(' ');
}
