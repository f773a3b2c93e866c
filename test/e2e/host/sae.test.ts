/**
 * Inspect Features in the extension host, with the SAE shipped with the shipped model: a
 * selection's features at document offsets, the reconstruction quality, a feature's card painted
 * over the source, the ablated text, the workspace scan and an example opened with the feature
 * painted, exports, staleness, and a broken SAE setting that names the problem and keeps the view.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { FeaturesOutcome } from '../../../src/features/sae/session';
import { hoverText, openSample, select } from './sample';

let api: CircuitInspectorApi;
let doc: vscode.TextDocument;
let editor: vscode.TextEditor;

async function inspectFeatures(arg?: unknown): Promise<FeaturesOutcome> {
  return (await vscode.commands.executeCommand('circuitInspector.inspectFeatures', arg)) as FeaturesOutcome;
}

describe('Inspect Features in the extension host', function () {
  this.timeout(120_000);

  before(async () => {
    ({ api, doc, editor } = await openSample());
  });

  it('the selection’s features at document offsets, then the reconstruction quality', async () => {
    const sel = select(editor, 'def area(self):\n        """Return the area');
    const r = await inspectFeatures();
    assert.equal(r.status, 'done', JSON.stringify(r));
    const ins = api.sae.inspection;
    assert.ok(ins && r.status === 'done' && ins.inspectionId === r.inspectionId);
    const f = ins.features;
    assert.equal(f.sae.hookName, 'blocks.1.hook_resid_pre');
    assert.ok(f.sae.d_sae >= 8 * 64, 'at least 8 × d_model features');
    assert.equal(f.top.length, f.tokens.length);
    assert.ok(
      f.top.slice(1).every((row) => row.length > 0),
      'every non-BOS token has active features',
    );
    assert.ok(f.quality, 'the quality arrives after the features');
    assert.equal(f.quality.rel_error_pos.length, f.tokens.length);
    assert.ok(f.quality.varianceExplained > 0.3, `the shipped SAE explains this code (${f.quality.varianceExplained})`);
    assert.equal(api.sae.runState?.state, 'done');
    const lastRange = ins.ranges[ins.ranges.length - 1];
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, doc.positionAt(lastRange.start))) as vscode.Hover[];
    assert.match(
      hoverText(hovers),
      new RegExp(`Features: \\[#${f.top[f.top.length - 1][0].feature}\\]`),
      'the hover lists the token’s strongest feature first',
    );
    const base = doc.offsetAt(sel.start);
    for (let i = 1; i < ins.ranges.length; i++) {
      const rg: { start: number; end: number } = ins.ranges[i];
      assert.equal(doc.getText(new vscode.Range(doc.positionAt(rg.start), doc.positionAt(rg.end))), f.tokens[i].text);
      assert.ok(rg.start >= base && rg.end <= doc.offsetAt(sel.end));
    }
  });

  it('a feature’s card paints it over the source; its ablated text is one value per earlier token', async () => {
    const ins = api.sae.inspection!;
    const last = ins.features.tokens.length - 1;
    const feature = ins.features.top[last][0].feature;
    assert.ok(await api.sae.selectFeature(feature));
    const card = api.sae.inspection!.card!;
    assert.equal(card.feature, feature);
    assert.ok(card.acts_pos[last] > 0);
    assert.ok(card.logitLens.top.length > 0 && card.logitLens.bottom.length > 0);
    const painted = api.sae.decorations;
    assert.ok(painted && painted.uri === doc.uri.toString(), 'painted over the inspected document');
    assert.equal(painted.painted.length, Array.from(card.acts_pos).filter((a, i) => a > 0 && ins.ranges[i].end > ins.ranges[i].start).length);
    assert.ok(await api.sae.runAblation(feature, last));
    const ab = api.sae.inspection!.ablation!;
    assert.equal(ab.ablated_pos.length, last + 1);
    assert.ok(Math.abs(ab.clean - card.acts_pos[last]) < 1e-4);
    assert.ok(await api.sae.selectToken(last));
    assert.ok(api.sae.inspection!.tokenFeatures!.features.length >= ins.features.top[last].length);
  });

  it('scans the workspace for the feature’s examples and opens one with the feature painted', async () => {
    const feature = api.sae.inspection!.card!.feature;
    const result = await api.sae.scan(feature, 'language');
    assert.ok(result, 'a scan result');
    assert.equal(result.partial, false);
    assert.ok(result.filesScanned >= 1 && result.tokensScanned > 100);
    assert.ok(result.top.length > 0, 'the feature fires somewhere in the workspace');
    const acts = result.top.map((e) => e.act);
    assert.deepEqual(
      acts,
      [...acts].sort((a, b) => b - a),
    );
    const again = await api.sae.scan(feature, 'language');
    assert.equal(again?.cached, true, 'the same files are not scanned twice');
    assert.ok(await api.sae.openExample(result.top[0].exampleId));
    const opened = vscode.window.activeTextEditor!;
    assert.equal(opened.selection.active.line + 1, result.top[0].line);
    assert.ok(api.sae.decorations && api.sae.decorations.painted.length > 0, 'the example is painted');
    editor = await vscode.window.showTextDocument(doc);
  });

  it('exports JSON (the record) and CSV (every active feature per position)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ci-sae-export-'));
    try {
      const [json] = await api.sae.export('json', path.join(dir, 'f.json'));
      const record = JSON.parse(readFileSync(json, 'utf8'));
      assert.equal(record.sae.hookName, 'blocks.1.hook_resid_pre');
      assert.equal(record.top.length, api.sae.inspection!.features.tokens.length);
      assert.equal(record.card.feature, api.sae.inspection!.card!.feature);
      const [csv] = await api.sae.export('csv', path.join(dir, 'f.csv'));
      const body = readFileSync(csv, 'utf8');
      assert.ok(body.startsWith('position,token_id,token,feature,act\n'));
      // Records end at newlines outside quotes (a newline token's text is quoted, RFC 4180).
      let records = 0;
      let quoted = false;
      for (const ch of body) {
        if (ch === '"') quoted = !quoted;
        else if (ch === '\n' && !quoted) records++;
      }
      const l0 = Array.from(api.sae.inspection!.features.l0_pos).reduce((a, b) => a + b, 0);
      assert.equal(records - 1, l0, 'one row per active (position, feature)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the command’s { feature } argument picks a feature of the prompt on screen without a new run', async () => {
    const id = api.sae.inspection!.inspectionId;
    const other = api.sae.inspection!.features.top[1][0].feature;
    const r = await inspectFeatures({ feature: other });
    assert.equal(r.status, 'done');
    assert.equal(api.sae.inspection!.inspectionId, id);
    assert.equal(api.sae.inspection!.card!.feature, other);
  });

  it('a broken SAE setting names the problem and keeps the view', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ci-sae-bad-'));
    const cfg = vscode.workspace.getConfiguration('circuitInspector');
    try {
      writeFileSync(path.join(dir, 'cfg.json'), '{ "architecture": "standard", ');
      await cfg.update('sae', dir, vscode.ConfigurationTarget.Global);
      const before = api.sae.inspection!.inspectionId;
      select(editor, 'def area(self):');
      const r = await inspectFeatures();
      assert.equal(r.status, 'error');
      assert.match(api.sae.runState?.message ?? '', /cfg\.json/);
      assert.equal(api.sae.inspection!.inspectionId, before, 'the previous view stays');
    } finally {
      await cfg.update('sae', undefined, vscode.ConfigurationTarget.Global);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an edit marks the features stale and takes the paint off', async () => {
    select(editor, 'def area(self):');
    assert.equal((await inspectFeatures()).status, 'done');
    const ins = api.sae.inspection!;
    await api.sae.selectFeature(ins.features.top[ins.features.tokens.length - 1][0].feature);
    assert.ok(api.sae.decorations);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    await editor.edit((e) => e.insert(end, '\n# edited'));
    try {
      assert.match(api.sae.staleReason ?? '', /edited/);
      assert.equal(api.sae.inspection!.features.stale, true);
      assert.equal(api.sae.decorations, undefined);
    } finally {
      await vscode.commands.executeCommand('undo');
    }
  });
});
