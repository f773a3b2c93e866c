import assert from 'node:assert/strict';
import { componentSum, describeSources, dlaBars, dlaNotes, headSources, sumCheck } from './dlaView';
import { signedLevel } from '../ci-source-strip/sourceLevels';
import { makeResidualFixture } from '../../../test/webview/residualFixtures';

describe('direct logit attribution view', () => {
  it('bars list the embeddings, each layer’s b_O and MLP, and ln_f’s bias', () => {
    const d = makeResidualFixture({ nTokens: 30 }).dla;
    const labels = dlaBars(d).map((b) => b.label);
    assert.equal(labels.length, 2 + 2 * 12 + 1);
    assert.deepEqual(labels.slice(0, 4), ['embed', 'pos_embed', 'L0 b_O', 'L0 MLP']);
    assert.equal(labels[labels.length - 1], 'ln_f bias');
  });

  it('checks the components against the model’s logit difference', () => {
    const d = makeResidualFixture({ nTokens: 30 }).dla;
    const c = sumCheck(d);
    assert.ok(c.ok);
    assert.match(c.text, /^components sum to 3\.645; model's logit difference 3\.645 ✓$/);
    assert.ok(Math.abs(componentSum(d) - d.logitDiff) < 1e-9);
  });

  it('warns when they differ by more than 1e-3 relative', () => {
    const d = makeResidualFixture({ nTokens: 30, badSum: true }).dla;
    const c = sumCheck(d);
    assert.equal(c.ok, false);
    assert.match(c.text, /does not add up/);
    const close = { ...d, logitDiff: d.total * (1 + 5e-4) };
    assert.ok(sumCheck(close).ok, '5e-4 relative is within tolerance');
  });

  it('flags a tiny logit difference and a missing wrong token plainly', () => {
    assert.ok(dlaNotes(makeResidualFixture({ tinyDiff: true, nTokens: 30 }).dla).some((n) => /barely separates/.test(n)));
    assert.ok(dlaNotes(makeResidualFixture({ noWrong: true, nTokens: 30 }).dla).some((n) => /No wrong token/.test(n)));
    assert.deepEqual(dlaNotes(makeResidualFixture({ nTokens: 30 }).dla), []);
  });

  it('a head’s sources sum to its value and name the token it copied from', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const s = headSources(r.dla, 9, 6);
    assert.equal(s.length, 30);
    const sum = s.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - r.dla.heads_layer_head[9 * 12 + 6]) < 1e-5);
    assert.match(describeSources(r.dla, r.tokens, 9, 6), /^Head 9\.6 at .* \(#29\): 1\.850 in all; most through [\d.]+ via '·old' \(#\d+\)/);
  });

  it('source levels are signed and zero for negligible values', () => {
    assert.equal(signedLevel(1, 1), 6);
    assert.equal(signedLevel(-0.5, 1), -3);
    assert.equal(signedLevel(0.01, 1), 0);
    assert.equal(signedLevel(1, 0), 0);
  });
});
