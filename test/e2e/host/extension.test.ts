/**
 * Extension-host tests: the real `vscode` API, the packaged-layout extension (dist/), the engine
 * worker and the model named by the workspace's circuitInspector.model setting.
 */
import * as assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { InspectOutcome } from '../../../src/features/attention/session';
import { FakeHub } from '../../unit/hub/fakeHub';
import { hoverText, openSample, select } from './sample';

/** The repository (baked in by build-host-tests.mjs): the golden checkpoints live there. */
declare const __REPO_ROOT__: string;

let api: CircuitInspectorApi;
let doc: vscode.TextDocument;
let editor: vscode.TextEditor;

async function inspect(options?: { onTooLong: 'truncate' | 'cancel' }): Promise<InspectOutcome> {
  return (await vscode.commands.executeCommand('circuitInspector.inspectAttention', options)) as InspectOutcome;
}

async function until(f: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Circuit Inspector in the extension host', function () {
  this.timeout(120_000);

  before(async () => {
    ({ api, doc, editor } = await openSample());
    console.log(`model setting: "${vscode.workspace.getConfiguration('circuitInspector').get('model')}"`);
  });

  it('an empty line says there is nothing to inspect', async () => {
    const blank = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.trim() === '');
    editor.selection = new vscode.Selection(blank, 0, blank, 0);
    const r = await inspect();
    assert.equal(r.status, 'empty');
    assert.match(r.status === 'empty' ? r.message : '', /current line is empty/);
    editor.selection = new vscode.Selection(blank, 0, blank, 0);
  });

  it('inspects a selection; token ranges map onto the document text', async () => {
    const sel = select(editor, 'self.width = width');
    const r = await inspect();
    assert.equal(r.status, 'done', JSON.stringify(r));
    if (r.status !== 'done') return;
    assert.ok(r.tokens[0].isBos);
    const base = doc.offsetAt(sel.start);
    for (const t of r.tokens.slice(1)) {
      const range = new vscode.Range(doc.positionAt(t.start), doc.positionAt(t.end));
      assert.equal(doc.getText(range), t.text, `token ${JSON.stringify(t.text)} at ${t.start}`);
      assert.ok(t.start >= base && t.end <= doc.offsetAt(sel.end));
    }
    assert.equal(api.attention.inspection?.inspectionId, r.inspectionId);
  });

  it('hover over an inspected token shows head activity, top k with weights, and a mini-map', async () => {
    const at = doc.getText().indexOf('self.width = width') + 'self.width = '.length + 1;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(at));
    const text = hoverText(hovers);
    assert.match(text, /Circuit Inspector\*\* · token \d+ · id \d+/);
    assert.match(text, /\*\*(From|To) it:\*\* \[\d+\.\d+\]\(command:circuitInspector\.focusToken\?/);
    assert.match(text, /· id \d+ · .*\n```text\n[\s\S]*L0 /, 'the mini-map comes first');
    const outside = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 2));
    assert.doesNotMatch(hoverText(outside), /Circuit Inspector/, 'no hover outside the inspected range');
  });

  it('a focus from the panel paints decorations over the source; the command clears them', async () => {
    const ins = api.attention.inspection!;
    const n = ins.params.tokens.length;
    const q = n - 1;
    const p = await api.attention.headPattern({ inspectionId: ins.inspectionId, layer: 0, head: 0 });
    const weights = p.pattern_q_k.slice(q * n, (q + 1) * n);
    assert.ok(
      api.attention.simulateFocus({
        inspectionId: ins.inspectionId,
        layer: 0,
        head: 0,
        tokenIndex: q,
        direction: 'from',
        locked: true,
        weights_token: weights,
      }),
    );
    const shown = api.attention.decorations;
    assert.ok(shown && shown.painted.length > 0, 'ranges painted');
    assert.equal(shown.uri, doc.uri.toString());
    const last = ins.params.tokens[q];
    assert.ok(shown.focus && doc.offsetAt(shown.focus.start) === last.start, 'the focused token is outlined');
    for (const d of shown.painted) assert.ok(d.weight >= 0.02 && d.bucket >= 1);
    await vscode.commands.executeCommand('circuitInspector.clearDecorations');
    assert.equal(api.attention.decorations, undefined);
    // a focus for another inspection paints nothing
    assert.equal(
      api.attention.simulateFocus({ inspectionId: 'other', layer: 0, head: 0, tokenIndex: q, direction: 'from', locked: true, weights_token: weights }),
      false,
    );
  });

  it('an edit makes the inspection stale: decorations cleared, hover says stale', async () => {
    const ins = api.attention.inspection!;
    const n = ins.params.tokens.length;
    const weights = new Float32Array(n).fill(1 / n);
    assert.ok(
      api.attention.simulateFocus({
        inspectionId: ins.inspectionId,
        layer: 0,
        head: 1,
        tokenIndex: n - 1,
        direction: 'from',
        locked: true,
        weights_token: weights,
      }),
    );
    assert.ok(api.attention.decorations);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    assert.ok(await editor.edit((e) => e.insert(end, '\n# edited\n')));
    await until(() => api.attention.staleReason !== undefined, 'stale');
    assert.equal(api.attention.decorations, undefined, 'decorations cleared');
    assert.equal(api.attention.inspection?.params.stale, true);
    const at = ins.params.tokens[1].start;
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(at)));
    assert.match(text, /Stale/);
    assert.doesNotMatch(text, /Heads attending/);
    assert.equal(
      api.attention.simulateFocus({
        inspectionId: ins.inspectionId,
        layer: 0,
        head: 1,
        tokenIndex: n - 1,
        direction: 'from',
        locked: true,
        weights_token: weights,
      }),
      false,
      'no painting on stale results',
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(doc.isDirty, false);
  });

  it('the docstring (self, :param) is inspected, truncated to the context when needed', async () => {
    select(editor, '"""Return a copy');
    const start = editor.selection.start;
    const endAt = doc.getText().indexOf('"""', doc.offsetAt(start) + 3) + 3;
    editor.selection = new vscode.Selection(start, doc.positionAt(endAt));
    const r = await inspect({ onTooLong: 'truncate' });
    assert.equal(r.status, 'done', JSON.stringify(r));
    if (r.status !== 'done') return;
    if (!r.truncated) {
      assert.ok(
        r.tokens.some((t) => t.isWatched && t.text.includes('self')),
        'self is watched',
      );
      assert.ok(
        r.tokens.some((t) => t.isWatched && t.text.includes('param')),
        'param is watched',
      );
    }
    console.log(`docstring: ${r.tokens.length} tokens${r.truncated ? ' (truncated)' : ''} with ${r.modelName}`);
  });

  it('CRLF documents: each token covers its own text, a newline token covers \\r\\n', async () => {
    const crlf = await vscode.workspace.openTextDocument({ language: 'python', content: 'x = 1\r\ny = 2\r\n' });
    const ed = await vscode.window.showTextDocument(crlf);
    assert.equal(crlf.eol, vscode.EndOfLine.CRLF);
    ed.selection = new vscode.Selection(0, 0, 1, 5);
    const r = await inspect();
    assert.equal(r.status, 'done', JSON.stringify(r));
    if (r.status !== 'done') return;
    const joined = r.tokens
      .slice(1)
      .map((t) => crlf.getText(new vscode.Range(crlf.positionAt(t.start), crlf.positionAt(t.end))))
      .join('');
    assert.equal(joined, 'x = 1\r\ny = 2');
    for (const t of r.tokens.slice(1)) {
      const got = crlf.getText(new vscode.Range(crlf.positionAt(t.start), crlf.positionAt(t.end)));
      assert.equal(got.replace(/\r\n/g, '\n'), t.text);
    }
    const y = crlf.getText().indexOf('y');
    assert.match(
      hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', crlf.uri, crlf.positionAt(y))),
      /Circuit Inspector/,
    );
  });

  it('refuses binary text and whitespace-only selections', async () => {
    const bin = await vscode.workspace.openTextDocument({ content: 'abc\u0000def' });
    const ed = await vscode.window.showTextDocument(bin);
    ed.selection = new vscode.Selection(0, 0, 0, 3);
    assert.equal((await inspect()).status, 'binary');
    const ws = await vscode.workspace.openTextDocument({ content: 'a\n   \t  \nb' });
    const ed2 = await vscode.window.showTextDocument(ws);
    ed2.selection = new vscode.Selection(1, 0, 1, 6);
    assert.equal((await inspect()).status, 'empty');
  });

  it('a second run cancels the first; results never interleave', async () => {
    editor = await vscode.window.showTextDocument(doc);
    select(editor, 'self.height = height');
    const first = inspect();
    select(editor, 'return self.width * self.height');
    const second = inspect();
    const [a, b] = await Promise.all([first, second]);
    assert.ok(a.status === 'superseded' || a.status === 'cancelled', `first: ${a.status}`);
    assert.equal(b.status, 'done');
    if (b.status === 'done') assert.equal(api.attention.inspection?.inspectionId, b.inspectionId);
    assert.equal(
      api.attention.inspection?.params.tokens
        .slice(1)
        .map((t) => t.text)
        .join(''),
      'return self.width * self.height',
    );
  });

  it('closing the panel mid-run drops the result quietly', async () => {
    const cfg = vscode.workspace.getConfiguration('circuitInspector');
    const before = api.attention.inspection?.inspectionId;
    assert.ok(before);
    // a different layerNorm setting makes the worker reload the model: a run long enough to close the panel in
    await cfg.update('layerNorm', 'identity', vscode.ConfigurationTarget.Workspace);
    try {
      select(editor, 'self.width = width');
      const run = inspect();
      await until(() => api.attention.running, 'the run to start', 10_000);
      api.attention.closePanel();
      const r = await run;
      assert.equal(r.status, 'cancelled', `status ${r.status}`);
      assert.equal(api.attention.inspection?.inspectionId, before, 'the shown inspection did not change');
      // the next run works, with the panel back
      const again = await inspect();
      assert.equal(again.status, 'done');
    } finally {
      await cfg.update('layerNorm', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Select Model with a hub id downloads it from HF_ENDPOINT into the Hugging Face cache, then inspects with it', async () => {
    const hub = await FakeHub.start();
    const cfg = vscode.workspace.getConfiguration('circuitInspector');
    const previous = cfg.inspect<string>('model')?.workspaceValue;
    const previousEndpoint = process.env.HF_ENDPOINT;
    try {
      const dir = path.join(__REPO_ROOT__, 'test/golden/checkpoints/f32-bare');
      const files = Object.fromEntries(['config.json', 'merges.txt', 'vocab.json', 'model.safetensors'].map((f) => [f, readFileSync(path.join(dir, f))]));
      hub.addRepo('test-org/tiny-gpt2', files);
      process.env.HF_ENDPOINT = hub.url;
      const chosen = await vscode.commands.executeCommand('circuitInspector.selectModel', 'test-org/tiny-gpt2');
      assert.equal(chosen, 'test-org/tiny-gpt2');
      assert.equal(vscode.workspace.getConfiguration('circuitInspector').get('model'), 'test-org/tiny-gpt2');
      assert.ok(
        hub.requests.some((r) => r.file === 'model.safetensors'),
        'the weights came from the fake hub',
      );
      // The default (circuitInspector.downloadTo: huggingFaceCache): huggingface_hub's layout, in the
      // cache run-e2e.sh gives this run (never the user's own).
      const hfCache = process.env.HF_HUB_CACHE;
      assert.ok(hfCache, 'run-e2e.sh sets HF_HUB_CACHE');
      const snapshots = path.join(hfCache, 'models--test-org--tiny-gpt2', 'snapshots');
      const commits = readdirSync(snapshots);
      assert.equal(commits.length, 1, `one snapshot in ${snapshots}`);
      assert.ok(
        lstatSync(path.join(snapshots, commits[0], 'model.safetensors')).isSymbolicLink(),
        'snapshot files link into blobs/, as huggingface_hub writes them',
      );
      editor = await vscode.window.showTextDocument(doc);
      select(editor, 'self.width = width');
      const r = await inspect();
      assert.equal(r.status, 'done', JSON.stringify(r));
      if (r.status === 'done') assert.equal(r.modelName, 'test-org/tiny-gpt2');
      // cached now: selecting it again needs no network
      const before = hub.requests.length;
      await hub.close();
      assert.equal(await vscode.commands.executeCommand('circuitInspector.selectModel', 'test-org/tiny-gpt2'), 'test-org/tiny-gpt2');
      assert.equal(hub.requests.length, before);
    } finally {
      if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = previousEndpoint;
      await cfg.update('model', previous, vscode.ConfigurationTarget.Workspace);
      await hub.close().catch(() => undefined);
    }
  });

  it('a model that fails to load gives an error (with Open Output), and the previous inspection stays', async () => {
    const cfg = vscode.workspace.getConfiguration('circuitInspector');
    const previous = cfg.inspect<string>('model')?.workspaceValue;
    const broken = mkdtempSync(path.join(os.tmpdir(), 'ci-broken-model-'));
    writeFileSync(path.join(broken, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: 1, n_head: 1, n_embd: 4, n_positions: 8, vocab_size: 10 }));
    const before = api.attention.inspection?.inspectionId;
    try {
      await cfg.update('model', broken, vscode.ConfigurationTarget.Workspace);
      editor = await vscode.window.showTextDocument(doc);
      select(editor, 'self.width = width');
      const r = await inspect();
      assert.equal(r.status, 'error');
      assert.match(r.status === 'error' ? r.message : '', /Could not load the model/);
      assert.equal(api.attention.inspection?.inspectionId, before);
    } finally {
      await cfg.update('model', previous, vscode.ConfigurationTarget.Workspace);
    }
  });
});
