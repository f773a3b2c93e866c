import * as assert from 'node:assert/strict';
import { downloadRefusal, effectiveModelSetting, ignoredModelMessage } from '../../../src/platform/workspaceTrust';

describe('workspace trust: the model setting and downloads', () => {
  const all = { defaultValue: '', globalValue: 'openai-community/gpt2', workspaceValue: '../evil', workspaceFolderValue: '/etc/model' };

  it('trusted: folder over workspace over user over default, as VS Code does', () => {
    assert.deepEqual(effectiveModelSetting(all, true), { value: '/etc/model' });
    assert.deepEqual(effectiveModelSetting({ ...all, workspaceFolderValue: undefined }, true), { value: '../evil' });
    assert.deepEqual(effectiveModelSetting({ defaultValue: '' }, true), { value: '' });
  });

  it('untrusted: only the user setting counts, and the ignored workspace value is reported', () => {
    assert.deepEqual(effectiveModelSetting(all, false), { value: 'openai-community/gpt2', ignored: { scope: 'workspaceFolder', value: '/etc/model' } });
    assert.deepEqual(effectiveModelSetting({ defaultValue: '', workspaceValue: '../evil' }, false), {
      value: '',
      ignored: { scope: 'workspace', value: '../evil' },
    });
    assert.deepEqual(
      effectiveModelSetting({ defaultValue: '', globalValue: 'x', workspaceValue: 'x' }, false),
      { value: 'x' },
      'the same value is nothing to report',
    );
    const m = ignoredModelMessage({ scope: 'workspace', value: '../evil' }, 'the shipped model');
    assert.match(m, /not trusted.*workspace setting circuitInspector.model \("\.\.\/evil"\) is ignored; using the shipped model/);
  });

  it('downloads only in a trusted workspace', () => {
    assert.equal(downloadRefusal(true, 'gpt2'), undefined);
    assert.match(downloadRefusal(false, 'gpt2')!, /gpt2 is not downloaded: .* untrusted workspace/);
  });
});
