import * as assert from 'node:assert/strict';
import { InspectionBuilder, buildInspection, headPatternOf } from '../../../src/analysis/inspection';
import { isInspectionParams } from '../../../src/shared/inspection';
import { causalPattern } from './patternHelpers';

const TEXTS = ['<|endoftext|>', 'def', ' f', '(', 'self', ',', ' param', '):', '\n', '   ', ' return', ' param', '\n'];
const TOKENS = TEXTS.map((text, i) => ({ text, id: i === 0 ? 50256 : TEXTS.indexOf(text), start: 0, end: 0, isBos: i === 0 }));
let offset = 0;
for (const t of TOKENS.slice(1)) {
  t.start = offset;
  offset += t.text.length;
  t.end = offset;
}
const N = TOKENS.length;
const input = { inspectionId: 'i1', modelName: 'gpt2-test', nLayers: 2, nHeads: 3, tokens: TOKENS };
// Layer l, head h: head 0 previous-token, head 1 BOS sink, head 2 uniform; layer 1 sharper.
const layers = [0, 1].map((l) =>
  causalPattern(3, N, (h, q, k) => {
    if (h === 0) return k === q - 1 ? 5 + l : 0;
    if (h === 1) return k === 0 ? 5 + l : 0;
    return 0;
  }),
);

describe('inspection builder', () => {
  const params = buildInspection(input, layers);

  it('produces a payload the protocol guard accepts', () => {
    assert.ok(isInspectionParams(params));
    assert.equal(params.n_layers, 2);
    assert.equal(params.n_heads, 3);
    assert.equal(params.thumbSize, N);
    assert.equal(params.thumbnails_layer_head_q_k.length, 2 * 3 * N * N);
  });

  it('orders head summaries by layer then head, with scores in place', () => {
    assert.deepEqual(
      params.headSummaries.map((s) => `${s.layer}.${s.head}`),
      ['0.0', '0.1', '0.2', '1.0', '1.1', '1.2'],
    );
    const [prev, sink] = params.headSummaries;
    assert.ok(prev.prevToken > 0.5 && prev.prevToken > sink.prevToken);
    assert.ok(sink.bos > 0.9);
    assert.ok(params.headSummaries[2].entropy > prev.entropy);
    // ` param` and `\\n` repeat, so the induction score exists.
    assert.equal(typeof prev.induction, 'number');
  });

  it('puts each head thumbnail at [layer, head]', () => {
    const s = params.thumbSize;
    const layer1head2 = params.thumbnails_layer_head_q_k.subarray((1 * 3 + 2) * s * s, (1 * 3 + 3) * s * s);
    assert.deepEqual([...layer1head2], [...headPatternOf(layers[1], 2)]);
  });

  it('marks watched tokens with the default list, never BOS', () => {
    assert.deepEqual(params.watchTokens, ['self', 'param']);
    assert.deepEqual(
      params.tokens.flatMap((t, i) => (t.isWatched ? [i] : [])),
      [4, 6, 11],
    );
    const custom = buildInspection({ ...input, watchTokens: [' return', '<|endoftext|>'] }, layers);
    assert.deepEqual(
      custom.tokens.flatMap((t, i) => (t.isWatched ? [i] : [])),
      [10],
    );
  });

  it('marks a special token read from the text, and the guard checks the mark', () => {
    const toks = TOKENS.map((t, i) => (i === 5 ? { ...t, text: '<|endoftext|>', id: 50256, isSpecial: true } : t));
    const p = buildInspection({ ...input, tokens: toks }, layers);
    assert.deepEqual(
      p.tokens.flatMap((t, i) => (t.isSpecial ? [i] : [])),
      [5],
      'the literal one is special; the prepended BOS is marked as BOS only',
    );
    assert.ok(isInspectionParams(p));
    assert.equal(isInspectionParams({ ...p, tokens: p.tokens.map((t, i) => (i === 5 ? { ...t, isSpecial: 'yes' } : t)) }), false);
  });

  it('caps thumbnails at 32 and reports NaN-free JSON-safe summaries', () => {
    const n = 40;
    const toks = Array.from({ length: n }, (_, i) => ({ text: ` t${i}`, id: i, start: i, end: i + 1, isBos: false }));
    const p = buildInspection({ ...input, nLayers: 1, tokens: toks }, [causalPattern(3, n, () => 0)]);
    assert.equal(p.thumbSize, 32);
    assert.equal(p.headSummaries[0].induction, null); // no token repeats
    assert.ok(isInspectionParams(p));
  });

  it('names missing layers and mismatched shapes', () => {
    const b = new InspectionBuilder(input).addLayer(1, layers[1]);
    assert.throws(() => b.finish(), /layer\(s\) 0/);
    assert.throws(
      () =>
        new InspectionBuilder(input).addLayer(
          0,
          causalPattern(2, N, () => 0),
        ),
      /expects \[3, 13, 13\]/,
    );
    assert.throws(() => new InspectionBuilder(input).addLayer(2, layers[0]), /layer 2 outside/);
  });

  it('headPatternOf copies one head', () => {
    const h = headPatternOf(layers[0], 1);
    assert.equal(h.length, N * N);
    assert.notEqual(h.buffer, layers[0].data.buffer);
    assert.equal(h[5 * N], layers[0].data[N * N + 5 * N]);
  });
});
