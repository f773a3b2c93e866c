/** Item 1: every option that takes a value says so when it is missing; unknown options are named. */
import assert from 'node:assert/strict';
import { INSPECT_OPTIONS } from '../../../src/cli/inspectCommand';
import { PATCH_OPTIONS } from '../../../src/cli/patchCommand';
import { cli, firstLine, MODEL } from './runCli';

const COMMON_WITH_VALUES = ['model', 'layer-norm', 'out'];

describe('circuit-inspector options', () => {
  it('--model with no value names the option and what it takes', async () => {
    for (const args of [
      ['inspect', '--model'],
      ['patch', '--model'],
      ['inspect', '--model', '--text', 'a'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(firstLine(r.err), /^circuit-inspector: --model needs a value: a model folder or hub id/);
      assert.doesNotMatch(r.err, /Cannot read properties|undefined/);
    }
  });

  for (const [command, own] of [
    ['inspect', INSPECT_OPTIONS],
    ['patch', PATCH_OPTIONS],
  ] as const) {
    it(`${command}: each option that takes a value, given last with none, says it needs one`, async () => {
      const names = [...COMMON_WITH_VALUES, ...Object.keys(own)];
      assert.ok(names.length >= 9);
      for (const name of names) {
        const r = await cli([command, `--${name}`]);
        assert.equal(r.code, 2, `${command} --${name}: ${r.err}`);
        assert.match(firstLine(r.err), new RegExp(`^circuit-inspector: --${name} needs a value: \\S`), `${command} --${name}`);
      }
    });

    it(`${command}: an unknown option is named, with a suggestion when one is close`, async () => {
      const bogus = await cli([command, '--model', MODEL, '--bogus']);
      assert.equal(bogus.code, 2);
      assert.match(firstLine(bogus.err), new RegExp(`unknown option '--bogus' for '${command}': '${command}' takes --model`));
      const typo = await cli([command, '--modle', MODEL]);
      assert.match(firstLine(typo.err), /unknown option '--modle'.*did you mean --model\?/);
    });
  }

  it('an option of the other command says whose it is', async () => {
    const r = await cli(['inspect', '--model', MODEL, '--text', 'a', '--answer', ' b']);
    assert.equal(r.code, 2);
    assert.match(firstLine(r.err), /--answer is an option of 'patch', not of 'inspect'/);
  });

  it('flags refuse values; repeated options and stray arguments are named', async () => {
    const flag = await cli(['inspect', '--model', MODEL, '--text', 'a', '--no-bos=yes']);
    assert.equal(flag.code, 2);
    assert.match(firstLine(flag.err), /--no-bos is a flag and takes no value/);
    const twice = await cli(['inspect', '--model', MODEL, '--text', 'a', '--text', 'b']);
    assert.equal(twice.code, 2);
    assert.match(firstLine(twice.err), /--text is given twice/);
    const stray = await cli(['inspect', '--model', MODEL, '--text', 'a', 'b']);
    assert.equal(stray.code, 2);
    assert.match(firstLine(stray.err), /unexpected argument 'b'/);
  });

  it('--name=VALUE works, also for values that start with dashes', async () => {
    const r = await cli(['inspect', `--model=${MODEL}`, '--text=--x', '--top-k=2']);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).nextTokens.length, 2);
  });
});
