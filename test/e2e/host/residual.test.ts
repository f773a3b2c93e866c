/**
 * Inspect Residual Stream in the extension host: from the palette and from the attention panel's
 * button (served by the attention inspection's forward), the record's three plots (logit lens,
 * norms, DLA), answer and position changes, a head's per-source DLA painted over the source, the
 * hover line, exports, staleness, and the document run in windows.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { DocumentOutcome, ResidualOutcome } from '../../../src/features/residual/session';
import { hasLens } from '../../../src/features/residual/shared/protocol';
import { hoverText, openSample, select } from './sample';

let api: CircuitInspectorApi;
let doc: vscode.TextDocument;
let editor: vscode.TextEditor;

async function residual(arg?: unknown): Promise<ResidualOutcome> {
  return (await vscode.commands.executeCommand('circuitInspector.inspectResidualStream', arg)) as ResidualOutcome;
}

describe('Inspect Residual Stream in the extension host', function () {
  this.timeout(120_000);

  before(async () => {
    ({ api, doc, editor } = await openSample());
  });

  it('from the palette: the selection’s record has the logit lens, the norms and the DLA, at document offsets', async () => {
    const sel = select(editor, 'self.width = width\n        self.height');
    const r = await residual();
    assert.equal(r.status, 'done', JSON.stringify(r));
    const ins = api.residual.inspection;
    assert.ok(ins && r.status === 'done' && ins.inspectionId === r.inspectionId);
    const { record } = ins.params;
    assert.ok(hasLens(record), 'a finished run shows the whole record, its logit lens included');
    const n = record.tokens.length;
    const L = record.n_layers;
    // Logit lens: (L + 1) boundaries × n positions, top tokens with probabilities.
    assert.equal(record.lens.n_boundaries, L + 1);
    assert.equal(record.lens.top_probs_boundary_pos_k.length, (L + 1) * n * record.lens.k);
    assert.ok(record.lens.top_probs_boundary_pos_k.every((p) => p >= 0 && p <= 1));
    // Norms: every boundary and position, growing on average.
    assert.equal(record.norms.raw_boundary_pos.length, (L + 1) * n);
    assert.ok(record.norms.raw_boundary_pos.every((x) => x > 0));
    assert.ok(Number.isFinite(record.norms.rawGrowth.fitted));
    // DLA: the components add up to the model's logit for the answer.
    assert.equal(record.dla.heads_layer_head.length, L * record.n_heads);
    assert.ok(Math.abs(record.dla.total - record.dla.logitDiff) < 1e-3 * Math.max(1, Math.abs(record.dla.logitDiff)));
    assert.equal(api.residual.shown, 'record');
    assert.equal(api.residual.runState?.state, 'done');
    const base = doc.offsetAt(sel.start);
    for (const t of record.tokens.slice(1)) {
      assert.equal(doc.getText(new vscode.Range(doc.positionAt(t.start), doc.positionAt(t.end))), t.text);
      assert.ok(t.start >= base && t.end <= doc.offsetAt(sel.end));
    }
  });

  it('the answer, wrong token and position change without a new forward; bad input is refused and the record stays', async () => {
    const ins = api.residual.inspection!;
    const id = ins.inspectionId;
    assert.equal(await api.residual.change({ method: 'setAnswer', params: { inspectionId: id, answer: ' self', wrong: ' width' } }), true);
    let now = api.residual.inspection!;
    assert.equal(now.params.record.dla.direction.answer.text, ' self');
    assert.equal(now.params.record.dla.direction.wrong?.text, ' width');
    assert.equal(now.forwardReused, true, 'only the analysis re-ran');
    assert.equal(await api.residual.change({ method: 'setPosition', params: { inspectionId: id, position: 3 } }), true);
    assert.equal(api.residual.inspection!.params.record.dla.position, 3);
    assert.equal(await api.residual.change({ method: 'setAnswer', params: { inspectionId: id, answer: ' x', wrong: ' x' } }), false, 'answer = wrong');
    assert.equal(await api.residual.change({ method: 'setPosition', params: { inspectionId: id, position: 10_000 } }), false, 'outside the prompt');
    now = api.residual.inspection!;
    assert.equal(now.params.record.dla.position, 3, 'the record on screen stays');
    assert.equal(await api.residual.change({ method: 'setAnswer', params: { inspectionId: id, answer: ' widthwise', wrong: '' } }), true);
    assert.match(api.residual.inspection!.params.notes.join(' '), /first token/, 'a multi-token answer says which token it used');
  });

  it('a DLA head’s per-source contributions are painted over the source; clearing removes them', async () => {
    const ins = api.residual.inspection!;
    const { dla, tokens } = ins.params.record;
    // The head with the largest |DLA|.
    let best = 0;
    for (let i = 1; i < dla.heads_layer_head.length; i++) if (Math.abs(dla.heads_layer_head[i]) > Math.abs(dla.heads_layer_head[best])) best = i;
    const layer = Math.floor(best / dla.n_heads);
    const head = best % dla.n_heads;
    api.residual.simulate({ method: 'selectHead', params: { inspectionId: ins.inspectionId, layer, head } });
    const shown = api.residual.decorations;
    assert.ok(shown && shown.painted.length > 0, 'source tokens painted');
    assert.equal(shown.uri, doc.uri.toString());
    const texts = new Set(tokens.map((t) => t.text));
    for (const p of shown.painted) {
      assert.ok(texts.has(doc.getText(p.range)), `painted ${JSON.stringify(doc.getText(p.range))} is a token`);
      assert.match(p.hover, new RegExp(`^Head ${layer}\\.${head} through this token: [+-]\\d`));
    }
    const plan = api.residual.headPlan!;
    for (const p of plan.painted) assert.equal(p.sign, dla.sources_layer_head_key[(layer * dla.n_heads + head) * dla.n_tokens + p.tokenIndex] > 0 ? 1 : -1);
    // Reading DLA at another position keeps the head and repaints its sources for that position.
    assert.equal(await api.residual.change({ method: 'setPosition', params: { inspectionId: ins.inspectionId, position: tokens.length - 2 } }), true);
    const moved = api.residual.headPlan;
    assert.ok(moved && moved.layer === layer && moved.head === head, 'the head stays selected');
    const movedDla = api.residual.inspection!.params.record.dla;
    assert.equal(movedDla.position, tokens.length - 2);
    assert.ok(Math.abs(moved.total - movedDla.heads_layer_head[layer * dla.n_heads + head]) < 1e-3, 'painted from the new position’s sources');
    api.residual.simulate({ method: 'clearHead', params: {} });
    assert.equal(api.residual.decorations, undefined);
    api.residual.simulate({ method: 'selectHead', params: { inspectionId: ins.inspectionId, layer, head } });
    await vscode.commands.executeCommand('circuitInspector.clearResidualDecorations'); // what Escape runs
    assert.equal(api.residual.decorations, undefined);
    api.residual.simulate({ method: 'selectHead', params: { inspectionId: ins.inspectionId, layer, head } });
    assert.ok(api.residual.decorations);
    api.residual.closePanel();
    assert.equal(api.residual.decorations, undefined, 'closing the view clears them');
  });

  it('the hover over an inspected token gains the logit lens line with a link into the view', async () => {
    const ins = api.residual.inspection!;
    const t = ins.params.record.tokens[2];
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(t.start + 1));
    const text = hoverText(hovers);
    assert.match(text, /Logit lens: L0 `'[^`]*'` \d+% → .* → out `'[^`]*'` \d+% · \[open\]\(command:circuitInspector\.residualFocusPosition\?/);
    assert.equal(await vscode.commands.executeCommand('circuitInspector.residualFocusPosition', { inspectionId: ins.inspectionId, position: 2 }), true);
  });

  it('exports JSON, the two CSV tables and the residual stream as safetensors with TransformerLens hook names', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ci-resid-export-'));
    try {
      const [json] = await api.residual.export('json', path.join(dir, 'r.json'));
      const parsed = JSON.parse(readFileSync(json, 'utf8')) as { lens: { n_boundaries: number }; dla: { heads_layer_head: number[] } };
      assert.equal(parsed.lens.n_boundaries, api.residual.inspection!.params.record.n_layers + 1);
      const csvs = await api.residual.export('csv', path.join(dir, 'r.csv'));
      assert.deepEqual(
        csvs.map((f) => path.basename(f)),
        ['r-dla.csv', 'r-lens.csv'],
      );
      assert.match(readFileSync(csvs[0], 'utf8'), /\ntotal,,,/);
      const [st] = await api.residual.export('safetensors', path.join(dir, 'r.safetensors'));
      assert.ok(existsSync(st));
      const bytes = readFileSync(st);
      const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
      assert.ok('blocks.0.hook_resid_pre' in header && 'blocks.0.hook_resid_mid' in header && 'ln_final.hook_scale' in header);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('from the attention panel: the same prompt, served by the attention inspection’s forward', async () => {
    select(editor, 'def area(self):\n        """Return the area');
    const a = (await vscode.commands.executeCommand('circuitInspector.inspectAttention')) as { status: string };
    assert.equal(a.status, 'done');
    const r = (await api.attention.openResidualStream()) as ResidualOutcome;
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.equal(r.status === 'done' && r.forwardReused, true, 'no second forward');
    const att = api.attention.inspection!.params.tokens;
    const res = api.residual.inspection!.params.record.tokens;
    assert.deepEqual(
      res.map((t) => [t.id, t.start, t.end]),
      att.map((t) => [t.id, t.start, t.end]),
      'the same tokens at the same offsets',
    );
  });

  it('bad selections: an empty line is refused; a selection over the context is truncated as asked, or not run', async () => {
    const blank = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.trim() === '');
    editor.selection = new vscode.Selection(blank, 0, blank, 0);
    const empty = await residual();
    assert.equal(empty.status, 'empty');
    const shownBefore = api.residual.inspection?.inspectionId;
    editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(doc.getText().length));
    const cancelled = await residual({ onTooLong: 'cancel' });
    if (cancelled.status === 'done') return; // a model whose context holds the whole file: nothing to truncate
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(api.residual.inspection?.inspectionId, shownBefore, 'nothing new is shown');
    const r = await residual({ onTooLong: 'truncate-end' });
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.match(r.status === 'done' ? r.notes.join(' ') : '', /the last \d+/);
    const tokens = api.residual.inspection!.params.record.tokens;
    const last = tokens[tokens.length - 1];
    assert.equal(last.end, doc.getText().length, 'the last tokens of the file were kept');
  });

  it('an edit marks the record stale: no head is painted over the changed text', async () => {
    const ins = api.residual.inspection!;
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    await editor.edit((e) => e.insert(end, '\n# edited'));
    try {
      assert.match(api.residual.staleReason ?? '', /edited/);
      assert.equal(api.residual.inspection!.params.stale, true);
      api.residual.simulate({ method: 'selectHead', params: { inspectionId: ins.inspectionId, layer: 0, head: 0 } });
      assert.equal(api.residual.decorations, undefined);
    } finally {
      await vscode.commands.executeCommand('undo');
    }
  });

  it('over the document: the norms of every window, with progress; an empty selection means the whole file', async () => {
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const r = (await vscode.commands.executeCommand('circuitInspector.inspectResidualStreamDocument')) as DocumentOutcome;
    assert.equal(r.status, 'done', JSON.stringify(r));
    const d = api.residual.documentNorms!;
    assert.equal(api.residual.shown, 'document');
    assert.equal(d.windows.length, r.status === 'done' ? r.windows : -1);
    assert.equal(
      d.windows.reduce((n, w) => n + w.n_tokens - (w.hasBos ? 1 : 0), 0),
      d.totalTokens,
      'every token of the file in one window',
    );
    assert.ok(Number.isFinite(d.rawGrowth.fitted) && d.rawGrowth.fitted > 0);
  });

  it('norms and DLA show before the logit lens; cancelled during the lens, a new prompt keeps them, a change puts the whole record back', async () => {
    const shown: boolean[] = [];
    let cancelOnPartial = false;
    const sub = api.residual.onDidShowRecord((p) => {
      shown.push(hasLens(p.record));
      if (cancelOnPartial && !hasLens(p.record)) api.residual.simulate({ method: 'cancelRun', params: {} });
    });
    try {
      // A prompt no earlier test ran: its lens is computed, so its record shows twice.
      select(editor, 'def scale(self, factor):');
      const whole = await residual();
      assert.equal(whole.status, 'done', JSON.stringify(whole));
      assert.deepEqual(shown, [false, true], 'the record without its lens, then the whole one');
      const first = api.residual.inspection!;
      assert.ok(hasLens(first.params.record));

      // A change that re-runs the lens, cancelled once its norms and DLA are shown: the whole record comes back.
      shown.length = 0;
      cancelOnPartial = true;
      const changed = await api.residual.change({ method: 'setVariant', params: { inspectionId: first.inspectionId, variant: 'cached-scale' } });
      assert.equal(changed, false);
      assert.deepEqual(shown, [false, true], 'the partial record, then the one it replaced');
      const back = api.residual.inspection!.params.record;
      assert.ok(hasLens(back) && back.lens.variant === 'recompute', 'the record before the change');
      assert.equal(api.residual.runState?.state, 'cancelled');
      assert.match(api.residual.runState?.message ?? '', /unchanged/);

      // A new prompt cancelled during its lens: its norms and DLA stay, and the lens is said not to be computed.
      shown.length = 0;
      const sel = select(editor, 'def area(self):');
      const cancelled = await residual();
      assert.notEqual(cancelled.status, 'done');
      assert.deepEqual(shown, [false]);
      const partial = api.residual.inspection!;
      assert.notEqual(partial.inspectionId, first.inspectionId);
      assert.ok(!hasLens(partial.params.record), 'no lens, and none of the previous prompt');
      assert.equal(partial.params.record.norms.n_tokens, partial.params.record.tokens.length);
      assert.ok(
        Math.abs(partial.params.record.dla.total - partial.params.record.dla.logitDiff) < 1e-3 * Math.max(1, Math.abs(partial.params.record.dla.logitDiff)),
      );
      assert.equal(api.residual.runState?.state, 'cancelled');
      assert.match(api.residual.runState?.message ?? '', /during the logit lens/);
      assert.equal(api.residual.hoverAt(doc.uri.toString(), doc.offsetAt(sel.start) + 1), undefined, 'no lens line to hover');
      assert.deepEqual(await api.residual.export('json', path.join(os.tmpdir(), 'ci-partial.json')), [], 'nothing to export without the lens');
    } finally {
      sub.dispose();
    }
  });
});
