/**
 * The shipped model run through the project's engine (ONNX Runtime), the same path as any GPT-2
 * checkpoint: it loads, predicts sensible code tokens, agrees with the PyTorch reference that trained
 * it (models/gpt2-python-mini/evaluation.json, written by tools/model/analyze.py), and has the
 * argument head its model card reports.
 *
 * PENDING (it.skip below): a previous-token head and an induction head. The shipped model (16.4 M
 * training tokens) has neither yet: tools/model/analyze.py measured a best previous-token score of
 * 0.14 (head 0.3) and a best induction score of 0.018 on BOS + R + R (0.078 on repeated code). Enable
 * these tests when a longer-trained model ships (tools/model/pipeline.sh on a GPU).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../src/model/loadHookedGpt2';
import { shippedModelDir } from '../../../src/model/shippedModel';
import { blockHook } from '../../../src/shared/hookNames';
import { docstringPrompt } from '../../../tools/model/docstringTask';

/** What a model with the textbook heads clears; the shipped model does not yet (see above). */
const MIN_INDUCTION_SCORE = 0.3;
const MIN_PREVIOUS_TOKEN_SCORE = 0.5;
/**
 * Head 3.5 at the final `param` of a docstring prompt: analyze.py measured 0.27 + 0.26 + 0.28 on the three
 * argument names in the signature and 0.025 on `self` (200 prompts). Thresholds leave a wide margin.
 */
const ARGUMENT_HEAD = { layer: 3, head: 5, minOnArguments: 0.5, maxOnSelf: 0.1 };
const REPEAT_LENGTH = 50;

/** mulberry32, seeded: the same random tokens on every machine */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = new Float64Array(logits.length);
  let sum = 0;
  logits.forEach((v, i) => (sum += out[i] = Math.exp(v - max)));
  return out.map((v) => v / sum);
}

function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b] - values[a]).slice(0, k);
}

interface Evaluation {
  analysis: { completions: { prompt: string; top5: [string, number][] }[] };
}

describe('shipped model: engine', () => {
  let loaded: LoadedModel;
  const dir = process.env.SHIPPED_MODEL_DIR ?? shippedModelDir();
  before(async () => {
    loaded = await loadHookedGpt2(dir);
  });
  after(() => loaded?.dispose());

  async function nextTokenProbs(text: string): Promise<Float64Array> {
    const run = await loaded.model.run(loaded.toPrompt(text).ids, { logits: 'last' });
    return softmax(run.logits!.data);
  }

  it('loads as a GPT-2 with BOS = <|endoftext|>', () => {
    const c = loaded.model.config;
    assert.equal(c.dVocab, loaded.tokenizer.vocabSize);
    assert.equal(c.bosTokenId, loaded.tokenizer.endOfTextId);
    assert.equal(c.activation, 'gelu_new');
    assert.equal(c.layerNormEps, 1e-5);
  });

  it('after `def __init__(self` puts `,` or `)` among the top 3 tokens', async () => {
    const top = topK(await nextTokenProbs('def __init__(self'), 3).map((id) => loaded.tokenizer.displayText(id));
    assert.ok(top.includes(',') || top.includes(')') || top.includes('):'), `top 3: ${JSON.stringify(top)}`);
  });

  it('gives the same top-5 next tokens and probabilities as the PyTorch reference', async () => {
    const evaluation = JSON.parse(fs.readFileSync(path.join(dir, 'evaluation.json'), 'utf8')) as Evaluation;
    for (const { prompt, top5 } of evaluation.analysis.completions) {
      const probs = await nextTokenProbs(prompt);
      const ours = topK(probs, 5);
      for (const [i, [text, p]] of top5.entries()) {
        assert.ok(Math.abs(probs[ours[i]] - p) < 2e-3, `${JSON.stringify(prompt)}: p(${JSON.stringify(text)}) ${probs[ours[i]]} vs ${p}`);
        if (i < 4 && top5[i][1] - top5[i + 1][1] > 2e-3) {
          assert.equal(loaded.tokenizer.displayText(ours[i]), text, `${JSON.stringify(prompt)}: rank ${i + 1}`);
        }
      }
    }
  });

  it(`head ${ARGUMENT_HEAD.layer}.${ARGUMENT_HEAD.head} attends from the docstring's last \`param\` to the signature's argument names, not to \`self\``, async () => {
    const { nHeads } = loaded.model.config;
    const prompts = [
      docstringPrompt('load', ['name', 'key', 'v'], ['path', 'value', 'file', 'last', 'path', 'given', 'list']),
      docstringPrompt('run', ['data', 'size', 'mode'], ['the', 'new', 'object', 'a', 'string', 'of', 'input']),
      docstringPrompt('parse', ['text', 'offset', 'limit'], ['first', 'list', 'used', 'the', 'number', 'default', 'value']),
      docstringPrompt('send', ['request', 'timeout', 'callback'], ['current', 'file', 'name', 'optional', 'output', 'maximum', 'path']),
    ];
    const hook = blockHook(ARGUMENT_HEAD.layer, 'attn.hook_pattern');
    for (const text of prompts) {
      const prompt = loaded.toPrompt(text);
      const ids = prompt.ids;
      const P = ids.length;
      const { cache } = await loaded.model.runWithCache(ids, [hook], { logits: 'none' });
      const pattern = cache.get(hook); // [batch, head_index, query_pos, key_pos]
      const row = pattern.data.subarray((ARGUMENT_HEAD.head * P + P - 1) * P, (ARGUMENT_HEAD.head * P + P) * P);
      assert.equal(pattern.dims[1], nHeads);
      const close = ids.indexOf(loaded.tokenizer.encode('):').ids[0]);
      const selfAt = ids.indexOf(loaded.tokenizer.encode('self').ids[0]);
      // The argument names are the tokens ` A`, ` B`, ` C` between `self` and `):`, skipping the commas.
      let onArguments = 0;
      for (let k = selfAt + 1; k < close; k++) if (prompt.tokens[k].text !== ',') onArguments += row[k];
      assert.ok(onArguments >= ARGUMENT_HEAD.minOnArguments, `${JSON.stringify(text.split('\n')[0])}: ${onArguments} on the arguments`);
      assert.ok(row[selfAt] <= ARGUMENT_HEAD.maxOnSelf, `${JSON.stringify(text.split('\n')[0])}: ${row[selfAt]} on self`);
    }
  });

  it.skip(`PENDING (model too short-trained): has an induction head (score ≥ ${MIN_INDUCTION_SCORE}) and a previous-token head (score ≥ ${MIN_PREVIOUS_TOKEN_SCORE}) on BOS + R + R`, async () => {
    const c = loaded.model.config;
    const random = rng(2024);
    const bos = c.bosTokenId;
    const rows: number[][] = [];
    for (let b = 0; b < 8; b++) {
      const r = Array.from({ length: REPEAT_LENGTH }, () => {
        const id = Math.floor(random() * (c.dVocab - 1));
        return id >= bos ? id + 1 : id;
      });
      rows.push([bos, ...r, ...r]);
    }
    const hooks = Array.from({ length: c.nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
    const { cache } = await loaded.model.runWithCache(rows, hooks, { logits: 'none' });
    const P = 1 + 2 * REPEAT_LENGTH;
    let best = { induction: 0, inductionHead: '', previous: 0, previousHead: '' };
    for (let l = 0; l < c.nLayers; l++) {
      const pattern = cache.get(hooks[l]); // [batch, head_index, query_pos, key_pos]
      assert.deepEqual(pattern.dims, [rows.length, c.nHeads, P, P]);
      for (let h = 0; h < c.nHeads; h++) {
        let induction = 0;
        let previous = 0;
        for (let b = 0; b < rows.length; b++) {
          const base = (b * c.nHeads + h) * P * P;
          for (let q = REPEAT_LENGTH + 1; q < P; q++) induction += pattern.data[base + q * P + q - REPEAT_LENGTH + 1];
          for (let q = 1; q < P; q++) previous += pattern.data[base + q * P + q - 1];
        }
        induction /= rows.length * REPEAT_LENGTH;
        previous /= rows.length * (P - 1);
        if (induction > best.induction) best = { ...best, induction, inductionHead: `${l}.${h}` };
        if (previous > best.previous) best = { ...best, previous, previousHead: `${l}.${h}` };
      }
    }
    assert.ok(best.induction >= MIN_INDUCTION_SCORE, `best induction head ${best.inductionHead}: ${best.induction}`);
    assert.ok(best.previous >= MIN_PREVIOUS_TOKEN_SCORE, `best previous-token head ${best.previousHead}: ${best.previous}`);
  });
});
