import * as assert from 'node:assert/strict';
import type { HeadActivity } from '../../../../src/shared/inspection';
import { escapeMarkdown, hoverMarkdown, miniMap, tokenLiteral } from '../../../../src/features/attention/hoverMarkdown';

function heads(nLayers: number, nHeads: number, f: (l: number, h: number) => number): HeadActivity[] {
  const out: HeadActivity[] = [];
  for (let l = 0; l < nLayers; l++)
    for (let h = 0; h < nHeads; h++) out.push({ layer: l, head: h, fromWeight: f(l, h), fromKey: 1, toWeight: f(l, h) / 2, toQuery: 2 });
  return out;
}

describe('host/hoverMarkdown', () => {
  it('escapes markup in token text so it stays inert', () => {
    const evil = '<img src=x onerror=alert(1)>[click](command:workbench.action.quit) **b** `c`';
    const lit = tokenLiteral(evil);
    assert.ok(!/(^|[^\\])[<>[\]()*`]/.test(lit), lit);
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
    assert.equal(tokenLiteral('\n    def'), '\\"\\\\n    def\\"');
  });

  it('lists the top heads in both directions with weights, a mini-map and a focus link', () => {
    const md = hoverMarkdown({
      token: { index: 1, text: ' self', id: 2116, isBos: false },
      tokenTexts: ['<|endoftext|>', ' self', '.', 'x'],
      modelName: 'tiny',
      nLayers: 2,
      nHeads: 3,
      heads: heads(2, 3, (l, h) => (l * 3 + h + 1) / 6),
      topK: 2,
      focusCommandUri: (l, h) => `command:ci.focus?${l ?? ''}-${h ?? ''}`,
    });
    assert.match(md, /token 1 · id 2116/);
    assert.match(md, /\| \[1\.2\]\(command:ci\.focus\?1-2\) \| 1\.00 \| 1 \\" self\\" \|/);
    assert.match(md, /\[1\.1\]/);
    assert.doesNotMatch(md, /\[0\.0\]/, 'only the top 2 per direction');
    assert.match(md, /```text\n {3}012\nL0 /);
    assert.match(md, /Focus this token in the panel\]\(command:ci\.focus\?-\)/);
  });

  it('says stale and shows no numbers', () => {
    const md = hoverMarkdown({
      token: { index: 0, text: 'x', id: 1, isBos: false },
      tokenTexts: ['x'],
      modelName: 'm',
      nLayers: 1,
      nHeads: 1,
      topK: 3,
      stale: 'the document was edited after this inspection',
    });
    assert.match(md, /Stale/);
    assert.doesNotMatch(md, /weight/);
  });

  it('draws one block per head', () => {
    const lines = miniMap(
      heads(12, 12, () => 1),
      12,
      12,
    );
    assert.equal(lines.length, 13);
    assert.equal(lines[1], 'L 0 ████████████');
  });
});
