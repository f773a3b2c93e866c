/**
 * Extension-host tests of issue 14's first-run items: Open Sample (the walkthrough's first step,
 * from the installed extension's folder), the Hugging Face token commands (secret storage; the
 * old setting is no longer contributed), and Export Activations for Python.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { InspectOutcome } from '../../../src/features/attention/session';

const EXT_ID = 'circuit-inspector.circuit-inspector';

describe('first run: sample, Hugging Face token, export for Python', function () {
  this.timeout(120_000);
  let api: CircuitInspectorApi;
  let dir: string;

  before(async () => {
    const ext = vscode.extensions.getExtension<CircuitInspectorApi>(EXT_ID);
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    await api.model.hfTokenMigrated;
    dir = mkdtempSync(path.join(os.tmpdir(), 'ci-first-run-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the old hfToken setting is not contributed any more', () => {
    const pkg = vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { configuration: { properties: Record<string, unknown> } } };
    assert.equal(pkg.contributes.configuration.properties['circuitInspector.hfToken'], undefined);
    assert.equal(vscode.workspace.getConfiguration('circuitInspector').get('hfToken'), undefined);
  });

  it('Open Sample opens an untitled copy of the shipped sample with a docstring line selected', async () => {
    const editor = (await vscode.commands.executeCommand('circuitInspector.openSample')) as vscode.TextEditor | undefined;
    assert.ok(editor, 'an editor opened');
    assert.equal(editor.document.isUntitled, true);
    assert.equal(editor.document.languageId, 'python');
    assert.match(editor.document.getText(), /class Rectangle/);
    assert.equal(editor.document.getText(editor.selection), ':param self: the rectangle to scale');
  });

  it('Set and Clear Hugging Face Token store and remove the token', async () => {
    assert.equal(await vscode.commands.executeCommand('circuitInspector.setHfToken', 'hf_test_token'), true);
    assert.equal(await vscode.commands.executeCommand('circuitInspector.setHfToken', 'two words'), false, 'a token with spaces is refused');
    assert.equal(await vscode.commands.executeCommand('circuitInspector.clearHfToken'), true);
    assert.equal(await vscode.commands.executeCommand('circuitInspector.clearHfToken'), false, 'nothing left to clear');
  });

  it('Export Activations writes the inspection on screen as one safetensors file with TL hook names', async () => {
    // The sample is selected by the Open Sample test above.
    const r = (await vscode.commands.executeCommand('circuitInspector.inspectAttention')) as InspectOutcome;
    assert.equal(r.status, 'done', JSON.stringify(r));
    if (r.status !== 'done') return;
    const file = path.join(dir, 'run.safetensors');
    assert.equal(await vscode.commands.executeCommand('circuitInspector.exportActivations', file), file);
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { shape: number[] }> & { __metadata__: Record<string, string> };
    assert.deepEqual(
      JSON.parse(header.__metadata__.tokens),
      r.tokens.map((t) => t.id),
    );
    assert.equal(header.__metadata__.hook_names, 'transformer_lens');
    assert.deepEqual(header['blocks.0.attn.hook_pattern'].shape.slice(0, 1), [1]);
    assert.equal(header['blocks.0.attn.hook_pattern'].shape[2], r.tokens.length);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('circuitInspector.exportActivations', 'relative.safetensors')),
      /absolute \.safetensors path/,
    );
  });
});
