import * as assert from 'node:assert/strict';
import { ForwardCache } from '../../../src/engine/forwardCache';
import { ActivationCache } from '../../../src/model/activationCache';
import type { RunResult } from '../../../src/model/runOptions';
import type { HookName } from '../../../src/shared/hookNames';
import type { ModelSpec } from '../../../src/shared/modelSpec';

const spec: ModelSpec = { dir: '/m', displayName: 'm', layerNorm: 'as_configured', prependBos: true };
const other: ModelSpec = { ...spec, layerNorm: 'identity' };

function fakeRun(hooks: HookName[], floats = 4, logitPositions: number[] = [2]): RunResult {
  const values = new Map(hooks.map((h) => [h, { dims: [1, floats], data: new Float32Array(floats) }] as const));
  return {
    cache: new ActivationCache(values),
    logits: { dims: [1, logitPositions.length, 3], data: new Float32Array(3 * logitPositions.length) },
    logitPositions,
  };
}

describe('ForwardCache: one forward serves later requests for the same prompt', () => {
  const a: HookName = 'blocks.0.attn.hook_pattern';
  const b: HookName = 'blocks.0.hook_resid_pre';

  it('finds a forward of the same model and tokens only when it has every hook and logit position asked for', () => {
    const c = new ForwardCache();
    const run = fakeRun([a, b]);
    c.put(spec, [1, 2, 3], run);
    assert.equal(c.find(spec, [1, 2, 3], { hooks: [a] }), run);
    assert.equal(c.find(spec, [1, 2, 3], { hooks: [a, b], logitPositions: [2] }), run);
    assert.equal(c.find(spec, [1, 2, 3], { hooks: [a], logitPositions: [1] }), undefined, 'logits at 1 were not computed');
    assert.equal(c.find(spec, [1, 2, 3], { hooks: ['blocks.1.hook_resid_pre'] }), undefined, 'a hook it did not fetch');
    assert.equal(c.find(spec, [1, 2], { hooks: [a] }), undefined, 'other tokens');
    assert.equal(c.find({ ...spec, prependBos: false }, [1, 2, 3], { hooks: [a] }), undefined, 'another spec');
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const c = new ForwardCache({ maxEntries: 2 });
    c.put(spec, [1], fakeRun([a]));
    c.put(spec, [2], fakeRun([a]));
    assert.ok(c.find(spec, [1], { hooks: [a] }), 'touching [1] makes [2] the oldest');
    c.put(spec, [3], fakeRun([a]));
    assert.equal(c.size, 2);
    assert.equal(c.find(spec, [2], { hooks: [a] }), undefined);
    assert.ok(c.find(spec, [1], { hooks: [a] }));
  });

  it('drops older forwards over maxBytes but always keeps the newest; another model spec drops the rest', () => {
    const c = new ForwardCache({ maxEntries: 4, maxBytes: 1000 });
    c.put(spec, [1], fakeRun([a], 100)); // 400 B + logits 12 B
    c.put(spec, [2], fakeRun([a], 100));
    assert.equal(c.size, 2);
    c.put(spec, [3], fakeRun([a], 1000)); // 4000 B alone is over the bound
    assert.equal(c.size, 1);
    assert.ok(c.find(spec, [3], { hooks: [a] }));
    c.put(other, [3], fakeRun([a]));
    assert.equal(c.size, 1);
    assert.equal(c.find(spec, [3], { hooks: [a] }), undefined);
  });

  it('reserve makes room for a forward about to run: older entries go until held + new fits the bound', () => {
    const c = new ForwardCache({ maxEntries: 4, maxBytes: 1000 });
    c.put(spec, [1], fakeRun([a], 100)); // 412 B
    c.put(spec, [2], fakeRun([a], 100)); // 412 B
    c.reserve(100);
    assert.equal(c.size, 2, '824 + 100 fits 1000: nothing dropped');
    c.reserve(300);
    assert.equal(c.size, 1, '824 + 300 does not fit: the least recently used goes');
    assert.ok(c.find(spec, [2], { hooks: [a] }));
    c.reserve(5000);
    assert.equal(c.size, 0, 'a forward over the bound on its own: nothing is kept beside it');
  });

  it('a second forward of the same tokens is merged: the hooks of both, the logits of the wider', () => {
    const c = new ForwardCache();
    c.put(spec, [1, 2, 3], fakeRun([a], 4, [0, 1, 2]));
    c.put(spec, [1, 2, 3], fakeRun([b], 4, [2]));
    assert.equal(c.size, 1);
    const run = c.find(spec, [1, 2, 3], { hooks: [a, b], logitPositions: [0, 1, 2] });
    assert.ok(run, 'both hooks and every logit position');
  });

  it('getOrRun runs only on a miss and says whether it reused', async () => {
    const c = new ForwardCache();
    let runs = 0;
    const run = () => {
      runs++;
      return Promise.resolve(fakeRun([a, b]));
    };
    assert.equal((await c.getOrRun(spec, [5, 6], { hooks: [a] }, run)).reused, false);
    assert.equal((await c.getOrRun(spec, [5, 6], { hooks: [b] }, run)).reused, true);
    assert.equal(runs, 1);
  });
});
