import * as assert from 'node:assert/strict';
import type { HeadActivity } from '../../../../src/shared/inspection';
import { escapeMarkdown, hoverMarkdown, miniMap, shortLiteral, tokenLiteral } from '../../../../src/features/attention/hoverMarkdown';

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
    assert.equal(shortLiteral(' param'), tokenLiteral(' param'));
    assert.equal(shortLiteral('\n        return'), tokenLiteral('\n      …'));
  });

  it('puts the mini-map first, then the top heads in both directions with weights, and a focus link', () => {
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
    assert.match(md, /^\*\*Circuit Inspector\*\* · token 1 · id 2116 · .* · tiny\n```text\n {3}012 /);
    assert.match(md, /From it:\*\* \[1\.2\]\(command:ci\.focus\?1-2\) 1\.00 → 1 \\" self\\" · \[1\.1\]/);
    assert.match(md, /To it:\*\* \[1\.2\]\(command:ci\.focus\?1-2\) 0\.50 ← 2 /);
    assert.doesNotMatch(md, /\[0\.0\]/, 'only the top 2 per direction');
    assert.ok(md.indexOf('```text') < md.indexOf('From it'), 'the mini-map comes first');
    assert.match(md, /Focus this token in the panel\]\(command:ci\.focus\?-\)/);
  });

  it('fits a normal hover box for 12 × 12 heads and top-k 5', () => {
    const texts = Array.from({ length: 80 }, (_, i) => (i % 3 ? ' param' : '\n        return'));
    const md = hoverMarkdown({
      token: { index: 61, text: ' param', id: 5772, isBos: false },
      tokenTexts: texts,
      modelName: 'gpt2',
      nLayers: 12,
      nHeads: 12,
      heads: heads(12, 12, (l, h) => ((l * 7 + h * 5) % 11) / 10).map((a, i) => ({ ...a, fromKey: i % 80, toQuery: (i * 3) % 80 })),
      topK: 5,
      focusCommandUri: (l, h) => `command:circuitInspector.focusToken?${encodeURIComponent(JSON.stringify([{ tokenIndex: 61, layer: l, head: h }]))}`,
    });
    // Lines as shown: link targets, escapes and emphasis take no room; a hover (500 px) wraps at about 75 columns.
    const shown = md
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('```'))
      .map((l) =>
        l
          .replace(/\]\([^)]*\)/g, ']')
          .replace(/\\(.)/g, '$1')
          .replace(/\*\*/g, ''),
      );
    const rows = shown.reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / 75)), 0);
    assert.ok(rows <= 20, `${rows} rows:\n${shown.join('\n')}`);
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

  it('draws one block per head, under the digit of its head', () => {
    const lines = miniMap(
      heads(12, 12, (_l, h) => (h === 10 ? 1 : 0)),
      12,
      12,
      'head',
    );
    assert.equal(lines.length, 13);
    assert.equal(lines[0], '    012345678901  head');
    assert.equal(lines[1], 'L 0           █ ');
    assert.equal(lines[12], 'L11           █ ');
    for (let h = 0; h < 12; h++) {
      const col: number = lines[0].indexOf('012345678901') + h;
      assert.equal(lines[0][col], String(h % 10));
      assert.equal(lines[1][col], h === 10 ? '█' : ' ');
    }
  });
});
