/**
 * `circuit-inspector patch --dataset`: mean, standard-error and per-pair tables over a prompt set on
 * the tiny golden checkpoint; each pair's row equals the single-pair `patch` of that pair; every bad
 * line is listed before anything runs; --max-pairs keeps the first pairs; position sweeps over
 * pairs of different lengths are left out with a note.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gapSummary } from '../../../src/shared/datasetGap';
import { cli, firstLine, MODEL } from './runCli';

type Nested = number | null | Nested[];
const flat = (v: Nested): (number | null)[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

interface DatasetOut {
  pairsInFile: number;
  pairsRun: number;
  partial: unknown;
  notes: string[];
  summary: {
    pairs: number;
    meanClean: number;
    meanCorrupt: number;
    cleanBeatsCorrupt: number;
    gap: number;
    gapStandardError: number | null;
    zeroGap: boolean;
    warnings: string[];
  };
  pairs: { line: number; metricClean: number; metricCorrupt: number; n_tokens: number }[];
  tables: { sweep: string; direction: string; dims: number[]; mean: Nested; standardError: Nested; normalised: Nested | null; perPair: Nested }[];
}

const pair = (clean: string, corrupt: string) => JSON.stringify({ clean, corrupt, answer: ' a', wrong: ' x' });
const EQUAL = [pair('def f(a, b):', 'def f(x, b):'), pair('def g(a, c):', 'def g(x, c):'), pair('x = a + b', 'x = x + b')];

describe('CLI patch --dataset', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (name: string, lines: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ci-dataset-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the mean, standard-error and per-pair tables; each pair’s row is its single-pair patch; the mean is the mean of the rows', async () => {
    const set = file('equal.prompts.jsonl', EQUAL.slice(0, 2));
    const r = await cli(['patch', '--model', MODEL, '--dataset', set, '--sweeps', 'z,resid_pre']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as DatasetOut;
    assert.equal(out.pairsRun, 2);
    assert.equal(out.partial, null);
    assert.equal(out.summary.pairs, 2);
    assert.deepEqual(out.tables.map((t) => `${t.sweep}/${t.direction}`).sort(), ['resid_pre/denoise', 'resid_pre/noise', 'z/denoise', 'z/noise']);
    for (const t of out.tables) {
      const mean = flat(t.mean) as number[];
      const rows = flat(t.perPair) as number[];
      const se = flat(t.standardError) as number[];
      assert.equal(rows.length, 2 * mean.length);
      for (let i = 0; i < mean.length; i++) {
        const a = rows[i];
        const b = rows[mean.length + i];
        assert.ok(Math.abs((a + b) / 2 - mean[i]) < 1e-5, `${t.sweep} ${t.direction} cell ${i}: mean ${mean[i]} of ${a} and ${b}`);
        assert.ok(Math.abs(Math.abs(a - b) / 2 - se[i]) < 1e-4, `standard error of two values is |a − b| / 2: ${se[i]}`);
      }
    }
    // The first pair alone, through the single-pair command.
    const single = await cli([
      'patch',
      '--model',
      MODEL,
      '--clean',
      'def f(a, b):',
      '--corrupt',
      'def f(x, b):',
      '--answer',
      ' a',
      '--wrong',
      ' x',
      '--sweeps',
      'z',
    ]);
    assert.equal(single.code, 0, single.err);
    const one = JSON.parse(single.out) as { metric: { clean: number; corrupt: number }; tables: { direction: string; values: Nested }[] };
    assert.ok(Math.abs(one.metric.clean - out.pairs[0].metricClean) < 1e-5);
    assert.ok(Math.abs(one.metric.corrupt - out.pairs[0].metricCorrupt) < 1e-5);
    for (const direction of ['denoise', 'noise']) {
      const want = flat(one.tables.find((t) => t.direction === direction)!.values) as number[];
      const got = (flat(out.tables.find((t) => t.sweep === 'z' && t.direction === direction)!.perPair) as number[]).slice(0, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(want[i] - got[i]) < 1e-4, `${direction} cell ${i}: ${got[i]} vs single-pair ${want[i]}`);
    }
  });

  it('lists every bad line with its number and exits 2 before running anything', async () => {
    const set = file('bad.prompts.jsonl', [EQUAL[0], '{"clean": ', pair('def f(a, b):', 'def f(x, b, c):'), JSON.stringify({ clean: 'a', corrupt: 'b' })]);
    const r = await cli(['patch', '--model', MODEL, '--dataset', set]);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(firstLine(r.err), /3 bad lines, nothing was run/);
    for (const n of [2, 3, 4]) assert.ok(r.err.includes(`${set}:${n}:`), `line ${n} is listed:\n${r.err}`);
    assert.ok(!r.err.includes(`${set}:1:`));
  });

  it('--max-pairs keeps the first pairs and says how many the file has', async () => {
    const set = file('three.prompts.jsonl', EQUAL);
    const r = await cli(['patch', '--model', MODEL, '--dataset', set, '--sweeps', 'z', '--directions', 'noise', '--max-pairs', '2']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as DatasetOut;
    assert.equal(out.pairsInFile, 3);
    assert.equal(out.pairsRun, 2);
    assert.deepEqual(
      out.pairs.map((p) => p.line),
      [1, 2],
    );
    assert.deepEqual(
      out.tables.map((t) => t.direction),
      ['noise'],
    );
  });

  it('pairs of different lengths: position sweeps are left out with a note, head sweeps run', async () => {
    const set = file('mixed.prompts.jsonl', [EQUAL[0], pair('def ff(a, b, c):', 'def ff(x, b, c):')]);
    const r = await cli(['patch', '--model', MODEL, '--dataset', set, '--sweeps', 'z,resid_pre']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as DatasetOut;
    assert.deepEqual([...new Set(out.tables.map((t) => t.sweep))], ['z']);
    assert.ok(
      out.notes.some((n) => /resid_pre/.test(n)),
      out.notes.join(' | '),
    );
    assert.notEqual(out.pairs[0].n_tokens, out.pairs[1].n_tokens);
  });

  it('refuses --dataset with single-pair options, and a missing file', async () => {
    const set = file('one.prompts.jsonl', EQUAL.slice(0, 1));
    const r = await cli(['patch', '--model', MODEL, '--dataset', set, '--clean', 'x']);
    assert.equal(r.code, 2);
    assert.match(firstLine(r.err), /leave out --clean/);
    const missing = await cli(['patch', '--model', MODEL, '--dataset', join(dir, 'nope.prompts.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(firstLine(missing.err), /no such file/);
  });

  it('an empty set says so (not "1 bad line"), exit 2', async () => {
    const r = await cli(['patch', '--model', MODEL, '--dataset', file('empty.prompts.jsonl', ['', '  '])]);
    assert.equal(r.code, 2);
    assert.match(firstLine(r.err), /empty\.prompts\.jsonl: the prompt set is empty/);
    assert.doesNotMatch(firstLine(r.err), /bad line/);
  });

  it('progress on stderr: each line once (it was rewritten thousands of times per run), the JSON on stdout', async () => {
    const r = await cli(['patch', '--model', MODEL, '--dataset', file('progress.prompts.jsonl', EQUAL), '--sweeps', 'z,resid_pre']);
    assert.equal(r.code, 0, r.err);
    const lines = r.err
      .split(/[\r\n]/)
      .map((l) => l.trim())
      .filter((l) => /^pair \d+ of 3, table \d+ of \d+/.test(l));
    assert.ok(lines.length > 0, r.err);
    for (let i = 1; i < lines.length; i++) assert.notEqual(lines[i], lines[i - 1], `line ${i} repeats: ${lines[i]}`);
    JSON.parse(r.out);
  });

  it('a zero gap and a single pair are said in summary.warnings; the gap and its standard error are in the summary', async () => {
    const same = JSON.stringify({ clean: 'def f(a, b):', corrupt: 'def f(a, b):', answer: ' a', wrong: ' x' });
    const zero = JSON.parse((await cli(['patch', '--model', MODEL, '--dataset', file('zero.prompts.jsonl', [same, same]), '--sweeps', 'z'])).out) as DatasetOut;
    assert.equal(zero.summary.zeroGap, true);
    assert.equal(zero.summary.gap, 0);
    assert.ok(zero.summary.warnings.some((w) => /nearly\) equal/.test(w)));
    assert.ok(zero.tables.every((t) => t.normalised === null));
    const one = JSON.parse(
      (await cli(['patch', '--model', MODEL, '--dataset', file('one1.prompts.jsonl', EQUAL.slice(0, 1)), '--sweeps', 'z'])).out,
    ) as DatasetOut;
    assert.equal(one.summary.gapStandardError, null);
    assert.ok(one.summary.warnings.some((w) => /standard errors need at least 2 pairs/.test(w)));
  });

  it('gapSummary: the mean gap, its standard error, and a warning when the gap is within 2 standard errors of zero or negative', () => {
    const noisy = gapSummary([1, 2, 3, 4], [1.1, 1.9, 3.1, 3.9], false); // gaps -0.1, 0.1, -0.1, 0.1
    assert.ok(Math.abs(noisy.gap) < 1e-12);
    assert.ok(Math.abs(noisy.gapStandardError! - Math.sqrt((4 * 0.01) / 3 / 4)) < 1e-12);
    assert.match(noisy.warnings.join(' | '), /within 2 standard errors/);
    const clear = gapSummary([3, 3.2, 2.9], [0, 0.1, -0.2], false);
    assert.deepEqual(clear.warnings, []);
    assert.ok(Math.abs(clear.gap - 3.0666666666666664) < 1e-9);
    const reversed = gapSummary([0, 0.1, -0.2], [3, 3.2, 2.9], false);
    assert.match(reversed.warnings.join(' | '), /mean gap is negative/);
  });
});
