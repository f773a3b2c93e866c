/** Item 5: bad values get a plain message that names the option, exit code 2, and leak no internals. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, firstLine, MODEL } from './runCli';

const LEAKS = /Cannot read properties|undefined|ENOENT|EISDIR|EACCES|ERR_|\bat .*\.ts:\d+|Invalid string length/;

describe('circuit-inspector bad inputs', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ci-cli-bad-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, () => string[], RegExp][] = [
    ['--top-k -1', () => ['inspect', '--model', MODEL, '--text', 'a', '--top-k', '-1'], /--top-k: expected a positive whole number, got '-1'/],
    ['--top-k 0', () => ['inspect', '--model', MODEL, '--text', 'a', '--top-k', '0'], /--top-k: expected a positive whole number, got '0'/],
    ['--top-k 2.5', () => ['inspect', '--model', MODEL, '--text', 'a', '--top-k', '2.5'], /--top-k: expected a positive whole number, got '2\.5'/],
    ['--tokens 1,,2', () => ['inspect', '--model', MODEL, '--tokens', '1,,2'], /--tokens '1,,2': item 2 is empty/],
    ['--tokens 1,x', () => ['inspect', '--model', MODEL, '--tokens', '1,x'], /--tokens '1,x': 'x' is not a token id/],
    ['--tokens -3', () => ['inspect', '--model', MODEL, '--tokens=-3'], /--tokens '-3': '-3' is not a token id/],
    ['--tokens 999999', () => ['inspect', '--model', MODEL, '--tokens', '999999'], /--tokens: 999999 is not a token id of this model \(ids go from 0 to 300\)/],
    [
      '--tokens longer than the context',
      () => ['inspect', '--model', MODEL, '--tokens', Array(40).fill(5).join(',')],
      /--tokens: the prompt is 40 tokens, more than this model's context of 32/,
    ],
    ['--text empty', () => ['inspect', '--model', MODEL, '--text', ''], /--text: the text is empty/],
    [
      '--logits some',
      () => ['inspect', '--model', MODEL, '--text', 'a', '--logits', 'some'],
      /--logits: expected none, last, all or comma-separated token positions, got 'some'/,
    ],
    ['--logits position outside', () => ['inspect', '--model', MODEL, '--text', 'a', '--logits', '7'], /--logits: position 7 is outside the prompt/],
    [
      '--hooks bad layer',
      () => ['inspect', '--model', MODEL, '--text', 'a', '--hooks', 'blocks.5.attn.hook_pattern'],
      /--hooks: hook 'blocks\.5\.attn\.hook_pattern' names layer 5, but the model has 2 layers/,
    ],
    ['--hooks unknown', () => ['inspect', '--model', MODEL, '--text', 'a', '--hooks', 'blocks.0.foo'], /--hooks: unknown hook name 'blocks\.0\.foo'/],
    ['--hooks empty item', () => ['inspect', '--model', MODEL, '--text', 'a', '--hooks', 'blocks.0.hook_resid_pre,,'], /--hooks '.*': item 2 is empty/],
    [
      '--layer-norm',
      () => ['inspect', '--model', MODEL, '--text', 'a', '--layer-norm', 'none'],
      /--layer-norm: expected as_configured or identity, got 'none'/,
    ],
    [
      '--out into a missing folder',
      () => ['inspect', '--model', MODEL, '--text', 'a', '--out', join(dir, 'no', 'such', 'x.json')],
      /--out .*x\.json: the folder .*such does not exist/,
    ],
    ['--out a folder', () => ['inspect', '--model', MODEL, '--text', 'a', '--out', dir], /--out .*: is a folder; give the path of a file to write/],
    ['--text-file missing', () => ['inspect', '--model', MODEL, '--text-file', join(dir, 'nope.txt')], /--text-file .*nope\.txt: no such file/],
    ['--text and --text-file', () => ['inspect', '--model', MODEL, '--text', 'a', '--text-file', join(dir, 'x')], /give --text or --text-file, not both/],
    [
      'patch without --answer',
      () => ['patch', '--model', MODEL, '--clean', 'a', '--corrupt', 'b', '--wrong', '#1'],
      /missing --answer: the token the clean prompt should predict/,
    ],
    [
      'patch --answer #abc as text of several tokens',
      () => ['patch', '--model', MODEL, '--clean', 'a', '--corrupt', 'b', '--answer', '#abc', '--wrong', '#1'],
      /--answer "#abc" is \d+ tokens/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit code 2 and a plain message`, async () => {
      const r = await cli(args());
      assert.equal(r.code, 2, r.err);
      assert.match(firstLine(r.err), /^circuit-inspector: /);
      assert.match(firstLine(r.err), message);
      assert.doesNotMatch(firstLine(r.err), LEAKS);
      assert.equal(r.out, '');
    });
  }

  it('a missing model folder is named with --model (exit code 2); a folder without a checkpoint fails when loading (exit code 1)', async () => {
    const missing = await cli(['inspect', '--model', join(dir, 'nope'), '--text', 'a']);
    assert.equal(missing.code, 2);
    assert.match(firstLine(missing.err), /^circuit-inspector: --model: .*nope is not a folder/);
    const empty = await cli(['inspect', '--model', dir, '--text', 'a']);
    assert.equal(empty.code, 1);
    assert.match(firstLine(empty.err), /ci-cli-bad-\w+/);
  });
});
