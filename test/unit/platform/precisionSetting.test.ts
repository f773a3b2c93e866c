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
import { INT8_LABEL, splitModelLabel } from '../../../src/shared/precision';

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
});
