import * as assert from 'node:assert/strict';
import {
  answerToken,
  defaultMetric,
  describeChange,
  keepLeadingSpace,
  metricLabel,
  spanText,
  substitute,
  REPLACEMENT_PLACEHOLDER,
  SUGGESTION_SCALE,
  suggestionDescription,
  suggestionDetail,
  suggestionGroups,
  documentContext,
  DOCUMENT_CONTEXT_CHARS,
  tokensAt,
} from '../../../../src/features/substitution/flow';
import type { PromptToken as PlanToken } from '../../../../src/shared/tokens';

const tok = (id: number, text: string, start: number, isBos = false): PlanToken => ({ id, text, start, end: isBos ? 0 : start + text.length, isBos });
// "x = param" → BOS, "x", " =", " param"
const tokens = [tok(0, '<|endoftext|>', 0, true), tok(1, 'x', 0), tok(2, ' =', 1), tok(3, ' param', 3)];
const text = 'x = param';

describe('substitution flow: command steps', () => {
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
    const r = answerToken(
      ' width height',
      [
        { id: 5, text: ' width' },
        { id: 6, text: ' height' },
      ],
      'answer',
    );
    assert.ok('token' in r && r.token.id === 5);
    assert.ok('note' in r && /2 tokens/.test(r.note ?? '') && /first token/.test(r.note ?? ''));
    assert.ok('error' in answerToken('', [], 'answer'));
    assert.ok(!('note' in answerToken(' w', [{ id: 5, text: ' w' }], 'answer')));
  });

  it('describes a token-count change without aligning it', () => {
    const ops = [
      { kind: 'equal', a: 0, b: 0 },
      { kind: 'replace', a: 1, b: 1 },
      { kind: 'insert', b: 2 },
    ];
    assert.equal(
      describeChange(
        [
          { id: 0, text: 'x' },
          { id: 1, text: ' param' },
        ],
        [
          { id: 0, text: 'x' },
          { id: 7, text: ' ar' },
          { id: 8, text: 'g' },
        ],
        ops,
      ),
      '‘·param’ → ‘·ar’ ‘g’',
    );
  });

  it("says what a suggestion's distance means, with its scale, in each item's detail line (not a cut-off placeholder)", () => {
    assert.equal(suggestionDescription(0.0224), 'differs by 0.022 on average (0–1)');
    const d = suggestionDetail(' param');
    assert.equal(d, 'the heads’ attention to and from it against ‘·param’: 0 = same, 1 = opposite');
    assert.ok(d.length <= 100, `one QuickPick line: ${d.length} characters`);
    assert.ok(REPLACEMENT_PLACEHOLDER.length <= 64, 'a placeholder that is not cut off');
    assert.doesNotMatch(REPLACEMENT_PLACEHOLDER, /0 = |how much/, 'the scale is in the detail lines');
    assert.doesNotMatch(d, /treated .* apart/);
    assert.match(SUGGESTION_SCALE, /0 = identical, 1 = opposite/);
    assert.deepEqual(suggestionGroups('identifier'), {
      document: 'identifiers of this document',
      vocabulary: 'other identifiers of the vocabulary',
      kind: 'identifiers',
    });
    assert.equal(suggestionGroups('word').kind, 'English words');
  });

  it('sends the document as the suggestions’ context, capped', () => {
    assert.equal(documentContext('def f(): pass'), 'def f(): pass');
    assert.equal(documentContext('x'.repeat(DOCUMENT_CONTEXT_CHARS + 5)).length, DOCUMENT_CONTEXT_CHARS);
  });
});
