/** Item 2: `patch` checks every argument before the model's first run (no sweep, no progress line). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/cliArgs';
import { patchCommand } from '../../../src/cli/patchCommand';
import { loadHookedGpt2, type LoadedModel } from '../../../src/model/loadHookedGpt2';
import { cli, MODEL } from './runCli';

const CLEAN = 'def f(self, param): return self.param';
const CORRUPT = 'def f(self, arg): return self.param';

/** Runs patchCommand with a model whose `run` counts its calls; stderr (progress) captured. */
async function patchWithSpy(values: Record<string, string>): Promise<{ error?: Error; runs: number; loads: number; stderr: string }> {
  let runs = 0;
  let loads = 0;
  let stderr = '';
  const load = async (): Promise<LoadedModel> => {
    loads++;
    const loaded = await loadHookedGpt2(MODEL);
    const run = loaded.model.run.bind(loaded.model);
    loaded.model.run = (...args) => {
      runs++;
      return run(...args);
    };
    return loaded;
  };
  const w = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    await patchCommand({ clean: CLEAN, corrupt: CORRUPT, answer: ' param', wrong: ' arg', sweeps: 'resid_pre', ...values }, load);
    return { runs, loads, stderr };
  } catch (error) {
    return { error: error as Error, runs, loads, stderr };
  } finally {
    process.stderr.write = w;
  }
}

describe('circuit-inspector patch: validation before any run', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ci-cli-patch-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the spy sees the runs of a valid request (the check below is not vacuous)', async () => {
    const r = await patchWithSpy({});
    assert.equal(r.error, undefined);
    assert.ok(r.runs > 2, String(r.runs));
    assert.match(r.stderr, /denoise resid_pre layer/);
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    ['an answer id out of range', { answer: '#99999' }, /--answer: 99999 is not a token id of this model \(ids go from 0 to 300\)/],
    ['a wrong id out of range', { wrong: '#301' }, /--wrong: 301 is not a token id/],
    ['a multi-token wrong token', { wrong: ' zzzq' }, /--wrong " zzzq" is \d+ tokens/],
    ['the same answer and wrong token', { wrong: ' param' }, /--answer and --wrong are the same token/],
    ['an empty answer', { answer: '' }, /--answer is empty/],
    ['an empty clean prompt', { clean: '' }, /--clean: the clean prompt is empty/],
    ['an empty corrupt prompt', { corrupt: '' }, /--corrupt: the corrupt prompt is empty/],
    [
      'prompts longer than the context',
      { clean: 'ab '.repeat(40), corrupt: 'ac '.repeat(40) },
      /--clean: the prompt is \d+ tokens \(BOS included\), more than this model's context of 32/,
    ],
    ['token counts that differ', { corrupt: 'def f(self, param, other): return self.param' }, /clean prompt is \d+ tokens and the corrupt one \d+/],
    ['an unknown sweep', { sweeps: 'resid_pre,resid_post' }, /--sweeps: unknown sweep 'resid_post'/],
    ['an empty sweep list', { sweeps: ',' }, /--sweeps ',' names nothing/],
    ['an unknown direction', { directions: 'denoise,sideways' }, /--directions: unknown direction 'sideways'/],
    ['a memory budget of 0 MB', { 'memory-budget-mb': '0' }, /--memory-budget-mb: expected a positive whole number, got '0'/],
  ];
  for (const [what, values, message] of refusals) {
    it(`refuses ${what} before the model runs`, async () => {
      const r = await patchWithSpy(values);
      assert.ok(r.error instanceof UsageError, String(r.error));
      assert.match(r.error.message, message);
      assert.equal(r.runs, 0, 'the model ran');
      assert.equal(r.stderr, '', 'progress was written');
    });
  }

  it('argument errors that need no model are found before it is loaded', async () => {
    const r = await patchWithSpy({ directions: 'up' });
    assert.equal(r.loads, 0);
  });

  it('through main: --answer #99999 fails with exit code 2 before any progress line', async () => {
    const r = await cli(['patch', '--model', MODEL, '--clean', CLEAN, '--corrupt', CORRUPT, '--answer', '#99999', '--wrong', ' arg']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^circuit-inspector: --answer: 99999 is not a token id/);
    assert.equal(r.out, '');
  });

  it('through main: an --out that cannot be written fails before any progress line', async () => {
    const r = await cli([
      'patch',
      '--model',
      MODEL,
      '--clean',
      CLEAN,
      '--corrupt',
      CORRUPT,
      '--answer',
      ' param',
      '--wrong',
      ' arg',
      '--out',
      join(dir, 'missing', 'x.json'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^circuit-inspector: --out .*x\.json: the folder .*missing does not exist/);
  });
});
