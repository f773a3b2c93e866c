import assert from 'node:assert/strict';
import { cli, firstLine, MODEL } from './runCli';

const TEXT = 'def f(self, param): return self';

describe('circuit-inspector lens', () => {
  it('writes the lens, norms and DLA as JSON; DLA adds up to the logit difference the model computes', async () => {
    const r = await cli(['lens', '--model', MODEL, '--text', TEXT, '--answer', ' param', '--wrong', ' self', '--top-k', '3']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    const n = json.tokens.length;
    const { lens, norms, dla } = json;
    assert.equal(lens.n_boundaries, 3);
    assert.deepEqual(lens.boundaryHooks, ['blocks.0.hook_resid_pre', 'blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post']);
    assert.equal(lens.top_ids_boundary_pos_k.length, 3 * n * 3);
    assert.equal(lens.answer.text, ' param');
    for (const id of lens.top_ids_boundary_pos_k) assert.equal(typeof lens.tokenTexts[id], 'string');
    assert.equal(norms.raw_boundary_pos.length, 3 * n);
    assert.equal(norms.rawGrowth.factor_layer.length, 2);
    assert.equal(dla.sources_layer_head_key.length, 2 * 4 * n);
    assert.equal(dla.position, n - 1);
    assert.equal(dla.direction.wrong.text, ' self');

    // the model's own logit difference at the last position, from `inspect --logits last`
    const inspect = JSON.parse((await cli(['inspect', '--model', MODEL, '--text', TEXT, '--logits', 'last'])).out);
    const logits: number[] = inspect.logits.data;
    assert.ok(Math.abs(dla.logitDiff - (logits[lens.answer.id] - logits[dla.direction.wrong.id])) < 1e-4);
    const parts =
      dla.tokenEmbed +
      dla.posEmbed +
      dla.lnFinalBias +
      [...dla.heads_layer_head, ...dla.attnBias_layer, ...dla.mlp_layer].reduce((a: number, b: number) => a + b, 0);
    assert.ok(Math.abs(parts - dla.logitDiff) < 1e-3, `${parts} vs ${dla.logitDiff}`);
    // the last boundary's answer log-probability is the model's
    const lse = Math.log(logits.reduce((a, l) => a + Math.exp(l), 0));
    assert.ok(Math.abs(lens.answer_logprob_boundary_pos[3 * n - 1] - (logits[lens.answer.id] - lse)) < 1e-4);
  });

  it('defaults: the answer is the model’s top token, DLA at the last position onto the answer alone; --variant cached-scale changes the lens only', async () => {
    const a = JSON.parse((await cli(['lens', '--model', MODEL, '--tokens', '300,275,283,7,261'])).out);
    const b = JSON.parse((await cli(['lens', '--model', MODEL, '--tokens', '300,275,283,7,261', '--variant', 'cached-scale', '--position', '2'])).out);
    assert.equal(a.lens.answer_rank_boundary_pos.at(-1), 0);
    assert.equal(a.lens.top_ids_boundary_pos_k.length, 3 * 5 * 10);
    assert.equal(a.dla.direction.wrong, undefined);
    assert.equal(b.lens.variant, 'cached-scale');
    assert.notDeepEqual(a.lens.entropy_boundary_pos.slice(0, 5), b.lens.entropy_boundary_pos.slice(0, 5));
    assert.deepEqual(a.lens.entropy_boundary_pos.slice(10), b.lens.entropy_boundary_pos.slice(10), 'the last boundary is the same in both');
    assert.equal(b.dla.position, 2);
  });

  it('a multi-token answer uses its first token and says so', async () => {
    const r = await cli(['lens', '--model', MODEL, '--text', TEXT, '--answer', ' zzzq']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: --answer " zzzq" is \d+ tokens .*using its first token " " \(id 220\)/);
    const json = JSON.parse(r.out);
    assert.equal(json.lens.answer.id, 220);
    assert.equal(json.warnings.length, 1);
  });

  const bad: [string, string[], RegExp][] = [
    ['answer equal to wrong', ['--answer', ' param', '--wrong', '#271'], /same token/],
    ['a position past the prompt', ['--position', '11'], /--position: 11 is outside the prompt, whose 11 tokens/],
    ['a position before the start', ['--position', '-12'], /outside the prompt/],
    ['a position that is not a number', ['--position', 'last'], /--position: expected a whole number/],
    ['an unknown variant', ['--variant', 'cached'], /--variant: expected recompute or cached-scale/],
    ['an id outside the vocabulary', ['--answer', '#999'], /--answer: 999 is not a token id/],
    ['k of zero', ['--top-k', '0'], /--top-k: expected a positive whole number/],
    ['an option of another command', ['--sweeps', 'z'], /--sweeps is an option of 'patch'/],
  ];
  for (const [name, args, message] of bad) {
    it(`refuses ${name} with exit code 2 and the usage`, async () => {
      const r = await cli(['lens', '--model', MODEL, '--text', TEXT, ...args]);
      assert.equal(r.code, 2, r.err);
      assert.match(firstLine(r.err), message);
      assert.match(r.err, /usage:/);
      assert.equal(r.out, '');
    });
  }

  it('refuses a wrong token that is the default answer (the model’s top token)', async () => {
    const top = JSON.parse((await cli(['lens', '--model', MODEL, '--text', TEXT, '--top-k', '1'])).out).lens.answer.id;
    const r = await cli(['lens', '--model', MODEL, '--text', TEXT, '--wrong', `#${top}`]);
    assert.equal(r.code, 2);
    assert.match(firstLine(r.err), /the wrong token is the model's own top prediction/);
  });
});
