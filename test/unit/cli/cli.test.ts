import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, MODEL } from './runCli';

describe('circuit-inspector CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('inspect: tokens with UTF-16 offsets, BOS first, top-k next tokens with probabilities', async () => {
    const r = await cli(['inspect', '--model', MODEL, '--text', 'def f(self, param):', '--top-k', '3']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.tokens[0].isBos, true);
    const text = 'def f(self, param):';
    assert.equal(
      json.tokens
        .slice(1)
        .map((t: { start: number; end: number }) => text.slice(t.start, t.end))
        .join(''),
      text,
    );
    assert.equal(json.nextTokens.length, 3);
    assert.ok(json.nextTokens[0].prob >= json.nextTokens[1].prob);
    const total = json.nextTokens.reduce((a: number, t: { prob: number }) => a + t.prob, 0);
    assert.ok(total > 0 && total <= 1 + 1e-6);
  });

  it('inspect: token ids in, named hooks and all logits out, to a file', async () => {
    const out = join(dir, 'inspect.json');
    const r = await cli(['inspect', '--model', MODEL, '--tokens', '300,275,283', '--hooks', 'blocks.0.attn.hook_pattern', '--logits', 'all', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(json.hooks['blocks.0.attn.hook_pattern'].dims, [1, 4, 3, 3]);
    assert.deepEqual(json.logits.dims, [1, 3, 301]);
  });

  it('patch: both directions of the requested sweeps, raw and normalised', async () => {
    const r = await cli([
      'patch',
      '--model',
      MODEL,
      '--clean',
      'def f(self, param): return self.param',
      '--corrupt',
      'def f(self, arg): return self.param',
      '--answer',
      ' param',
      '--wrong',
      ' arg',
      '--sweeps',
      'resid_pre,z',
    ]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(
      json.tables.map((t: { direction: string; sweep: string }) => `${t.direction}.${t.sweep}`),
      ['denoise.resid_pre', 'noise.resid_pre', 'denoise.z', 'noise.z'],
    );
    const resid = json.tables[0];
    assert.deepEqual(resid.dims, [2, json.clean.length]);
    // denoising resid_pre at layer 0 at the substituted position restores the clean metric exactly
    const pos = json.clean.findIndex((t: { text: string }, i: number) => t.text !== json.corrupt[i].text);
    assert.ok(Math.abs(resid.normalised[0][pos] - 1) < 1e-4, String(resid.normalised[0][pos]));
    // positions before the substitution change nothing
    assert.ok(Math.abs(resid.normalised[0][1]) < 1e-6);
  });

  it('refuses prompts of different token counts, naming both counts', async () => {
    const r = await cli([
      'patch',
      '--model',
      MODEL,
      '--clean',
      'def f(self, param):',
      '--corrupt',
      'def f(self, param, other):',
      '--answer',
      ' param',
      '--wrong',
      ' arg',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /clean prompt is \d+ tokens and the corrupt one \d+/);
  });

  it('refuses multi-token answers and says how to pick one token', async () => {
    const r = await cli(['patch', '--model', MODEL, '--clean', 'a', '--corrupt', 'b', '--answer', ' zzzq', '--wrong', ' arg']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--answer " zzzq" is \d+ tokens/);
  });

  it('usage errors: unknown command, missing prompt, bad option, missing model folder', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    assert.match((await cli(['inspect', '--model', MODEL])).err, /exactly one/);
    assert.match((await cli(['inspect', '--model', MODEL, '--text', 'a', '--logits', 'some'])).err, /--logits/);
    const missing = await cli(['inspect', '--model', join(dir, 'nope'), '--text', 'a']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope/);
  });
});
