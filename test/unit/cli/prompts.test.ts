/**
 * `circuit-inspector prompts` with the shipped model: JSONL on stdout (or --out) that parses and
 * tokenizes as a prompt set, a summary on stderr naming the excluded words and why, the same file
 * for the same seed, and every bad input a usage error (exit 2) that names it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePromptSetJsonl } from '../../../src/analysis/dataset/promptSetFile';
import { tokenizePromptSet } from '../../../src/analysis/dataset/tokenizePromptSet';
import { shippedModelDir } from '../../../src/model/shippedModel';
import { Gpt2Tokenizer } from '../../../src/model/tokenizer';
import { cli, firstLine } from './runCli';

const TEMPLATE = 'def load(self, data, name, path):\n    """Load a thing.\n\n    :param data: the first\n    :param name: the second\n    :param';

describe('circuit-inspector prompts', () => {
  let dir: string;
  let template: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-cli-prompts-'));
    template = join(dir, 'template.py');
    writeFileSync(template, TEMPLATE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints N pairs as JSONL that runs as a prompt set, and says on stderr which words were excluded and why', async () => {
    const r = await cli(['prompts', '--template', template, '--n', '20', '--corrupt', 'slot:path', '--answer', 'path', '--seed', '1']);
    assert.equal(r.code, 0, r.err);
    const parsed = parsePromptSetJsonl(r.out);
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.entries.length, 20);
    const tokenizer = Gpt2Tokenizer.fromFolder(shippedModelDir());
    const tokenized = tokenizePromptSet(parsed.entries, tokenizer, { prependBos: true, bosId: 6874, nCtx: 128 });
    assert.deepEqual(tokenized.errors, []);
    assert.equal(new Set(tokenized.pairs.map((p) => p.clean.length)).size, 1, 'every prompt has the template’s length');
    assert.match(r.err, /20 pairs of \d+ tokens each .* corruption slot:path, seed 1, answer slot path/);
    assert.match(r.err, /slots: data \(2× in definition, docstring\); name \(2× in definition, docstring\); path \(1× in definition\)/);
    assert.match(r.err, /probed 300 pool words in 300 template variants; excluded \d+:/);
    assert.match(r.err, /  rule: head 0\.2 attends to ` rule` [\d.]+× more than to other identifier tokens/);
    assert.deepEqual(
      JSON.parse(r.out.split('\n')[0]).meta.excluded.map((e: { word: string }) => e.word),
      r.err
        .split('\n')
        .filter((l) => /^circuit-inspector: {3}[a-z]+: head/.test(l))
        .map((l) => l.split(':')[1].trim()),
      'the file records the words the summary names',
    );
  });

  it('--out writes the file; the same seed writes the same bytes, another seed another set', async () => {
    const args = [
      'prompts',
      '--template',
      template,
      '--n',
      '15',
      '--corrupt',
      'group:docstring',
      '--answer',
      'path',
      '--slots',
      'data,name,path',
      '--no-probe',
    ];
    const a = join(dir, 'a.prompts.jsonl');
    const b = join(dir, 'b.prompts.jsonl');
    assert.equal((await cli([...args, '--seed', '4', '--out', a])).code, 0);
    const r = await cli([...args, '--seed', '4', '--out', b]);
    assert.equal(r.code, 0);
    assert.equal(r.out, '', 'nothing on stdout with --out');
    assert.match(r.err, /not probed \(--no-probe\)/);
    assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
    const c = await cli([...args, '--seed', '5']);
    assert.notEqual(c.out, readFileSync(a, 'utf8'));
    assert.equal(readFileSync(a, 'utf8').trim().split('\n').length, 15);
  });

  it('every bad input exits 2 naming the problem', async () => {
    const multi = join(dir, 'multi.py');
    writeFileSync(multi, 'def load(self, xyzzyq, name):\n    """Load.\n\n    :param xyzzyq: the first\n    :param');
    const noDef = join(dir, 'nodef.py');
    writeFileSync(noDef, 'x = 1\n');
    const long = join(dir, 'long.py');
    writeFileSync(long, TEMPLATE.replace('Load a thing.', 'Load a thing. '.repeat(40)));
    const ok = ['--template', template, '--corrupt', 'all', '--answer', 'path', '--no-probe'];
    const cases: [string[], RegExp][] = [
      [['--corrupt', 'all', '--answer', 'path'], /--template is needed/],
      [['--template', join(dir, 'missing.py'), '--corrupt', 'all', '--answer', 'path'], /--template .*missing\.py: no such file/],
      [['--template', template, '--answer', 'path'], /--corrupt is needed/],
      [
        ['--template', template, '--corrupt', 'group:body', '--answer', 'path'],
        /--corrupt: corruption 'group:body': expected slot:NAME, group:definition, group:docstring or all/,
      ],
      [['--template', template, '--corrupt', 'all'], /--answer is needed/],
      [[...ok, '--n', '0'], /--n/],
      [[...ok, '--seed', 'x'], /--seed: expected a whole number/],
      [[...ok, '--slots', 'data,nothing'], /--slots: slot 'nothing' does not occur in the template/],
      [['--template', template, '--corrupt', 'all', '--answer', 'nope', '--no-probe'], /answer: no slot named 'nope'/],
      [['--template', template, '--corrupt', 'slot:nope', '--answer', 'path', '--no-probe'], /corruption: no slot named 'nope'/],
      [['--template', multi, '--corrupt', 'all', '--answer', 'name', '--no-probe'], /slot xyzzyq cannot be filled keeping the token count/],
      [['--template', noDef, '--corrupt', 'all', '--answer', 'x', '--no-probe'], /--slots auto: the template has no def signature/],
      [[...ok, '--clean', 'x'], /--clean is an option of 'patch', not of 'prompts'/],
      // Before: 274-token pairs for a model whose context is 128, refused only when the set was run.
      [
        ['--template', long, '--corrupt', 'all', '--answer', 'path', '--no-probe'],
        /the template is \d+ tokens, more than this model's context holds \(127 tokens, BOS not counted\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['prompts', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(firstLine(r.err), message, args.join(' '));
      assert.equal(r.out, '');
    }
  });
});
