/**
 * The substitution's `featureAttribution` engine method through the real EngineClient and
 * EngineServer (in this thread), with the real SAE loader and ONNX encoder, on golden checkpoint
 * f32-bare and the golden SAE of tools/reference/sae_attribution.py: the ranked estimate arrives as
 * progress before the exact patches, both agree with the PyTorch reference, and cancel and bad SAEs
 * are answered clearly.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { EngineClient, type TypedEngine } from '../../../../../src/engine/client';
import { isCancelled, type EngineError } from '../../../../../src/engine/protocol';
import {
  isFeatureAttributionDetail,
  type FeatureAttributionDetail,
  type SubstitutionEngineMethods,
} from '../../../../../src/features/substitution/shared/engineMethods';
import { readSafetensorsFloat32 } from '../../../../../src/model/checkpoint';
import type { Float32Tensor } from '../../../../../src/model/tensor';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { goldenCases } from '../../../../golden/goldenCases';
import { InProcessEngine } from '../../../engine/inProcessEngine';
import { REPO_ROOT } from '../../../../repoRoot';

const gc = goldenCases().find((c) => c.name === 'f32-bare')!;
const spec: ModelSpec = { dir: gc.checkpoint, displayName: 'f32-bare', layerNorm: 'as_configured', prependBos: true };
const SAE = join(REPO_ROOT, 'test/golden/saeAttribution/resid1-standard');
const metric = { kind: 'logit_diff', answer: { id: gc.answer, text: 'a' }, wrong: { id: gc.wrong, text: 'w' } } as const;
const params = { model: spec, sae: SAE, clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric, topK: 6 };

describe('substitution engine: featureAttribution (SAE features that carry a substitution)', function () {
  this.timeout(120_000);
  let owner: EngineClient;
  let client: TypedEngine<SubstitutionEngineMethods>;
  let golden: Map<string, Float32Tensor>;
  before(async () => {
    golden = await readSafetensorsFloat32(join(SAE, 'golden.safetensors'));
  });
  beforeEach(() => {
    owner = new EngineClient(() => new InProcessEngine());
    client = owner.methods<SubstitutionEngineMethods>();
  });
  afterEach(() => owner.dispose(100));

  const tol = (name: string) => 1e-4 * golden.get(name)!.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  it('sends the ranked estimate first, then the exact patches of the top features in both directions, as the reference computes them', async () => {
    const details: FeatureAttributionDetail[] = [];
    const r = await client.call('featureAttribution', params, (_phase, _m, d) => {
      if (isFeatureAttributionDetail(d)) details.push(d);
    }).result;
    assert.equal(details[0]?.kind, 'estimate', 'the estimate comes first');
    assert.ok(
      details.slice(1).every((d) => d.kind === 'exact'),
      'then exact progress',
    );
    const est = details[0].kind === 'estimate' ? details[0].estimate : undefined;
    assert.ok(est && est.features.every((f) => f.exact === undefined));
    assert.equal(r.features.length, 6);
    assert.equal(r.sae.hook, 'blocks.1.hook_resid_pre');
    assert.equal(r.sae.dSae, 96);
    assert.ok(r.attributed > 6 && r.attributed <= 96);

    // The top 6 of the reference, by max |attribution| over both directions.
    const gd = golden.get('attr.denoise')!.data;
    const gn = golden.get('attr.noise')!.data;
    const order = Array.from(gd, (_, i) => i).sort((a, b) => Math.max(Math.abs(gd[b]), Math.abs(gn[b])) - Math.max(Math.abs(gd[a]), Math.abs(gn[a])));
    assert.deepEqual(
      r.features.map((f) => f.feature),
      order.slice(0, 6),
    );
    for (const f of r.features) {
      assert.ok(Math.abs(f.attribution.denoise - gd[f.feature]) <= tol('attr.denoise'), `feature ${f.feature} denoise attribution`);
      assert.ok(Math.abs(f.attribution.noise - gn[f.feature]) <= tol('attr.noise'), `feature ${f.feature} noise attribution`);
      assert.ok(Math.abs(f.exact!.denoise - golden.get('exact.denoise')!.data[f.feature]) <= tol('exact.denoise'), `feature ${f.feature} exact denoise`);
      assert.ok(Math.abs(f.exact!.noise - golden.get('exact.noise')!.data[f.feature]) <= tol('exact.noise'), `feature ${f.feature} exact noise`);
      assert.equal(f.denoise_pos.length, gc.clean_tokens.length);
      const sum = f.denoise_pos.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - f.attribution.denoise) < 1e-4, 'per-position attribution sums to the total');
    }
    assert.ok(Math.abs(r.metricClean - golden.get('metric.clean')!.data[0]) <= tol('metric.clean'));
  });

  it('cancelling after the estimate stops the exact patches', async () => {
    const call = client.call('featureAttribution', { ...params, topK: 60, maxBatch: 1 }, (_p, _m, d) => {
      if (isFeatureAttributionDetail(d) && d.kind === 'estimate') call.cancel();
    });
    await assert.rejects(call.result, (e: unknown) => isCancelled(e));
  });

  it('a missing SAE folder and an SAE for another model are clear errors', async () => {
    await assert.rejects(client.call('featureAttribution', { ...params, sae: join(REPO_ROOT, 'no/such/sae') }).result, (e: EngineError) => {
      assert.match(e.message, /no\/such\/sae|not found|cfg\.json/i);
      return true;
    });
    const wide: ModelSpec = { ...spec, dir: join(REPO_ROOT, 'test/golden/checkpoints/wide-gelu'), displayName: 'wide-gelu' };
    await assert.rejects(
      client.call('featureAttribution', { ...params, model: wide, clean: gc.clean_tokens.slice(0, 5), corrupt: gc.corrupt_tokens.slice(0, 5) }).result,
      (e: EngineError) => {
        assert.equal(e.code, 'bad-request');
        assert.match(e.message, /does not fit wide-gelu/);
        return true;
      },
    );
    await assert.rejects(client.call('featureAttribution', { ...params, topK: 0 }).result, /topK 0/);
  });
});
