/**
 * Hooks cost nothing unless fetched or patched: each run's graph variant exposes only the class of
 * hooks it fetches (none for a logits run), and masks with an additive bias unless the masked
 * scores themselves are asked for. These tests hold the values to the all-hooks graph and the
 * `Where` mask, and the number of variants to the fetched classes.
 */
import assert from 'node:assert/strict';
import { CausalMasks } from '../../../src/model/causalMasks';
import { buildGpt2Graph } from '../../../src/model/graph/gpt2Graph';
import { INPUT, OUTPUT } from '../../../src/model/graph/gpt2GraphSpec';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { planRun } from '../../../src/model/runPlan';
import { BLOCK_HOOK_SUFFIXES, GLOBAL_HOOK_NAMES, blockHook, type HookName } from '../../../src/shared/hookNames';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];
const P = tokens.length;
const allHooks: HookName[] = [...GLOBAL_HOOK_NAMES, ...Array.from({ length: c.nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.map((s) => blockHook(l, s))).flat()];
const patterns = Array.from({ length: c.nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
const plan = (fetch: readonly HookName[], extra: Parameters<typeof planRun>[4] = {}) =>
  planRun(c, 'as_configured', new CausalMasks(), tokens, { fetch, ...extra });

describe('graph variants: only the fetched hooks are outputs', () => {
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c, 5));
  });
  after(() => model.dispose());

  it('a logits-only run plans a graph with no hook outputs and the additive mask', () => {
    const p = plan([]);
    assert.deepEqual(p.spec.exposedHooks, []);
    assert.equal(p.spec.attentionMask, 'additive');
    const graph = buildGpt2Graph(c, p.spec);
    assert.deepEqual(
      graph.outputs.map((o) => o.name),
      [OUTPUT.logits],
    );
    assert.ok(!graph.nodes.some((n) => n.opType === 'Where'), 'no Where: nothing is patched and the mask is a bias');
    assert.ok(INPUT.causalBias in p.feeds && !(INPUT.causalMask in p.feeds));
  });

  it("fetching one layer's pattern exposes that hook class at every layer, and nothing else", () => {
    const p = plan([blockHook(1, 'attn.hook_pattern')], { logits: 'none' });
    assert.deepEqual(p.spec.exposedHooks, [blockHook(0, 'attn.hook_pattern'), blockHook(1, 'attn.hook_pattern')], 'layers 0..1: the run stops after layer 1');
    assert.deepEqual(
      buildGpt2Graph(c, p.spec)
        .outputs.map((o) => o.name)
        .sort(),
      [blockHook(0, 'attn.hook_pattern'), blockHook(1, 'attn.hook_pattern')],
    );
  });

  it('the masked scores, fetched or patched, keep the Where mask; a bias graph refuses to serve them', () => {
    assert.equal(plan([blockHook(0, 'attn.hook_attn_scores')]).spec.attentionMask, 'where');
    const scores = blockHook(2, 'attn.hook_attn_scores');
    const patched = plan([], { patches: [{ hook: scores, values: { dims: [1, c.nHeads, P, P], data: new Float32Array(c.nHeads * P * P) } }] });
    assert.equal(patched.spec.attentionMask, 'where');
    assert.ok(INPUT.causalMask in patched.feeds);
    assert.throws(() => buildGpt2Graph(c, { ...plan([]).spec, exposedHooks: [scores] }), /additive causal mask cannot serve attn.hook_attn_scores/);
  });

  it('fetched-class variants give the same values as the all-hooks graph', async () => {
    const full = await model.runWithCache(tokens, allHooks, { logits: 'all' });
    const onlyPatterns = await model.runWithCache(tokens, patterns, { logits: 'all' });
    const logitsOnly = await model.run(tokens, { logits: 'all' });
    assert.deepEqual(onlyPatterns.cache.names.sort(), [...patterns].sort());
    for (const h of patterns) assert.ok(maxAbsDiff(onlyPatterns.cache.get(h).data, full.cache.get(h).data) < 1e-6, h);
    assert.ok(maxAbsDiff(onlyPatterns.logits!.data, full.logits!.data) < 1e-5);
    assert.ok(maxAbsDiff(logitsOnly.logits!.data, full.logits!.data) < 1e-5);
    const resid = blockHook(2, 'hook_resid_post');
    const one = await model.runWithCache(tokens, [resid, 'ln_final.hook_scale']);
    assert.ok(maxAbsDiff(one.cache.get(resid).data, full.cache.get(resid).data) < 1e-5);
    assert.ok(maxAbsDiff(one.cache.get('ln_final.hook_scale').data, full.cache.get('ln_final.hook_scale').data) < 1e-5);
  });

  it('the additive mask equals the Where mask: same patterns and logits, and the masked scores read −inf exactly', async () => {
    const scores = patterns.map((h) => h.replace('hook_pattern', 'hook_attn_scores') as HookName);
    const bias = await model.runWithCache(tokens, patterns); // additive
    const where = await model.runWithCache(tokens, [...patterns, ...scores]); // Where
    for (const h of patterns) assert.ok(maxAbsDiff(bias.cache.get(h).data, where.cache.get(h).data) < 1e-7, h);
    assert.ok(maxAbsDiff(bias.logits!.data, where.logits!.data) < 1e-6);
    for (const h of scores) {
      const s = where.cache.get(h).data;
      for (let head = 0; head < c.nHeads; head++) {
        for (let q = 0; q < P; q++) {
          for (let k = 0; k < P; k++) {
            const v = s[(head * P + q) * P + k];
            if (k > q) assert.equal(v, -Infinity, `${h}[${head}, ${q}, ${k}] is masked`);
            else assert.ok(Number.isFinite(v), `${h}[${head}, ${q}, ${k}] is a score`);
          }
        }
      }
    }
  });

  it('a gradient run without fetched hooks matches one with every hook exposed', async () => {
    const metricGrad = Float32Array.from({ length: c.dVocab }, (_, i) => (i % 7) - 3);
    const gradient = { metricGrad, hooks: [blockHook(0, 'attn.hook_pattern'), blockHook(1, 'hook_resid_pre')] };
    const lean = await model.run(tokens, { gradient });
    const wide = await model.run(tokens, { gradient, fetch: allHooks.filter((h) => !h.endsWith('attn.hook_result')) });
    for (const h of gradient.hooks) assert.ok(maxAbsDiff(lean.gradients!.get(h).data, wide.gradients!.get(h).data) < 1e-5, h);
  });

  it('variants stay bounded: one per fetched hook class, whatever the layers; the LRU evicts the rest', async () => {
    const m = new HookedGpt2(c, randomWeights(c, 6), { maxSessions: 3 });
    try {
      for (let l = 0; l < c.nLayers; l++) await m.runWithCache(tokens, [blockHook(l, 'attn.hook_pattern')]);
      await m.runWithCache(tokens, patterns);
      assert.equal(m.sessionCount, 1, "layer l's pattern, for every l, and all of them: one variant");
      await m.run(tokens);
      await m.runWithCache(tokens, [blockHook(0, 'hook_resid_post'), blockHook(2, 'hook_resid_post')]);
      assert.equal(m.sessionCount, 3, 'logits only, patterns, residuals');
      await m.runWithCache(tokens, [blockHook(1, 'mlp.hook_post')]);
      assert.equal(m.sessionCount, 3, 'a fourth class evicts the least recently used');
    } finally {
      await m.dispose();
    }
  });
});
