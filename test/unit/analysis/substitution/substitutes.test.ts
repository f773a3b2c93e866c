import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { editDistance, nearestSingleTokenAlternatives, sameKindSubstitutes } from '../../../../src/analysis/substitution/substituteCandidates';
import { rankSubstitutes } from '../../../../src/analysis/substitution/rankSubstitutes';
import { gpt2Tokenizer } from '../../model/tokenizer/gpt2Fixture';
import { REPO_ROOT } from '../../../repoRoot';

describe('substitute candidates (GPT-2 vocabulary)', () => {
  let tok: Gpt2Tokenizer;
  before(() => {
    tok = gpt2Tokenizer();
  });

  it('keeps the kind and the leading space of the original', () => {
    const param = tok.tokenToId('Ġparam')!;
    const subs = sameKindSubstitutes(tok, param, { limit: 50 });
    assert.equal(subs.length, 50);
    for (const id of subs) {
      const t = tok.displayText(id);
      assert.match(t, /^ [A-Za-z_][A-Za-z0-9_]*$/, t);
      assert.notEqual(id, param);
    }
    assert.ok(!subs.some((id) => [' return', ' def', ' if'].includes(tok.displayText(id))), 'keywords are not names');
    const bare = sameKindSubstitutes(tok, tok.tokenToId('self')!, { limit: 20 });
    for (const id of bare) assert.match(tok.displayText(id), /^[A-Za-z_]/);
  });

  it("puts preferred ids (the prompt's own names) first", () => {
    const param = tok.tokenToId('Ġparam')!;
    const arg = tok.tokenToId('Ġarg')!;
    assert.equal(sameKindSubstitutes(tok, param, { limit: 5, preferred: [arg], text: 'def f(self, arg): return arg' })[0], arg);
  });

  it('offers the nearest single tokens when a replacement is several tokens', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    const param = tok.tokenToId('Ġparam')!;
    const alts = nearestSingleTokenAlternatives(tok, param, 'paramz', 5);
    assert.equal(alts.length, 5);
    assert.equal(alts[0].text, ' params', JSON.stringify(alts));
    for (const a of alts) assert.equal(tok.encode(a.text).ids.length, 1);
  });
});

/** A docstring prompt where `param` is an identifier (`:param`) and ` low` an English word. */
const DOCSTRING =
  'def scale(values, factor):\n    """Multiply each value.\n\n    :param values: the numbers, low to high\n    """\n    return [v * factor for v in values]\n';
/** Word pieces the old rule offered (`param` → `ct`, `ed`, `A`; ` low` → ` n`, ` p`, ` b`; nearest → `ername`). */
const FRAGMENTS = ['ct', 'ed', 'A', 'ername', ' ername', ' n', ' p', ' b', 'ing', 'ent', ' ing', ' con', ' pro', ' whe'];

/** The whole-word rule, restated: a word of the text, or letters only (≥ 4, a vowel) held bare and spaced. */
function assertWholeWord(tok: Gpt2Tokenizer, text: string, id: number): void {
  const t = tok.displayText(id);
  const word = t.startsWith(' ') ? t.slice(1) : t;
  const inText = new RegExp(`(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])`, 'u').test(text);
  const vocabWord = /^\p{L}{4,}$/u.test(word) && /[aeiouy]/i.test(word) && tok.encode(word).ids.length === 1 && tok.encode(` ${word}`).ids.length === 1;
  assert.ok(inText || vocabWord, `‘${t}’ is a piece of a word`);
  assert.ok(!FRAGMENTS.includes(t), `‘${t}’ is a fragment`);
}

describe('substitute candidates are whole words', () => {
  const tokenizers: [string, () => Promise<{ tok: Gpt2Tokenizer; dispose?: () => void }>][] = [
    ['GPT-2', () => Promise.resolve({ tok: gpt2Tokenizer() })],
    [
      'shipped gpt2-python-mini',
      async () => {
        const m = await loadHookedGpt2(join(REPO_ROOT, 'models', 'gpt2-python-mini'));
        return { tok: m.tokenizer, dispose: () => m.dispose() };
      },
    ],
    [
      'tiny golden',
      async () => {
        const m = await loadHookedGpt2(join(REPO_ROOT, 'test', 'golden', 'checkpoints', 'f32-bare'));
        return { tok: m.tokenizer, dispose: () => m.dispose() };
      },
    ],
  ];
  for (const [name, load] of tokenizers) {
    it(`${name}: \`param\` and \` low\` in a docstring get whole words of their kind, the prompt's first`, async () => {
      const { tok, dispose } = await load();
      try {
        const ids = tok.encode(DOCSTRING).ids;
        let checked = 0;
        for (const original of ['param', ' low', ' param']) {
          const enc = tok.encode(original).ids;
          if (enc.length !== 1) continue;
          const preferred = ids.filter((id) => id !== enc[0]);
          const subs = sameKindSubstitutes(tok, enc[0], { limit: 24, preferred, text: DOCSTRING }).slice(0, 24);
          assert.ok(subs.length > 0, `${name}: suggestions for ‘${original}’`);
          for (const id of subs) assertWholeWord(tok, DOCSTRING, id);
          const first = tok.displayText(subs[0]);
          assert.ok(DOCSTRING.includes(first.trim()), `the prompt's own words come first, not ‘${first}’`);
          checked++;
        }
        assert.ok(checked >= 1, `${name}: one of the originals is a single token`);
        const param = tok.encode('param').ids;
        if (param.length === 1) {
          const alts = nearestSingleTokenAlternatives(tok, param[0], 'username', 6, DOCSTRING);
          for (const a of alts) assertWholeWord(tok, DOCSTRING, a.id);
        }
      } finally {
        dispose?.();
      }
    });
  }

  it('a prompt token that is a piece of a longer word in the text is no suggestion (`us`, `ername` of `username`)', async () => {
    const m = await loadHookedGpt2(join(REPO_ROOT, 'models', 'gpt2-python-mini'));
    try {
      const tok = m.tokenizer;
      const text = 'def login(username):\n    return username';
      const ids = tok.encode(text).ids;
      assert.ok(ids.map((id) => tok.displayText(id)).includes('ername'), 'the shipped tokenizer splits `username` as `us` `ername`');
      const param = tok.encode('param').ids[0];
      const subs = sameKindSubstitutes(tok, param, { limit: 24, preferred: ids, text }).map((id) => tok.displayText(id));
      assert.ok(!subs.includes('ername') && !subs.includes('us'), subs.join('|'));
      const alts = nearestSingleTokenAlternatives(tok, param, 'username', 6, text).map((a) => a.text);
      assert.ok(!alts.includes('ername') && !alts.includes('ename'), alts.join('|'));
    } finally {
      m.dispose();
    }
  });
});

describe('rankSubstitutes (tiny golden checkpoint)', () => {
  let loaded: LoadedModel;
  before(async () => {
    loaded = await loadHookedGpt2(join(REPO_ROOT, 'test', 'golden', 'checkpoints', 'f32-bare'));
  });
  after(() => loaded.dispose());

  it('ranks candidates by distance, the original at distance 0, and reports special findings per token', async () => {
    const prompt = loaded.toPrompt('def f(self, param): return self.param');
    const position = prompt.tokens.findIndex((t) => t.text === ' param');
    assert.ok(position > 0);
    const candidates = sameKindSubstitutes(loaded.tokenizer, prompt.ids[position], { limit: 12 });
    const ranking = await rankSubstitutes(loaded.model, loaded.tokenizer, { ids: prompt.ids, isBos: prompt.tokens.map((t) => t.isBos) }, position, candidates, {
      maxPatternFloats: 5000,
    });
    assert.equal(ranking.original.distance, 0);
    assert.equal(ranking.ranked.length, candidates.length);
    for (let i = 1; i < ranking.ranked.length; i++) assert.ok(ranking.ranked[i - 1].distance <= ranking.ranked[i].distance);
    assert.ok(ranking.ranked[ranking.ranked.length - 1].distance > 0, 'random heads do treat tokens differently');
    for (const r of ranking.ranked) for (const f of r.special) assert.equal(f.tokenId, r.id);
    await assert.rejects(
      () => rankSubstitutes(loaded.model, loaded.tokenizer, { ids: prompt.ids, isBos: prompt.tokens.map((t) => t.isBos) }, 0, candidates),
      /BOS/,
    );
  });
});
