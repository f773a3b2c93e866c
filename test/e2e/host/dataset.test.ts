/**
 * Dataset mode in the extension host: Generate Prompt Set from the sample's docstring (options
 * stand in for the QuickPicks), Run Prompt Set on it (the mean tables exact, over every pair), a
 * pair opened as a single comparison, a malformed file (every bad line listed, in the Problems view
 * too, nothing run), and a cancel mid-set (the finished pairs kept, labelled partial N of M).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CircuitInspectorApi } from '../../../src/extension';
import type { GeneratePromptSetOutcome } from '../../../src/features/dataset/generate';
import type { RunPromptSetOutcome } from '../../../src/features/dataset/session';
import { openSample, select } from './sample';

type State = ReturnType<CircuitInspectorApi['dataset']['state']>;
const state = async () => (await vscode.commands.executeCommand('circuitInspector.runPromptSet.state')) as State;
const run = async (file: string | undefined, options: Record<string, unknown>) =>
  (await vscode.commands.executeCommand('circuitInspector.runPromptSet', file, options)) as RunPromptSetOutcome;

let api: CircuitInspectorApi;
let editor: vscode.TextEditor;
let tmp: string;
let generated: string | undefined;

describe('Dataset mode in the extension host', function () {
  this.timeout(180_000);

  before(async () => {
    ({ api, editor } = await openSample());
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ci-dataset-'));
    // A set generated from the sample by an earlier suite (the UI e2e shares the workspace) would make
    // this one `docstring_example-2.prompts.jsonl`.
    const dir = path.dirname(editor.document.uri.fsPath);
    for (const f of readdirSync(dir)) if (/^docstring_example(-\d+)?\.prompts\.jsonl$/.test(f)) rmSync(path.join(dir, f));
  });
  after(() => {
    if (generated && existsSync(generated)) rmSync(generated);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('Generate Prompt Set from the sample’s docstring writes <name>.prompts.jsonl beside it and opens it', async () => {
    // The template ends where the next :param name (the answer) goes.
    select(
      editor,
      'def scale(self, factor):\n        """Return a copy of this rectangle scaled by a factor.\n\n        :param self: the rectangle to scale\n        :param',
    );
    const r = (await vscode.commands.executeCommand('circuitInspector.generatePromptSet', {
      slots: ['factor'],
      corruption: 'slot:factor',
      n: 8,
      seed: 1,
      answer: 'factor',
    })) as GeneratePromptSetOutcome;
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.ok(r.status === 'done');
    generated = r.path;
    assert.ok(r.path.endsWith('docstring_example.prompts.jsonl'), r.path);
    const lines = readFileSync(r.path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 8);
    const first = JSON.parse(lines[0]) as { clean: string; corrupt: string; answer: string; meta: { excluded: unknown[] } };
    assert.ok(first.clean.startsWith('def scale(self, '));
    assert.notEqual(first.clean, first.corrupt);
    assert.ok(Array.isArray(first.meta.excluded), 'the set says which words were excluded');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, r.path, 'the set opens in the editor');
  });

  it('Run Prompt Set on the open set: the preview, then every mean table exact over every pair; a pair opens as a single comparison', async () => {
    assert.ok(generated);
    const r = await run(undefined, { sweeps: ['z', 'resid_pre'] });
    assert.equal(r.status, 'done', JSON.stringify(r));
    assert.ok(r.status === 'done' && r.pairs === 8 && r.tablesExact === 4 && r.tablesTotal === 4);
    const s = await state();
    assert.equal(s.runState, 'done');
    assert.equal(s.fileName, 'docstring_example.prompts.jsonl');
    assert.equal(s.summary?.pairs, 8);
    assert.ok(s.summary && s.summary.meanClean > s.summary.meanCorrupt, `clean beats corrupt on average: ${JSON.stringify(s.summary)}`);
    assert.deepEqual(s.tables.map((t) => `${t.sweep}/${t.direction}/${t.source}`).sort(), [
      'resid_pre/denoise/exact',
      'resid_pre/noise/exact',
      'z/denoise/exact',
      'z/noise/exact',
    ]);
    assert.ok(s.tables.every((t) => t.pairs === 8 && t.cells > 0 && t.finite));
    assert.equal(s.partial, undefined);

    const single = (await api.dataset.openPair(0)) as { status: string; tablesExact?: number };
    assert.equal(single.status, 'done', JSON.stringify(single));
    const c = (await vscode.commands.executeCommand('circuitInspector.compareSubstitution.state')) as { metric?: { label: string }; tables: unknown[] };
    assert.match(c.metric?.label ?? '', /factor|logit/);
  });

  it('a malformed file: every bad line listed (and in the Problems view), nothing run', async () => {
    const good = JSON.stringify({ clean: 'def f(self, width):', corrupt: 'def f(self, height):', answer: ' width', wrong: ' height' });
    const file = path.join(tmp, 'bad.prompts.jsonl');
    writeFileSync(
      file,
      [
        good,
        '{"clean": ',
        JSON.stringify({ clean: 'a', corrupt: 'b' }),
        JSON.stringify({ clean: 'def f(self, width):', corrupt: 'def f(self, width_and_more):', answer: ' width', wrong: ' height' }),
      ].join('\n'),
    );
    const before = (await state()).runId;
    const r = await run(file, { sweeps: ['z'] });
    assert.equal(r.status, 'invalid', JSON.stringify(r));
    assert.ok(r.status === 'invalid');
    assert.deepEqual([...new Set(r.errors.map((e) => e.line))], [2, 3, 4]);
    assert.match(r.message, /3 bad lines/);
    const problems = vscode.languages.getDiagnostics(vscode.Uri.file(file));
    assert.deepEqual([...new Set(problems.map((d) => d.range.start.line + 1))], [2, 3, 4]);
    assert.equal((await state()).runId, before, 'nothing new was run or shown');
  });

  it('cancel mid-set: the finished pairs stay, labelled partial N of M', async () => {
    // Four lengths, one patch per run (so blocks of one pair): the first pairs finish well before the last.
    const names = ['width', 'height', 'depth', 'factor', 'size', 'count'];
    const lines: string[] = [];
    for (let extra = 0; extra < 4; extra++) {
      const args = ['a', 'b', 'c']
        .slice(0, extra)
        .map((x) => `${x}, `)
        .join('');
      for (let i = 0; i < 4; i++) {
        const a = names[i];
        const b = names[i + 1];
        lines.push(JSON.stringify({ clean: `def f(self, ${args}${a}):`, corrupt: `def f(self, ${args}${b}):`, answer: ` ${a}`, wrong: ` ${b}` }));
      }
    }
    const file = path.join(tmp, 'lengths.prompts.jsonl');
    writeFileSync(file, lines.join('\n'));
    const running = run(file, { sweeps: ['z', 'q', 'k', 'v', 'pattern'], maxBatch: 1 });
    // Cancel as soon as the first block of pairs is in.
    for (let i = 0; i < 6000; i++) {
      const s = await state();
      if (s.fileName === 'lengths.prompts.jsonl' && s.partial) break;
      if (s.fileName === 'lengths.prompts.jsonl' && (s.runState === 'done' || s.runState === 'error')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await vscode.commands.executeCommand('circuitInspector.runPromptSet.cancel');
    const r = await running;
    assert.equal(r.status, 'cancelled', JSON.stringify(r));
    assert.ok(r.status === 'cancelled' && r.partial);
    assert.equal(r.partial.total, 16);
    assert.ok(r.partial.done >= 1 && r.partial.done < 16, JSON.stringify(r.partial));
    const s = await state();
    assert.equal(s.runState, 'cancelled');
    assert.match(s.message ?? '', new RegExp(`partial: ${r.partial.done} of 16 pairs`));
    assert.ok(s.tables.length > 0 && s.tables.every((t) => t.pairs === r.partial!.done || t.source === 'attribution'));
  });

  it('closing the panel mid-run stops it; what was shown stays in the results', async () => {
    const file = path.join(tmp, 'lengths.prompts.jsonl');
    const running = run(file, { sweeps: ['z', 'q', 'k', 'v', 'pattern'], maxBatch: 1 });
    for (let i = 0; i < 6000; i++) {
      const s = await state();
      if (s.runState === 'sweeping') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    api.dataset.closePanel();
    const r = await running;
    assert.equal(r.status, 'cancelled', JSON.stringify(r));
    const s = await state();
    assert.ok(s.tables.length > 0, 'the preview (at least) is kept');
    assert.equal(s.runState, 'cancelled');
  });
});
