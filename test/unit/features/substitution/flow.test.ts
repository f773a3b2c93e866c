import * as assert from 'node:assert/strict';
import { answerToken, defaultMetric, describeChange, keepLeadingSpace, metricLabel, spanText, substitute, tokensAt } from '../../../../src/features/substitution/flow';
import type { PromptToken as PlanToken } from '../../../../src/shared/tokens';
import { mergeTables } from '../../../../src/features/substitution/shared/tables';
import type { ComparisonParams, PatchTable } from '../../../../src/features/substitution/shared/protocol';
import { availableModes, describeCell, heatmapView, hintsFor, sharedScale, sweepStatus } from '../../../../webview/components/ci-substitution-panel/patchView';

const tok = (id: number, text: string, start: number, isBos = false): PlanToken => ({ id, text, start, end: isBos ? 0 : start + text.length, isBos });
// "x = param" → BOS, "x", " =", " param"
const tokens = [tok(0, '<|endoftext|>', 0, true), tok(1, 'x', 0), tok(2, ' =', 1), tok(3, ' param', 3)];
const text = 'x = param';

describe('patchingUi: command flow steps', () => {
  it('finds the token(s) at the cursor or in a selection, never BOS', () => {
    assert.deepEqual(tokensAt(tokens, 5, 5), { first: 3, last: 3 }, 'inside');
    assert.deepEqual(tokensAt(tokens, 9, 9), { first: 3, last: 3 }, 'just after the last token');
    assert.deepEqual(tokensAt(tokens, 0, 0), { first: 1, last: 1 }, 'at the start: the first real token, not BOS');
    assert.deepEqual(tokensAt(tokens, 0, 3), { first: 1, last: 2 }, 'a selection covering two tokens');
    assert.equal(tokensAt([tokens[0]], 0, 0), undefined);
  });

  it('substitutes a span by its source range and keeps the leading space of typed text', () => {
    assert.equal(substitute(text, tokens, { first: 3, last: 3 }, ' arg'), 'x = arg');
    assert.equal(spanText(text, tokens, { first: 1, last: 2 }), 'x =');
    assert.equal(keepLeadingSpace(' param', 'arg'), ' arg');
    assert.equal(keepLeadingSpace(' param', ' arg'), ' arg');
    assert.equal(keepLeadingSpace('param', 'arg'), 'arg');
    assert.equal(keepLeadingSpace(' param', ''), '');
  });

  it('defaults to logit(clean top) − logit(corrupt top); when both agree it takes the corrupt next best and says so', () => {
    const t = (id: number, text: string) => ({ id, text, logit: 0, prob: 0.1 });
    const a = defaultMetric([t(1, ' a'), t(2, ' b')], [t(3, ' c')]);
    assert.deepEqual(a.spec, { kind: 'logit_diff', answer: { id: 1, text: ' a' }, wrong: { id: 3, text: ' c' } });
    assert.deepEqual(a.notes, []);
    const same = defaultMetric([t(1, ' a')], [t(1, ' a'), t(4, ' d')]);
    assert.equal(same.spec.kind === 'logit_diff' && same.spec.wrong.id, 4);
    assert.match(same.notes[0], /Both prompts predict/);
    assert.equal(metricLabel(a.spec), "logit('·a') − logit('·c')");
  });

  it('scores a multi-token answer by its first token, with a note; an empty one is an error', () => {
    const r = answerToken(' width height', [{ id: 5, text: ' width' }, { id: 6, text: ' height' }], 'answer');
    assert.ok('token' in r && r.token.id === 5);
    assert.ok('note' in r && /2 tokens/.test(r.note ?? '') && /first token/.test(r.note ?? ''));
    assert.ok('error' in answerToken('', [], 'answer'));
    assert.ok(!('note' in answerToken(' w', [{ id: 5, text: ' w' }], 'answer')));
  });

  it('describes a token-count change without aligning it', () => {
    const ops = [{ kind: 'equal', a: 0, b: 0 }, { kind: 'replace', a: 1, b: 1 }, { kind: 'insert', b: 2 }];
    assert.equal(describeChange([{ id: 0, text: 'x' }, { id: 1, text: ' param' }], [{ id: 0, text: 'x' }, { id: 7, text: ' ar' }, { id: 8, text: 'g' }], ops), '‘·param’ → ‘·ar’ ‘g’');
  });
});

const comparison = (clean: number, corrupt: number): ComparisonParams => ({
  runId: 'r',
  modelName: 'm',
  clean: { text: 'ab', tokens: [{ id: 0, text: 'a', isBos: false }, { id: 1, text: 'b', isBos: false }] },
  corrupt: { text: 'ac', tokens: [{ id: 0, text: 'a', isBos: false }, { id: 2, text: 'c', isBos: false }] },
  diff: { ops: [], differingPositions: [1] },
  metric: { spec: { kind: 'kl' }, label: 'KL', clean, corrupt },
  n_layers: 1,
  n_heads: 2,
  sweeps: ['z'],
  notes: [],
  stale: false,
});
const t = (direction: 'denoise' | 'noise', source: 'exact' | 'attribution', v: number[]): PatchTable => ({ sweep: 'z', direction, source, dims: [1, 2], axes: ['layer', 'head_index'], patched: Float32Array.from(v) });

describe('patchingUi: panel view model', () => {
  it('an exact table replaces an estimate, never the other way round', () => {
    let m = mergeTables(new Map(), [t('denoise', 'attribution', [1, 1])]);
    m = mergeTables(m, [t('denoise', 'exact', [2, 2])]);
    m = mergeTables(m, [t('denoise', 'attribution', [3, 3])]);
    assert.equal(m.get('z/denoise')?.source, 'exact');
    assert.deepEqual([...m.get('z/denoise')!.patched], [2, 2]);
    assert.equal(sweepStatus('z', m), 'partial');
    m = mergeTables(m, [t('noise', 'exact', [0, 0])]);
    assert.equal(sweepStatus('z', m), 'exact');
    assert.equal(sweepStatus('k', m), 'none');
  });

  it('offers no normalised mode when the metrics are equal, and never divides by 0', () => {
    assert.deepEqual(availableModes(comparison(1, 1)), ['change', 'raw']);
    const v = heatmapView(comparison(1, 1), t('denoise', 'exact', [1, 1]), 'normalised');
    assert.deepEqual(v.values, [null, null]);
    const flat = heatmapView(comparison(1, 1), t('noise', 'exact', [1, Math.fround(1.0000001)]), 'raw');
    assert.ok(sharedScale([flat]) >= 1e-5, 'float32 rounding does not saturate the scale');
    assert.match(describeCell(comparison(1, 1), t('noise', 'exact', [1, 1]), 1), /undefined \(clean = corrupt\)/);
  });

  it('hints come with readable component labels', () => {
    const m = mergeTables(new Map(), [t('denoise', 'exact', [2, 0.2]), t('noise', 'exact', [0, 0])]);
    const h = hintsFor(comparison(0, 2), 'z', m)!;
    assert.equal(h.length, 1);
    assert.equal(h[0].label, 'head 0.1');
    assert.equal(h[0].hint, 'or-like');
  });
});
