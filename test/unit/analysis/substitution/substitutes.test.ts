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
    assert.equal(sameKindSubstitutes(tok, param, { limit: 5, preferred: [arg] })[0], arg);
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
