/**
 * `circuitInspector.precision` reaches the engine: the setting is read, becomes the spec's precision
 * and its labelled name, the engine's model holder keys on it, and the engine loads the model at it.
 */
import * as assert from 'node:assert/strict';
import type { LoadModelOptions } from '../../../src/model/loadHookedGpt2';
import { defineEngineModule } from '../../../src/engine/registry';
import { EngineServer } from '../../../src/engine/server';
import type { EngineToHost } from '../../../src/engine/protocol';
import { DEFAULTS, modelSpecFor, readSettings } from '../../../src/platform/settingsKeys';
import { isModelSpec, modelSpecKey, type ModelSpec } from '../../../src/shared/modelSpec';
import { INT8_LABEL, isLogitsError, splitModelLabel } from '../../../src/shared/precision';
import { EngineClient } from '../../../src/engine/client';
import type { AttentionEngineMethods } from '../../../src/features/attention/shared/engineMethods';
import { shippedModelDir } from '../../../src/model/shippedModel';
import { InProcessEngine } from '../engine/inProcessEngine';

const model = { dir: '/models/gpt2', displayName: 'gpt2' };

describe('circuitInspector.precision', () => {
  it('reads "exact" and "int8", and anything else as the default, exact', () => {
    assert.equal(DEFAULTS.precision, 'exact');
    assert.equal(readSettings((k) => (k === 'precision' ? 'int8' : undefined)).precision, 'int8');
    assert.equal(readSettings((k) => (k === 'precision' ? 'fp16' : undefined)).precision, 'exact');
  });

  it('an int8 spec says so in its name and has its own key; the exact spec is unchanged', () => {
    const exact = modelSpecFor(model, DEFAULTS);
    const int8 = modelSpecFor(model, { ...DEFAULTS, precision: 'int8' });
    assert.equal(exact.displayName, 'gpt2');
    assert.equal(exact.precision, undefined);
    assert.equal(int8.precision, 'int8');
    assert.equal(int8.displayName, `gpt2 · ${INT8_LABEL}`);
    assert.deepEqual(splitModelLabel(int8.displayName), { name: 'gpt2', int8: true });
    assert.notEqual(modelSpecKey(int8), modelSpecKey(exact));
    assert.equal(modelSpecKey(exact), JSON.stringify(['/models/gpt2', 'as_configured', true]));
    assert.ok(isModelSpec(int8) && isModelSpec(exact));
    assert.ok(!isModelSpec({ ...int8, precision: 'fp16' }));
  });

  it("the engine loads the model at the spec's precision, and loads again when it changes", async () => {
    const loads: LoadModelOptions[] = [];
    const load = async (dir: string, options: LoadModelOptions) => {
      loads.push(options);
      return { dir, dispose: async () => undefined } as never;
    };
    const probe = defineEngineModule<{ probe: { params: { model: ModelSpec }; result: string } }>('probe', () => ({
      handlers: {
        probe: async ({ model: spec }, ctx) => {
          await ctx.model(spec); // held until the request settles
          return spec.displayName;
        },
      },
    }));
    const replies: EngineToHost[] = [];
    const server = new EngineServer(load, (m) => replies.push(m), [probe]);
    const ask = (id: number, spec: ModelSpec) => server.handle({ type: 'request', id, method: 'probe', params: { model: spec } });
    ask(1, modelSpecFor(model, { ...DEFAULTS, precision: 'int8' }));
    await new Promise((r) => setTimeout(r, 10));
    ask(2, modelSpecFor(model, DEFAULTS));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      loads.map((o) => o.precision),
      ['int8', 'exact'],
    );
    assert.deepEqual(
      replies.filter((r) => r.type === 'result').map((r) => (r as { result: unknown }).result),
      [`gpt2 · ${INT8_LABEL}`, 'gpt2'],
    );
    await server.dispose();
  });

  it('an int8 inspection carries its logits error against fp32, measured once per model and prompt; an exact one carries none', async function () {
    this.timeout(120_000);
    let worker: InProcessEngine | undefined;
    const client = new EngineClient(
      () => (worker = new InProcessEngine()),
      () => undefined,
    );
    const engine = client.methods<AttentionEngineMethods>();
    const shipped = { dir: shippedModelDir(), displayName: 'gpt2-python-mini' };
    const int8 = modelSpecFor(shipped, { ...DEFAULTS, precision: 'int8' });
    const text = 'def area(self):\n    return self.width * self.height\n';
    try {
      const first = await engine.call('inspect', { model: int8, inspectionId: 'a', text, watchTokens: [] }).result;
      const e = first.inspection.precisionError;
      assert.ok(isLogitsError(e), 'the int8 inspection has its logits error');
      assert.equal(e.positions, first.inspection.tokens.length);
      assert.ok(e.maxAbs > 0 && e.top1Agree >= 0.9 * e.positions, `${JSON.stringify(e)}`);
      assert.equal(first.inspection.modelName, `gpt2-python-mini · ${INT8_LABEL}`);
      const forwards = worker!.forwards;
      const again = await engine.call('inspect', { model: int8, inspectionId: 'b', text, watchTokens: [] }).result;
      assert.deepEqual(again.inspection.precisionError, e);
      assert.equal(worker!.forwards - forwards, 1, 'the same prompt again: one int8 forward (the inspection), no new error measure');
      const exact = await engine.call('inspect', { model: modelSpecFor(shipped, DEFAULTS), inspectionId: 'c', text, watchTokens: [] }).result;
      assert.equal(exact.inspection.precisionError, undefined);
      assert.equal(exact.inspection.modelName, 'gpt2-python-mini');
    } finally {
      await client.dispose();
    }
  });
});
