import * as assert from 'node:assert/strict';
import { describeMigration, HF_TOKEN_SECRET, HfTokenStore, type LegacySetting, type SettingScope } from '../../../src/platform/hfToken';

class FakeSecrets {
  readonly map = new Map<string, string>();
  async get(k: string) {
    return this.map.get(k);
  }
  async store(k: string, v: string) {
    this.map.set(k, v);
  }
  async delete(k: string) {
    this.map.delete(k);
  }
}

/** The old setting in a user file, a workspace file and two folder files. */
class FakeSetting implements LegacySetting {
  readonly removed: SettingScope[] = [];
  constructor(
    readonly values: { global?: unknown; workspace?: unknown; folders?: Record<string, unknown> },
    private readonly failFor: SettingScope['kind'][] = [],
  ) {}
  read() {
    return [
      { scope: { kind: 'global' as const }, value: this.values.global },
      { scope: { kind: 'workspace' as const }, value: this.values.workspace },
      ...Object.entries(this.values.folders ?? {}).map(([folder, value]) => ({ scope: { kind: 'workspaceFolder' as const, folder }, value })),
    ];
  }
  async remove(scope: SettingScope) {
    if (this.failFor.includes(scope.kind)) throw new Error('the file is read-only');
    this.removed.push(scope);
    if (scope.kind === 'global') this.values.global = undefined;
    else if (scope.kind === 'workspace') this.values.workspace = undefined;
    else delete this.values.folders![scope.folder];
  }
}

describe('Hugging Face token in secret storage', () => {
  it('moves the setting into the store once and removes it from every scope it is set in', async () => {
    const secrets = new FakeSecrets();
    const setting = new FakeSetting({ global: ' hf_user ', workspace: 'hf_ws', folders: { 'file:///a': 'hf_folder', 'file:///b': undefined } });
    const store = new HfTokenStore(secrets, setting);
    const r = await store.migrate();
    assert.ok(r);
    assert.equal(r.moved, true);
    assert.equal(secrets.map.get(HF_TOKEN_SECRET), 'hf_user', "the user's own value wins, trimmed");
    assert.deepEqual(setting.removed, [{ kind: 'global' }, { kind: 'workspace' }, { kind: 'workspaceFolder', folder: 'file:///a' }]);
    assert.match(describeMigration(r)!, /secret storage.*removed from user settings, workspace settings, folder settings of file:\/\/\/a/);
    assert.equal(await store.get(), 'hf_user');
    assert.equal(await store.migrate(), undefined, 'a second run finds nothing to do');
  });

  it('takes a workspace value when the user has none', async () => {
    const secrets = new FakeSecrets();
    await new HfTokenStore(secrets, new FakeSetting({ folders: { 'file:///a': 'hf_folder' }, workspace: 'hf_ws' })).migrate();
    assert.equal(secrets.map.get(HF_TOKEN_SECRET), 'hf_ws');
  });

  it('keeps a token already stored, still removes the setting, and says so', async () => {
    const secrets = new FakeSecrets();
    secrets.map.set(HF_TOKEN_SECRET, 'hf_stored');
    const setting = new FakeSetting({ workspace: 'hf_ws' });
    const r = (await new HfTokenStore(secrets, setting).migrate())!;
    assert.equal(secrets.map.get(HF_TOKEN_SECRET), 'hf_stored');
    assert.deepEqual([r.moved, r.keptStored], [false, true]);
    assert.deepEqual(setting.removed, [{ kind: 'workspace' }]);
    assert.match(describeMigration(r)!, /already in VS Code's secret storage was kept/);
  });

  it('an empty value is removed quietly; a scope it cannot be removed from is named', async () => {
    const secrets = new FakeSecrets();
    const quiet = (await new HfTokenStore(secrets, new FakeSetting({ global: '' })).migrate())!;
    assert.deepEqual(quiet.removedFrom, [{ kind: 'global' }]);
    assert.equal(describeMigration(quiet), undefined);
    assert.equal(secrets.map.size, 0);
    const r = (await new HfTokenStore(secrets, new FakeSetting({ global: 'hf_u', workspace: 'hf_w' }, ['workspace'])).migrate())!;
    assert.equal(r.moved, true);
    assert.match(
      describeMigration(r)!,
      /could not be removed from workspace settings \(the file is read-only\): delete "circuitInspector.hfToken" there by hand/,
    );
  });

  it('set, get and clear; empty or spaced tokens are refused', async () => {
    const secrets = new FakeSecrets();
    const store = new HfTokenStore(secrets, new FakeSetting({}));
    assert.equal(await store.get(), undefined);
    await store.set('  hf_abc\n');
    assert.equal(await store.get(), 'hf_abc');
    await assert.rejects(store.set('   '), /empty/);
    await assert.rejects(store.set('hf_a hf_b'), /whitespace/);
    assert.equal(await store.clear(), true);
    assert.equal(await store.get(), undefined);
    assert.equal(await store.clear(), false);
  });
});
