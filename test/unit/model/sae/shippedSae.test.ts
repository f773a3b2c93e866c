/**
 * The SAE shipped with the shipped model (models/gpt2-python-mini/sae/blocks.1.hook_resid_pre, made by
 * tools/sae/pipeline.sh) loads through the project's loader, fits the model, stays within the issue's
 * size and width limits, and reads the model's residual stream through the project's engine (ONNX
 * Runtime) the way tools/sae/evaluate.py measured it in PyTorch (the card's numbers, evaluation.json).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { checkSaeFitsModel, loadSaeFolder, SaeEncoder, shippedSaeFolder, type LoadedSae } from '../../../../src/model/sae';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { blockHook } from '../../../../src/shared/hookNames';

const MAX_BYTES = 8 * 1024 * 1024;
const HOOK = blockHook(1, 'hook_resid_pre');

interface ProbeWindow {
  tokens: number[];
  l0: number;
  variance_explained: number;
  top_feature: number[];
}
interface Evaluation {
  evaluation: { l0: number; variance_explained: number; dead_features: number; heldout_tokens: number };
  probe: { windows: ProbeWindow[] };
}

/** Python the model has never seen (not from the corpus), in the corpus's style. */
const PROMPTS = [
  'import os\nimport sys\n\n\ndef read_lines(path, encoding="utf-8"):\n    """Return the lines of a file, without newlines."""\n    with open(path, encoding=encoding) as f:\n        return [line.rstrip("\\n") for line in f]\n',
  'class Counter:\n    def __init__(self, start=0):\n        self.value = start\n\n    def increment(self, step=1):\n        self.value += step\n        return self.value\n',
  'for key, value in sorted(options.items()):\n    if value is None:\n        continue\n    print("%s = %r" % (key, value))\n',
];

interface Measure {
  l0: number;
  varianceExplained: number;
  topFeature: number[];
}

describe('shipped SAE', () => {
  const folder = process.env.SHIPPED_SAE_DIR ?? shippedSaeFolder();
  let sae: LoadedSae;
  let loaded: LoadedModel;
  let encoder: SaeEncoder;
  let evaluation: Evaluation;
  before(async () => {
    sae = await loadSaeFolder(folder);
    loaded = await loadHookedGpt2(process.env.SHIPPED_MODEL_DIR ?? shippedModelDir());
    encoder = await SaeEncoder.create(sae, { threads: 1 });
    evaluation = JSON.parse(fs.readFileSync(path.join(folder, 'evaluation.json'), 'utf8')) as Evaluation;
  });
  after(async () => {
    await encoder?.release();
    await loaded?.dispose();
  });

  /** L0, variance explained (about the prompt's own mean) and the most active feature, over positions 1.. (BOS excluded, as in training). */
  async function measure(ids: readonly number[]): Promise<Measure> {
    const { cache } = await loaded.model.runWithCache([...ids], [HOOK], { logits: 'none' });
    const resid = cache.get(HOOK); // [batch, pos, d_model]
    const d = resid.dims[2];
    const n = resid.dims[1] - 1;
    const rows = { dims: [n, d], data: resid.data.slice(d, (n + 1) * d) } as const;
    const { acts, recon } = await encoder.encode(rows);
    const dSae = acts.dims[1];
    let active = 0;
    const topFeature: number[] = [];
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let f = 0; f < dSae; f++) {
        const a = acts.data[r * dSae + f];
        if (a > 0) active++;
        if (a > acts.data[r * dSae + best]) best = f;
      }
      topFeature.push(best);
    }
    const mean = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += rows.data[r * d + j] / n;
    let sse = 0;
    let sst = 0;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const x = rows.data[r * d + j];
        sse += (x - recon.data[r * d + j]) ** 2;
        sst += (x - mean[j]) ** 2;
      }
    }
    return { l0: active / n, varianceExplained: 1 - sse / sst, topFeature };
  }

  it('loads as a SAELens v6 folder for the shipped model, reading the raw residual stream', () => {
    const c = sae.config;
    assert.equal(c.configForm, 'v6');
    assert.equal(c.hookName, 'blocks.1.hook_resid_pre');
    assert.equal(c.modelName, 'gpt2-python-mini');
    assert.equal(c.inputTransform, 'none', c.inputTransformReason);
    assert.equal(c.prependBos, true);
    assert.equal(sae.logDensity?.length, c.dSae, 'sparsity.safetensors has one log10 density per feature');
  });

  it('fits the shipped model with no warning', () => {
    assert.deepEqual(checkSaeFitsModel(sae, { config: loaded.model.config, name: 'gpt2-python-mini' }), []);
  });

  it('has at least 8 × d_model features and its files total at most 8 MB', () => {
    assert.ok(sae.config.dSae >= 8 * loaded.model.config.dModel, `${sae.config.dSae} features for d_model ${loaded.model.config.dModel}`);
    const bytes = fs.readdirSync(folder).reduce((s, f) => s + fs.statSync(path.join(folder, f)).size, 0);
    assert.ok(bytes <= MAX_BYTES, `${folder} holds ${bytes} bytes`);
  });

  it('the dead features the card reports are the ones sparsity.safetensors marks dead', () => {
    const dead = Array.from(sae.logDensity!).filter((v) => v <= -10 + 1e-6).length;
    assert.equal(dead, evaluation.evaluation.dead_features);
  });

  it('on held-out windows, the engine gives the L0, variance explained and top features PyTorch measured', async () => {
    for (const [w, probe] of evaluation.probe.windows.entries()) {
      const m = await measure(probe.tokens);
      assert.ok(Math.abs(m.l0 - probe.l0) < 0.05, `window ${w}: L0 ${m.l0} vs ${probe.l0}`);
      assert.ok(
        Math.abs(m.varianceExplained - probe.variance_explained) < 1e-3,
        `window ${w}: variance explained ${m.varianceExplained} vs ${probe.variance_explained}`,
      );
      const same = m.topFeature.filter((f, i) => f === probe.top_feature[i]).length;
      assert.ok(same >= 0.95 * probe.top_feature.length, `window ${w}: top feature agrees at ${same}/${probe.top_feature.length} positions`);
    }
  });

  it("on new Python code, L0 and variance explained are of the card's order", async () => {
    const { l0, variance_explained: fve } = evaluation.evaluation;
    for (const text of PROMPTS) {
      const ids = loaded.toPrompt(text).ids;
      assert.ok(ids.length > 20 && ids.length <= loaded.model.config.nCtx, `${ids.length} tokens`);
      const m = await measure(ids);
      assert.ok(m.l0 > l0 / 2 && m.l0 < l0 * 2, `L0 ${m.l0.toFixed(2)} on ${JSON.stringify(text.slice(0, 30))}, card ${l0.toFixed(2)}`);
      assert.ok(m.varianceExplained > fve - 0.25 && m.varianceExplained <= 1, `variance explained ${m.varianceExplained.toFixed(3)}, card ${fve.toFixed(3)}`);
    }
  });
});
