/**
 * The host side of the substitution's SAE features that carries no `vscode`: how a feature row is
 * read (shares of the gap, sign disagreement, verdicts only with exact data and a real gap), the
 * message guards, and the results keeping the latest state per run for a reloaded webview.
 */
import * as assert from 'node:assert/strict';
import { ComparisonResults } from '../../../../src/features/substitution/results';
import { isFeatureAttributionDetail } from '../../../../src/features/substitution/shared/engineMethods';
import {
  InspectFeature,
  isSaeFeaturesParams,
  isSubstitutionHostToWebview,
  isSubstitutionWebviewToHost,
  SaeFeatures,
  type ComparisonParams,
  type SaeFeatureRow,
  type SaeFeaturesParams,
} from '../../../../src/features/substitution/shared/protocol';
import { formatFeatureChange, readFeature } from '../../../../src/features/substitution/shared/saeFeatureReading';

const metric = (clean: number, corrupt: number) => ({
  spec: { kind: 'logit_diff' as const, answer: { id: 1, text: 'a' }, wrong: { id: 2, text: 'b' } },
  clean,
  corrupt,
});

/** A feature with the given estimate and exact shares (denoise restores, noise removes) of a gap of 4 (clean 3, corrupt −1). */
function row(est: [number, number], exact?: [number, number]): SaeFeatureRow {
  const gap = 4;
  return {
    feature: 7,
    attribution: { denoise: est[0] * gap, noise: -est[1] * gap },
    exact: exact && { denoise: -1 + exact[0] * gap, noise: 3 - exact[1] * gap },
    denoise_pos: Float32Array.of(0, 0.1 * est[0] * gap, 0.9 * est[0] * gap),
    noise_pos: Float32Array.of(0, 0, -est[1] * gap),
  };
}

describe('substitution: reading an SAE feature row', () => {
  it('shares of the gap in each direction, and where the attribution peaks', () => {
    const r = readFeature(row([0.5, 0.25], [0.4, 0.3]), metric(3, -1));
    assert.equal(r.cells.denoise.estimateShare, 0.5);
    assert.ok(Math.abs(r.cells.denoise.exactShare! - 0.4) < 1e-12);
    assert.equal(r.cells.noise.estimateShare, 0.25);
    assert.ok(Math.abs(r.cells.noise.exactShare! - 0.3) < 1e-12);
    assert.equal(r.peakPosition, 2);
    assert.equal(r.verdict, 'carries');
    assert.deepEqual(r.notes, []);
  });

  it('flags estimate and exact of opposite signs, with no verdict', () => {
    const r = readFeature(row([0.3, 0.02], [-0.25, 0.03]), metric(3, -1));
    assert.equal(r.cells.denoise.signDisagrees, true);
    assert.equal(r.cells.noise.signDisagrees, false);
    assert.equal(r.verdict, undefined);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0], /^Denoising: the estimate \(\+30%\) and the exact patch \(-25%\) disagree in sign/);
  });

  it('calls a feature negligible only when its exact patch moves under 2% both ways; nothing before the exact patch', () => {
    assert.equal(readFeature(row([0.05, 0.05], [0.01, -0.015]), metric(3, -1)).verdict, 'negligible');
    assert.equal(readFeature(row([0.05, 0.05], [0.01, 0.05]), metric(3, -1)).verdict, undefined);
    assert.equal(readFeature(row([0.5, 0.5]), metric(3, -1)).verdict, undefined);
    // signs near zero do not count as disagreeing: below 1% of the gap
    assert.equal(readFeature(row([0.005, 0.3], [-0.004, 0.3]), metric(3, -1)).cells.denoise.signDisagrees, false);
  });

  it('a small gap: raw changes, no shares, no verdicts', () => {
    const m = metric(1.01, 1.0);
    const f: SaeFeatureRow = { ...row([0, 0]), attribution: { denoise: 0.004, noise: -0.003 }, exact: { denoise: 1.0035, noise: 1.0 } };
    const r = readFeature(f, m);
    assert.equal(r.cells.denoise.estimateShare, null);
    assert.equal(r.verdict, undefined);
    assert.equal(formatFeatureChange(r.cells.denoise.estimate, r.cells.denoise.estimateShare, m), '+0.004 nats');
    assert.equal(formatFeatureChange(0.5, 0.125, m), '+12.5%');
  });
});

describe('substitution: SAE features messages and results', () => {
  const features = (runId: string, state: SaeFeaturesParams['state'] = 'done'): SaeFeaturesParams => ({
    runId,
    state,
    features: [row([0.5, 0.2], [0.4, 0.1])],
    warnings: [],
    sae: { label: 'x', hook: 'blocks.1.hook_resid_pre', dSae: 16, inputTransform: 'none' },
    attributed: 3,
  });

  it('guards: well-formed messages pass, malformed ones do not', () => {
    assert.ok(isSubstitutionHostToWebview(SaeFeatures.create(features('r'))));
    assert.ok(isSubstitutionWebviewToHost(InspectFeature.create({ runId: 'r', feature: 3 })));
    assert.ok(!isSubstitutionWebviewToHost(InspectFeature.create({ runId: 'r', feature: -1 })));
    assert.ok(!isSaeFeaturesParams({ ...features('r'), state: 'sweeping' }));
    assert.ok(!isSaeFeaturesParams({ ...features('r'), progress: { done: 5, total: 4 } }));
    const bad = { ...features('r'), features: [{ ...row([0.1, 0.1]), noise_pos: new Float32Array(1) }] };
    assert.ok(!isSaeFeaturesParams(bad), 'per-position arrays of different lengths');
    assert.ok(!isSaeFeaturesParams({ ...features('r'), features: [{ ...row([0.1, 0.1]), attribution: { denoise: NaN, noise: 0 } }] }));
    assert.ok(isFeatureAttributionDetail({ kind: 'exact', direction: 'noise', done: 1, total: 2 }));
    assert.ok(!isFeatureAttributionDetail({ kind: 'progress' }));
  });

  it('results keep the latest state of the comparison on screen, drop other runs, and forget it with a new comparison', () => {
    const results = new ComparisonResults();
    const c = { runId: 'a' } as ComparisonParams;
    results.start(c);
    assert.equal(results.setSaeFeatures(features('other')), false);
    assert.equal(results.setSaeFeatures(features('a', 'exact')), true);
    assert.equal(results.setSaeFeatures(features('a', 'done')), true);
    assert.equal(results.snapshot()?.saeFeatures?.state, 'done');
    results.start({ runId: 'b' } as ComparisonParams);
    assert.equal(results.snapshot()?.saeFeatures, undefined);
  });
});
