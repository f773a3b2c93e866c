/** Thread-pool options reach every session a model builds, and a spinning pool computes the same logits. */
import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { OrtSession, type OrtSessionOptions } from '../../../src/model/ort';
import { blockHook } from '../../../src/shared/hookNames';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3];

describe('HookedGpt2 thread-pool options', () => {
  const seen: (OrtSessionOptions | undefined)[] = [];
  const create = OrtSession.create.bind(OrtSession);
  before(() => {
    (OrtSession as unknown as { create: typeof OrtSession.create }).create = (model, label, options) => {
      seen.push(options);
      return create(model, label, options);
    };
  });
  after(() => {
    (OrtSession as unknown as { create: typeof OrtSession.create }).create = create;
  });

  it('does not spin by default, in the plain and the hooked variants', async () => {
    seen.length = 0;
    const m = new HookedGpt2(c, randomWeights(c, 3), { threads: 1 });
    try {
      await m.run(tokens);
      await m.runWithCache(tokens, [blockHook(0, 'attn.hook_pattern')]);
    } finally {
      await m.dispose();
    }
    assert.equal(seen.length, 2);
    assert.ok(seen.every((o) => o?.spinning === false && o.threads === 1));
  });

  it('spins in every variant when asked, with the same logits', async () => {
    const w = randomWeights(c, 3);
    const plain = new HookedGpt2(c, w);
    seen.length = 0;
    const spinning = new HookedGpt2(c, w, { spinning: true });
    try {
      const a = (await plain.run(tokens)).logits!;
      const b = (await spinning.run(tokens)).logits!;
      await spinning.runWithCache(tokens, [blockHook(1, 'hook_resid_post')]);
      assert.equal(maxAbsDiff(a.data, b.data), 0);
      assert.ok(seen.filter((o) => o?.spinning === true).length >= 2, 'both of the spinning model’s sessions spin');
    } finally {
      await plain.dispose();
      await spinning.dispose();
    }
  });
});

describe('HookedGpt2 prepacked forward (block weights embedded as in-memory external data)', () => {
  it('the plain forward declares no block-weight inputs, hands them over as external data, and matches the fed graph', async () => {
    const w = randomWeights(c, 9);
    const seen: { label: string; options?: OrtSessionOptions; inputs: readonly string[] }[] = [];
    const create = OrtSession.create.bind(OrtSession);
    (OrtSession as unknown as { create: typeof OrtSession.create }).create = async (model, label, options) => {
      const s = await create(model, label, options);
      seen.push({ label, options, inputs: s.inputNames });
      return s;
    };
    const embedded = new HookedGpt2(c, w, { embedWeightsInForward: true });
    const fed = new HookedGpt2(c, w, { embedWeightsInForward: false });
    try {
      const a = (await embedded.run(tokens, { logits: 'all' })).logits!;
      const b = (await fed.run(tokens, { logits: 'all' })).logits!;
      assert.ok(maxAbsDiff(a.data, b.data) < 1e-5, `embedded vs fed: ${maxAbsDiff(a.data, b.data)}`);
      const [e, f] = seen;
      assert.ok(!e.inputs.some((n) => n.startsWith('weight:blocks.')), 'the embedded forward takes no block weights as inputs');
      assert.equal(e.options?.externalData?.length, c.nLayers * 12, 'twelve block tensors per layer (W_O by head is not used by the plain forward)');
      assert.ok(f.inputs.some((n) => n.startsWith('weight:blocks.')) && !f.options?.externalData);
    } finally {
      (OrtSession as unknown as { create: typeof OrtSession.create }).create = create;
      await embedded.dispose();
      await fed.dispose();
    }
  });
});
