import assert from 'node:assert/strict';
import { answerOf, figureCaption, lensPending, mergeDocumentWindows } from './residualView';
import { makeResidualFixture, makeResidualPartial } from '../../../test/webview/residualFixtures';

describe('residual panel view', () => {
  it('merges a document’s windows: one BOS, then every window’s text positions in order', () => {
    const w = [0, 1].map((i) => makeResidualFixture({ nTokens: 10, inspectionId: `w${i}` }).norms);
    const merged = mergeDocumentWindows({
      runId: 'doc',
      source: 'a.py',
      modelName: 'm',
      n_layers: 12,
      n_boundaries: 13,
      totalTokens: 18,
      windowTokens: 10,
      windows: w,
      windowStarts: [0, 9],
      rawGrowth: w[0].rawGrowth,
      centredGrowth: w[0].centredGrowth,
      notes: [],
      stale: false,
    });
    assert.equal(merged.n_tokens, 19);
    assert.equal(merged.hasBos, true);
    // Boundary 3: BOS from window 0, then window 0's 9 text positions, then window 1's (its BOS dropped).
    assert.equal(merged.raw_boundary_pos[3 * 19 + 0], w[0].raw_boundary_pos[3 * 10 + 0]);
    assert.equal(merged.raw_boundary_pos[3 * 19 + 9], w[0].raw_boundary_pos[3 * 10 + 9]);
    assert.equal(merged.raw_boundary_pos[3 * 19 + 10], w[1].raw_boundary_pos[3 * 10 + 1]);
    assert.equal(merged.mlp_out_layer_pos[11 * 19 + 18], w[1].mlp_out_layer_pos[11 * 10 + 9]);
  });

  it('the exported figures’ caption names the model, the prompt and the answer', () => {
    const r = makeResidualFixture({ nTokens: 30 });
    const c = figureCaption(r);
    assert.match(c, /^gpt2-python-mini · "class ParamStore: def update/);
    assert.match(c, /\(30 tokens\) · answer '·old' vs '·value' at position 29$/);
  });

  it('a record without its lens: the answer and the caption come from DLA’s direction', () => {
    const whole = makeResidualFixture({ nTokens: 30 });
    const partial = makeResidualPartial({ nTokens: 30 });
    assert.deepEqual(answerOf(partial), whole.lens.answer);
    assert.equal(figureCaption(partial), figureCaption(whole));
  });

  it('the lens section without a lens: the run’s percentage while it runs, why it never came after', () => {
    assert.deepEqual(lensPending({ state: 'running', message: 'Logit lens 164/390 rows…', progress: 0.42 }), {
      busy: true,
      text: 'Computing the logit lens… 42%',
      progress: 0.42,
    });
    assert.deepEqual(lensPending({ state: 'loading' }), { busy: true, text: 'Computing the logit lens…', progress: undefined });
    assert.deepEqual(lensPending(undefined), { busy: true, text: 'Computing the logit lens…', progress: undefined });
    assert.match(lensPending({ state: 'cancelled', message: 'Cancelled' }).text, /not computed: the run was cancelled/);
    assert.equal(lensPending({ state: 'error', message: 'the engine stopped' }).text, 'The logit lens was not computed: the engine stopped');
    assert.equal(lensPending({ state: 'done' }).busy, false);
  });
});
