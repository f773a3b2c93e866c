/**
 * The shipped model run through the project's engine (ONNX Runtime), the same path as any GPT-2
 * checkpoint: it loads, predicts sensible code tokens, agrees with the PyTorch reference that trained
 * it (models/gpt2-python-mini/evaluation.json, written by tools/model/analyze.py), and has the
 * argument head its model card reports.
 *
 * It also has the textbook heads the card reports: a previous-token head and an induction head, found
 * here by scanning every head on repeated random tokens (the same measure as tools/model/analyze.py).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { blockHook } from '../../../../src/shared/hookNames';
import { docstringPrompt } from '../../../../tools/model/docstringTask';
import { mulberry32 } from '../../../../tools/seededRandom';

/**
 * Attention from each second-copy token to the token after its first occurrence (uniform attention
 * would give about 1/75) and from each token to the one before it. The model card reports the measured
 * values; these thresholds are what a head must clear to be called an induction / previous-token head.
 */
const MIN_INDUCTION_SCORE = 0.3;
const MIN_PREVIOUS_TOKEN_SCORE = 0.5;
/**
 * At the final `param` of a docstring prompt, the induction head copies what followed the earlier
 * `:param`s (the names already documented) instead of finding the undocumented one: analyze.py measured
 * 0.64 on those two names together (head 1.1, 200 prompts) and 0.005 on the signature, which is why the
 * model gets the docstring task wrong more often than chance (model card). Thresholds leave a margin.
 */
const DOCSTRING_HEAD = { layer: 1, head: 1, minOnDocumented: 0.4, maxOnSignature: 0.1 };
const REPEAT_LENGTH = 50;

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = new Float64Array(logits.length);
  let sum = 0;
  logits.forEach((v, i) => (sum += out[i] = Math.exp(v - max)));
  return out.map((v) => v / sum);
}

function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a])
    .slice(0, k);
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

  it(`at the docstring's last \`param\`, head ${DOCSTRING_HEAD.layer}.${DOCSTRING_HEAD.head} copies: it attends to the names documented after the earlier \`:param\`s, not to the signature or \`self\``, async () => {
    const { nHeads } = loaded.model.config;
    const prompts = [
      docstringPrompt('load', ['name', 'key', 'v'], ['path', 'value', 'file', 'last', 'path', 'given', 'list']),
      docstringPrompt('run', ['data', 'size', 'mode'], ['the', 'new', 'object', 'a', 'string', 'of', 'input']),
      docstringPrompt('parse', ['text', 'offset', 'limit'], ['first', 'list', 'used', 'the', 'number', 'default', 'value']),
      docstringPrompt('send', ['request', 'timeout', 'callback'], ['current', 'file', 'name', 'optional', 'output', 'maximum', 'path']),
    ];
    const hook = blockHook(DOCSTRING_HEAD.layer, 'attn.hook_pattern');
    for (const text of prompts) {
      const prompt = loaded.toPrompt(text);
      const ids = prompt.ids;
      const P = ids.length;
      assert.equal(prompt.tokens[P - 1].text, 'param', 'the prompt ends on `:param`');
      const param = ids[P - 1];
      const { cache } = await loaded.model.runWithCache(ids, [hook], { logits: 'none' });
      const pattern = cache.get(hook); // [batch, head_index, query_pos, key_pos]
      assert.equal(pattern.dims[1], nHeads);
      const row = pattern.data.subarray((DOCSTRING_HEAD.head * P + P - 1) * P, (DOCSTRING_HEAD.head * P + P) * P); // [key_pos]
      // The tokens right after each earlier ` param`: the documented names ` A` and ` B`.
      let onDocumented = 0;
      for (let k = 1; k < P - 1; k++) if (ids[k - 1] === param) onDocumented += row[k];
      // The signature: everything from `(` to `):` on the first line, `self` included.
      const close = ids.indexOf(loaded.tokenizer.encode('):').ids[0]);
      let onSignature = 0;
      for (let k = 1; k <= close; k++) onSignature += row[k];
      const first = JSON.stringify(text.split('\n')[0]);
      assert.ok(onDocumented >= DOCSTRING_HEAD.minOnDocumented, `${first}: ${onDocumented} on the documented names`);
      assert.ok(onSignature <= DOCSTRING_HEAD.maxOnSignature, `${first}: ${onSignature} on the signature`);
    }
  });

  it(`has an induction head (score ≥ ${MIN_INDUCTION_SCORE}) and a previous-token head (score ≥ ${MIN_PREVIOUS_TOKEN_SCORE}) on BOS + R + R`, async () => {
    const c = loaded.model.config;
    const random = mulberry32(2024);
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
    // A two-step circuit: the induction head reads what an earlier layer's previous-token head wrote.
    const layerOf = (head: string) => Number(head.split('.')[0]);
    assert.ok(layerOf(best.inductionHead) > layerOf(best.previousHead), `induction ${best.inductionHead} after previous-token ${best.previousHead}`);
  });
});
