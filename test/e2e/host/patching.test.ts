/**
 * Extension-host tests of Compare Token Substitution: the real `vscode` API, the installed
 * extension, its own engine worker and the workspace's model. Options passed to the command
 * stand in for the QuickPicks (the UI test drives those).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompareOptions, CompareOutcome } from '../../../src/features/substitution/session';
import { openSample } from './sample';

type State = {
  runId?: string;
  stale: boolean;
  notes: readonly string[];
  runState?: string;
  metric?: { clean: number; corrupt: number; label: string };
  tables: { sweep: string; direction: string; source: string; cells: number; finite: boolean }[];
};

const compare = async (o: CompareOptions) => (await vscode.commands.executeCommand('circuitInspector.compareSubstitution', o)) as CompareOutcome;
const state = async () => (await vscode.commands.executeCommand('circuitInspector.compareSubstitution.state')) as State;

let doc: vscode.TextDocument;
let editor: vscode.TextEditor;

/** Cursor inside `self` of `def scale(self, factor):` (no selection: the prompt is that line). */
function cursorInSelf(): void {
  const line = doc
    .getText()
    .split('\n')
    .findIndex((l) => l.includes('def scale(self'));
  const col = doc.lineAt(line).text.indexOf('(self') + 2;
  editor.selection = new vscode.Selection(line, col, line, col);
}

describe('Compare Token Substitution in the extension host', function () {
  this.timeout(180_000);

  before(async () => {
    ({ doc, editor } = await openSample());
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('circuitInspector.compareSubstitution'));
  });

  it('identical prompts: said clearly, nothing run or shown', async () => {
    cursorInSelf();
    const r = await compare({ position: 'cursor', replacement: 'self', metric: 'logit_diff' });
    assert.equal(r.status, 'identical');
    assert.match('message' in r ? r.message : '', /identical/);
  });

  it('token-count mismatch: refused with the diff, never aligned', async () => {
    cursorInSelf();
    const r = await compare({ position: 'cursor', replacement: 'selfish', onMismatch: 'cancel' });
    assert.equal(r.status, 'mismatch');
    assert.match('message' in r ? r.message : '', /equal token counts/);
    // The LCS diff shows what the replacement added (the tokens depend on the model's vocabulary:
    // ‘is’ ‘h’ with GPT-2's, ‘ish’ with the shipped model's), and the corrupt prompt is longer.
    const m = /The corrupt prompt has (\d+) tokens and the clean one (\d+) \(∅ → ((?:‘[^’]+’ ?)+)\)/.exec('message' in r ? r.message : '');
    assert.ok(m, 'message' in r ? r.message : '');
    const added = [...m[3].matchAll(/‘([^’]+)’/g)].map((x) => x[1]);
    assert.equal(added.join(''), 'ish', `the added tokens spell what the replacement added: ${m[3]}`);
    assert.equal(Number(m[1]) - Number(m[2]), added.length, 'the corrupt prompt is longer by exactly the added tokens');
  });

  it('runs both directions: the AtP preview, then every table exact; a multi-token answer uses its first token', async () => {
    cursorInSelf();
    const r = await compare({ position: 'cursor', replacement: 'x', answer: ' self x', sweeps: ['z', 'resid_pre'] });
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.ok(r.status === 'done' && r.tablesExact === 4 && r.tablesTotal === 4);
    const s = await state();
    assert.equal(s.runState, 'done');
    assert.deepEqual(s.tables.map((t) => `${t.sweep}/${t.direction}/${t.source}`).sort(), [
      'resid_pre/denoise/exact',
      'resid_pre/noise/exact',
      'z/denoise/exact',
      'z/noise/exact',
    ]);
    assert.ok(s.tables.every((t) => t.finite && t.cells > 0));
    assert.ok(
      s.notes.some((n) => /first token/.test(n)),
      s.notes.join(' | '),
    );
    assert.match(s.metric?.label ?? '', /logit\('·self'\)/);
  });

  it('cancel mid-sweep: finished tables stay exact, the rest keep the estimate, none half-written', async () => {
    cursorInSelf();
    const sweeps = ['z', 'z_by_pos', 'pattern', 'resid_pre', 'attn_out', 'mlp_out', 'q', 'k', 'v'] as const;
    const before = (await state()).runId;
    const run = compare({ position: 'cursor', replacement: 'x', metric: 'kl', sweeps: [...sweeps], maxBatch: 1 });
    const t0 = Date.now();
    let s = await state();
    // The new comparison's first exact table (the previous comparison's tables do not count).
    while ((s.runId === before || !s.tables.some((t) => t.source === 'exact')) && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 5));
      s = await state();
    }
    await vscode.commands.executeCommand('circuitInspector.compareSubstitution.cancel');
    const r = await run;
    assert.equal(r.status, 'cancelled', JSON.stringify(r));
    s = await state();
    assert.equal(s.runState, 'cancelled');
    assert.equal(s.tables.length, sweeps.length * 2, 'every table is shown: exact or estimate');
    const exact = s.tables.filter((t) => t.source === 'exact').length;
    assert.ok(exact >= 1 && exact < sweeps.length * 2, `${exact} exact tables`);
    assert.ok(r.status === 'cancelled' && r.tablesExact === exact);
    assert.ok(
      s.tables.every((t) => t.finite),
      'no table has unfilled cells',
    );
  });

  it('exports after a cancel: JSON, CSV and HTML hold every table whole, estimate or exact, written in one go', async () => {
    const s = await state();
    assert.equal(s.runState, 'cancelled', 'follows the cancel test');
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const win = vscode.window as { showSaveDialog: typeof vscode.window.showSaveDialog };
    const original = win.showSaveDialog;
    let target = folder;
    win.showSaveDialog = async () => target;
    try {
      const read = async (name: string, format: string) => {
        target = vscode.Uri.joinPath(folder, name);
        const written = (await vscode.commands.executeCommand('circuitInspector.compareSubstitution.export', format)) as string | undefined;
        assert.equal(written, target.fsPath);
        return Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
      };
      const json = JSON.parse(await read('export.json', 'json')) as {
        tables: { source: string; dims: number[]; patched: unknown[] }[];
        metric: { label: string };
      };
      assert.equal(json.tables.length, s.tables.length);
      assert.deepEqual(json.tables.map((t) => t.source).sort(), s.tables.map((t) => t.source).sort());
      const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
      assert.ok(json.tables.every((t) => flat(t.patched).length === t.dims.reduce((a, b) => a * b, 1) && flat(t.patched).every((v) => typeof v === 'number')));
      const csv = (await read('export.csv', 'csv')).trimEnd().split('\r\n');
      assert.equal(csv[0], 'direction,sweep,source,layer,head,pos,clean_token,corrupt_token,patched,normalised,change');
      const html = await read('export.html', 'html');
      assert.ok(html.includes('<svg') && !/\bsrc=|href=/.test(html));
    } finally {
      win.showSaveDialog = original;
    }
  });

  it('the document edited mid-run: the run finishes on the prompts it took, and is marked stale', async () => {
    cursorInSelf();
    const before = (await state()).runId;
    const run = compare({ position: 'cursor', replacement: 'x', metric: 'logit_diff', sweeps: ['z', 'z_by_pos', 'pattern'], maxBatch: 1 });
    const t0 = Date.now();
    // The new comparison is on screen (its preview shown, sweeps running): now edit.
    while ((await state()).runId === before && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    assert.ok(await editor.edit((e) => e.insert(end, '\n# edited')));
    const r = await run;
    assert.equal(r.status, 'done', JSON.stringify(r));
    const s = await state();
    assert.equal(s.stale, true);
    assert.ok(s.tables.every((t) => t.source === 'exact' && t.finite));
    await vscode.commands.executeCommand('undo');
  });
});
