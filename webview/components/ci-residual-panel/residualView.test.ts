import assert from 'node:assert/strict';
import { figureCaption, mergeDocumentWindows } from './residualView';
import { makeResidualFixture } from '../../../test/webview/residualFixtures';

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
});
