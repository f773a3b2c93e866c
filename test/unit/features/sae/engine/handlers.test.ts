/**
 * Inspect Features' engine methods against the tiny golden checkpoint (2 layers, d_model 32, n_ctx
 * 32) and a golden SAE on blocks.1.hook_resid_pre, through the real EngineClient and EngineServer
 * (in this thread, same message flow as the engine process).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineClient, TypedEngine } from '../../../../../src/engine/client';
import { isCancelled, type EngineError } from '../../../../../src/engine/protocol';
import type { SaeEngineMethods, SaeRef } from '../../../../../src/features/sae/shared/engineMethods';
import { Ablation, FeatureCard, Features, TokenFeatures } from '../../../../../src/features/sae/shared/protocol';
import type { ModelSpec } from '../../../../../src/shared/modelSpec';
import { saeReference } from '../../../../../src/features/sae/engine/saeInfo';
import { inProcessClient, type InProcessEngine } from '../../../engine/inProcessEngine';
import { REPO_ROOT } from '../../../../repoRoot';

const spec: ModelSpec = {
  dir: join(REPO_ROOT, 'test/golden/checkpoints/f32-bare'),
  displayName: 'golden-f32-bare',
  layerNorm: 'as_configured',
  prependBos: true,
};
const sae: SaeRef = { folder: join(REPO_ROOT, 'test/golden/sae/standard-v6-f32'), source: 'test/golden/sae/standard-v6-f32' };
const text = 'def f(self, x):\n    return self.x + x';

describe('sae: engine methods (tiny model, golden SAE)', function () {
  this.timeout(120_000);
  let engines: InProcessEngine[];
  let owner: EngineClient;
  let client: TypedEngine<SaeEngineMethods>;
  beforeEach(() => {
    ({ owner, engines } = inProcessClient());
    client = owner.methods<SaeEngineMethods>();
  });
  afterEach(() => owner.dispose(100));

  const run = (inspectionId = 'f1', model = spec) => client.call('features', { model, sae, inspectionId, text, k: 5 }).result;
  const on = { model: spec, sae, inspectionId: 'f1' };

  it('features: one run up to the hook, top-k sorted, L0 consistent with the card and the token list, records the view accepts', async () => {
    const r = await run();
    assert.equal(engines[0].forwards, 1);
    assert.equal(r.layersRun, 1, 'blocks.1.hook_resid_pre needs only block 0');
    const n = r.tokens.length;
    assert.deepEqual(r.warnings, []);
    const params = {
      inspectionId: 'f1',
      modelName: 'golden-f32-bare',
      sae: r.sae,
      warnings: r.warnings,
      notes: [],
      tokens: r.tokens,
      k: 5,
      top: r.top,
      l0_pos: r.l0_pos,
      resid_norm_pos: r.resid_norm_pos,
      error_norm_pos: r.error_norm_pos,
      stale: false,
    };
    assert.ok(Features.is(Features.create(params)), 'the webview guard accepts the features');
    for (let p = 0; p < n; p++) {
      const acts = r.top[p].map((f) => f.act);
      assert.deepEqual(
        acts,
        [...acts].sort((a, b) => b - a),
        `position ${p} sorted`,
      );
      assert.equal(r.top[p].length, Math.min(5, r.l0_pos[p]));
      assert.ok(r.error_norm_pos[p] <= r.resid_norm_pos[p] * 10 && r.error_norm_pos[p] >= 0);
    }
    const p = n - 1;
    const f = r.top[p][0].feature;
    const card = await client.call('card', { ...on, feature: f, k: 4 }).result;
    assert.ok(FeatureCard.is(FeatureCard.create({ inspectionId: 'f1', ...card })));
    assert.ok(Math.abs(card.acts_pos[p] - r.top[p][0].act) < 1e-6, 'the card and the strip agree');
    assert.equal(card.logitLens.top.length, 4);
    assert.ok(card.logitLens.top[0].value >= card.logitLens.top[3].value);
    assert.ok(card.logitLens.bottom[0].value <= card.logitLens.bottom[3].value);
    const listed = await client.call('tokenFeatures', { ...on, position: p }).result;
    assert.ok(TokenFeatures.is(TokenFeatures.create({ inspectionId: 'f1', position: p, ...listed })));
    assert.equal(listed.features.length, r.l0_pos[p], 'every active feature is listed');
    assert.deepEqual(
      listed.features.slice(0, 5).map((x) => x.feature),
      r.top[p].map((x) => x.feature),
    );
    assert.equal(engines[0].forwards, 1, 'card and list read the kept activations');
  });

  it('ablation: one batched run, clean equals the prompt activation; quality is finite', async () => {
    const r = await run();
    const p = r.tokens.length - 1;
    const f = r.top[p][0].feature;
    const card = await client.call('card', { ...on, feature: f, k: 3 }).result;
    const before = engines[0].forwards;
    const a = await client.call('ablation', { ...on, feature: f, position: p }).result;
    assert.equal(engines[0].forwards - before, 1, 'one batched run for every ablated position');
    assert.ok(Ablation.is(Ablation.create({ inspectionId: 'f1', ...a })));
    assert.equal(a.ablated_pos.length, p + 1);
    assert.ok(Math.abs(a.clean - card.acts_pos[p]) < 1e-4);
    assert.ok(
      a.ablated_pos.some((v) => Math.abs(v - a.clean) > 1e-6),
      'ablating some earlier token changes the activation',
    );
    const q = await client.call('quality', on).result;
    assert.equal(q.rel_error_pos.length, r.tokens.length);
    assert.equal(q.nScored, r.tokens.length - 1, 'BOS is not scored');
    assert.ok(q.ceClean > 0 && q.ceSpliced > 0 && q.top1Agreement >= 0 && q.top1Agreement <= 1);
  });

  it('bad input names the problem: a feature out of range, a position outside the prompt, an old inspection, an SAE for another width', async () => {
    await run();
    await assert.rejects(client.call('card', { ...on, feature: 128, k: 3 }).result, (e: EngineError) => e.code === 'bad-request' && /0\.\.127/.test(e.message));
    await assert.rejects(client.call('tokenFeatures', { ...on, position: 99 }).result, (e: EngineError) => /outside the prompt/.test(e.message));
    await assert.rejects(client.call('card', { ...on, inspectionId: 'old', feature: 1, k: 3 }).result, (e: EngineError) => e.code === 'unknown-context');
    const wide: ModelSpec = { ...spec, dir: join(REPO_ROOT, 'test/golden/checkpoints/wide-gelu'), displayName: 'wide' };
    await assert.rejects(run('f2', wide), (e: EngineError) => /does not fit wide/.test(e.message) && /d_in/.test(e.message));
    const other = await run('f3', { ...spec, displayName: 'some-other-model' });
    assert.ok(
      other.warnings.some((w) => /golden-f32-bare/.test(w)),
      'an SAE trained for another model is a warning',
    );
  });

  it('scan: examples sorted with their snippet painted; a cancelled scan is partial and the next one resumes, then is cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-scan-'));
    try {
      const files = Array.from({ length: 6 }, (_, i) => {
        const path = join(dir, `m${i}.py`);
        writeFileSync(path, Array.from({ length: 12 }, (_, j) => `def f${j}(self, x${i}):\n    return self.x + x${i} * ${j}\n`).join(''));
        return { path, label: `m${i}.py` };
      });
      writeFileSync(join(dir, 'bin.py'), Buffer.from([0, 1, 2]));
      files.push({ path: join(dir, 'bin.py'), label: 'bin.py' });
      const r = await run();
      const f = r.top[r.tokens.length - 1][0].feature;
      const params = { model: spec, sae, scope: 'py files', files, cacheKey: 'k1' };
      const call = client.call('scan', { ...params, scanId: 's1' }, (_phase, _m, d) => {
        if (d && d.filesDone >= 2) call.cancel();
      });
      await assert.rejects(call.result, (e: unknown) => isCancelled(e));
      const partial = await client.call('examples', { ...params, feature: f }).result;
      assert.equal(partial.partial, true);
      assert.ok(partial.filesScanned < files.length);
      const whole = await client.call('scan', { ...params, scanId: 's2' }).result;
      assert.equal(whole.cached, false);
      assert.equal(whole.filesScanned, files.length);
      assert.ok(whole.skipped.some((s) => /bin\.py: binary/.test(s)));
      const again = await client.call('scan', { ...params, scanId: 's3' }).result;
      assert.equal(again.cached, true);
      assert.equal(again.tokensScanned, whole.tokensScanned);
      const ex = await client.call('examples', { ...params, feature: f }).result;
      assert.equal(ex.partial, false);
      assert.ok(ex.top.length > 0);
      const acts = ex.top.map((e) => e.act);
      assert.deepEqual(
        acts,
        [...acts].sort((a, b) => b - a),
      );
      for (const e of ex.top) {
        assert.ok(Math.abs(e.tokens[e.peak].act - e.act) < 1e-4, 'the re-run window paints the same activation at the peak');
        assert.ok(e.line >= 1);
        assert.equal(e.tokens[e.peak].start, e.peakOffset);
      }
      assert.ok(ex.density > 0 && ex.density <= 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sae: the SAE’s own evaluation beside the prompt’s numbers', () => {
  it('reads the shipped SAE’s evaluation.json; a folder without one has no reference', () => {
    const shipped = saeReference(join(REPO_ROOT, 'models/gpt2-python-mini/sae/blocks.1.hook_resid_pre'));
    assert.ok(shipped && shipped.varianceExplained! > 0.5 && shipped.varianceExplained! <= 1, JSON.stringify(shipped));
    assert.ok(shipped.deltaCe! > 0, 'splicing costs some loss');
    assert.match(shipped.source, /held-out tokens/);
    assert.equal(saeReference(join(REPO_ROOT, 'test/golden/sae/standard-v6-f32')), undefined);
  });
});
