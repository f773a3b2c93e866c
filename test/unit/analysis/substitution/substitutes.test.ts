import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import {
  codeNamesOf,
  editDistance,
  isPrefixPiece,
  isSuffixPiece,
  nearestSingleTokenAlternatives,
  proseWordsOf,
  sameKindSubstitutes,
  substituteCandidates,
  substituteRole,
} from '../../../../src/analysis/substitution/substituteCandidates';
import { ENGLISH_WORDS } from '../../../../src/analysis/substitution/englishWords';
import { FUNCTION_WORDS, PYTHON_BUILTINS } from '../../../../src/analysis/substitution/functionWords';
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

/** The whole-word rule, restated: a word of the text, a listed English word, or a name (letters, ≥ 4, a vowel) held bare and spaced. */
function assertWholeWord(tok: Gpt2Tokenizer, text: string, id: number): void {
  const t = tok.displayText(id);
  const word = t.startsWith(' ') ? t.slice(1) : t;
  const inText = new RegExp(`(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])`, 'u').test(text);
  const listed = ENGLISH_WORDS.has(word.toLowerCase());
  const vocabWord = /^\p{L}{4,}$/u.test(word) && /[aeiouy]/i.test(word) && tok.encode(word).ids.length === 1 && tok.encode(` ${word}`).ids.length === 1;
  assert.ok(inText || listed || vocabWord, `‘${t}’ is a piece of a word`);
  assert.ok(!FRAGMENTS.includes(t), `‘${t}’ is a fragment`);
  assert.ok(!FUNCTION_WORDS.has(word.toLowerCase()), `‘${t}’ is a function word`);
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
          const sources = substituteCandidates(tok, enc[0], { limit: 24, preferred, text: DOCSTRING }).candidates.map((c) => c.source);
          const docCount = sources.filter((x) => x === 'document').length;
          assert.ok(
            sources.slice(0, docCount).every((x) => x === 'document'),
            `the prompt's own words come first: ${sources.join(',')}`,
          );
          if (docCount > 0)
            assert.ok(DOCSTRING.includes(tok.displayText(subs[0]).trim()), `the prompt's own words come first, not ‘${tok.displayText(subs[0])}’`);
          if (name !== 'tiny golden') assert.ok(docCount > 0, `${name}: ‘${original}’ gets words of the prompt`);
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

/** A class with prose (a docstring and a comment) and code, as the issue's `param` and ` low` prompts. */
const RECTANGLE = `class Rectangle:
    """A rectangle with a width and a height.

    The area stays low when either side is small.
    """

    def scale(self, factor):
        """Return a copy scaled by factor.

        :param self: the rectangle to copy
        :param factor: how much to grow each side
        """
        width = self.width * factor  # grow the width
        height = self.height * factor
        return Rectangle(width, height)
`;

/** Pieces the shipped model's suggestions held before (issue 13 §3): prefixes, suffixes and fragments. */
const PIECES = ['cent', 'ident', 'vers', 'ion', 'ate', 'ally', 'pret', ' comp', ' cont', ' comm', ' con', ' pro'];

describe('substitution rules: kind, function words, pieces, document first, case (shipped gpt2-python-mini)', () => {
  let loaded: LoadedModel;
  let tok: Gpt2Tokenizer;
  const texts = (ids: readonly number[]) => ids.map((id) => tok.displayText(id));
  const one = (text: string) => {
    const ids = tok.encode(text).ids;
    assert.equal(ids.length, 1, `‘${text}’ is one token`);
    return ids[0];
  };
  before(async () => {
    loaded = await loadHookedGpt2(join(REPO_ROOT, 'models', 'gpt2-python-mini'));
    tok = loaded.tokenizer;
  });
  after(() => loaded.dispose());

  it('tells code from prose, and an identifier from an English word from a function word', () => {
    assert.deepEqual([...codeNamesOf('x = f(a_b)  # the low end\ns = "high and low"')].sort(), ['a_b', 'f', 's', 'x']);
    assert.deepEqual(
      [...proseWordsOf('x = f(a_b)  # the low end\ns = """high\nand low"""')].sort(),
      ['and', 'end', 'high', 'low', 'low', 'the'].filter((w, i, a) => a.indexOf(w) === i),
    );
    const names = codeNamesOf(RECTANGLE);
    assert.equal(substituteRole('param', 'identifier', names), 'identifier', 'no English word');
    assert.equal(substituteRole('low', 'identifier', names), 'word', 'an English word of the prose');
    assert.equal(substituteRole('width', 'identifier', names), 'identifier', 'an English word that is a name of the code');
    assert.equal(substituteRole('the', 'identifier', names), 'function word');
    assert.equal(substituteRole('(', 'punctuation', names), 'other');
  });

  it('a content word or identifier never gets a function word or (unless it is one) a builtin; a function word gets function words', () => {
    const ids = tok.encode(RECTANGLE).ids;
    for (const original of ['param', ' low']) {
      const subs = texts(sameKindSubstitutes(tok, one(original), { limit: 200, preferred: ids, text: RECTANGLE }));
      assert.ok(subs.length >= 24, `${original}: ${subs.length} suggestions`);
      const bad = subs.filter((t) => FUNCTION_WORDS.has(t.trim().toLowerCase()));
      assert.deepEqual(bad, [], `${original} gets function words`);
      if (original === 'param')
        assert.deepEqual(
          subs.filter((t) => PYTHON_BUILTINS.has(t.trim())),
          [],
          'builtins for a name',
        );
    }
    const the = texts(sameKindSubstitutes(tok, one(' the'), { limit: 30, text: RECTANGLE }));
    assert.ok(the.length > 5, the.join('|'));
    for (const t of the) assert.ok(FUNCTION_WORDS.has(t.trim().toLowerCase()), `‘${t}’ for ‘ the’`);
  });

  it('refuses prefix and suffix pieces of longer words', () => {
    for (const w of ['comp', 'cont', 'comm', 'con']) assert.ok(isPrefixPiece(tok, w), `${w} starts longer words`);
    for (const w of ['cent', 'ident', 'vers', 'ring', 'ion', 'ate', 'time']) assert.ok(isSuffixPiece(w), `${w} ends longer words (runtime, datetime)`);
    for (const w of ['width', 'factor', 'height']) {
      assert.ok(!isPrefixPiece(tok, w), `${w} is a word`);
      assert.ok(!isSuffixPiece(w), `${w} is a word`);
    }
    const ids = tok.encode(RECTANGLE).ids;
    for (const original of ['param', ' low']) {
      const subs = texts(sameKindSubstitutes(tok, one(original), { limit: 200, preferred: ids, text: RECTANGLE }));
      assert.deepEqual(
        subs.filter((t) => PIECES.includes(t)),
        [],
        `${original}: ${subs.join('|')}`,
      );
      for (const id of sameKindSubstitutes(tok, one(original), { limit: 200, preferred: ids, text: RECTANGLE })) assertWholeWord(tok, RECTANGLE, id);
    }
  });

  it("puts the document's identifiers first for an identifier, its prose words first for an English word", () => {
    const ids = tok.encode(RECTANGLE).ids;
    const param = substituteCandidates(tok, one('param'), { limit: 24, preferred: ids, text: RECTANGLE });
    assert.equal(param.role, 'identifier');
    const docNames = [...codeNamesOf(RECTANGLE)].filter((w) => w !== 'param' && tok.encode(w).ids.length === 1 && !PYTHON_BUILTINS.has(w));
    const fromDoc = param.candidates.filter((c) => c.source === 'document').map((c) => tok.displayText(c.id));
    assert.deepEqual([...fromDoc].sort(), [...docNames].sort(), 'every single-token name of the code, and only those');
    assert.ok(fromDoc.includes('width') && fromDoc.includes('factor'), fromDoc.join('|'));
    assert.ok(!fromDoc.includes('copy'), 'a word of the docstring only is no name of the code');
    const firstVocab = param.candidates.findIndex((c) => c.source === 'vocabulary');
    assert.equal(firstVocab, fromDoc.length, 'document names come before the vocabulary');
    const low = substituteCandidates(tok, one(' low'), { limit: 24, preferred: ids, text: RECTANGLE });
    assert.equal(low.role, 'word');
    const lowDoc = low.candidates.filter((c) => c.source === 'document').map((c) => tok.displayText(c.id));
    assert.ok(lowDoc.includes(' copy') && lowDoc.includes(' small'), lowDoc.join('|'));
    assert.ok(!lowDoc.includes(' Return'), 'a lowercase word gets lowercase words');
    assert.ok(!lowDoc.includes(' param'), 'an English word gets English words, not a name the docstring mentions');
    // The rest of the document counts too (context), the prompt being one line of it.
    const line = '        :param factor: how much to grow each side\n';
    const withContext = substituteCandidates(tok, one('param'), { limit: 24, text: line, context: RECTANGLE });
    assert.ok(withContext.candidates.some((c) => c.source === 'document' && tok.displayText(c.id) === 'width'));
  });

  it("collapses case duplicates, keeping the original's case pattern", () => {
    const text = 'Width = 1\nwidth = 2\nWIDTH = 3\nvalue = Value\n';
    const subs = texts(sameKindSubstitutes(tok, one('param'), { limit: 200, text }));
    const keys = subs.map((t) => t.toLowerCase());
    assert.equal(new Set(keys).size, keys.length, `no case duplicates: ${subs.join('|')}`);
    assert.ok(subs.includes('width') && !subs.includes('Width') && !subs.includes('WIDTH'), subs.join('|'));
    const low = texts(sameKindSubstitutes(tok, one(' low'), { limit: 200, text: '# When the time comes' }));
    const lowKeys = low.map((t) => t.toLowerCase());
    assert.equal(new Set(lowKeys).size, lowKeys.length, low.join('|'));
    assert.ok(!low.includes(' When') && !low.includes(' when'), 'function words');
    assert.ok(
      low.every((t) => t === t.toLowerCase()),
      `lowercase like ‘ low’: ${low.join('|')}`,
    );
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
    // Words of the document rank first, each group by distance.
    const doc = new Set(
      [...ranking.ranked]
        .reverse()
        .slice(0, 3)
        .map((r) => r.id),
    );
    const tiered = await rankSubstitutes(loaded.model, loaded.tokenizer, { ids: prompt.ids, isBos: prompt.tokens.map((t) => t.isBos) }, position, candidates, {
      fromDocument: doc,
    });
    assert.deepEqual(
      tiered.ranked.slice(0, 3).map((r) => r.id),
      [...ranking.ranked]
        .reverse()
        .slice(0, 3)
        .reverse()
        .map((r) => r.id),
      'the three worst, marked as document words, come first in distance order',
    );
    assert.ok(tiered.ranked.slice(0, 3).every((r) => r.fromDocument) && tiered.ranked.slice(3).every((r) => !r.fromDocument));
    await assert.rejects(
      () => rankSubstitutes(loaded.model, loaded.tokenizer, { ids: prompt.ids, isBos: prompt.tokens.map((t) => t.isBos) }, 0, candidates),
      /BOS/,
    );
  });
});
