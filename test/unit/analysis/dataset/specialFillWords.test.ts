/**
 * Special fill words on the shipped model: the probe flags pool words some head singles out (on the
 * docstring template, head 0.2 and ` rule`), each with the analysis's message and the probe text;
 * the flag is confirmed by running Inspect Attention's special-token analysis on that text
 * separately; a set generated with the probe's exclusions never draws them and records them; the
 * template's own special tokens are reported for information; a template whose slots occur once
 * cannot be probed and says so.
 */
import assert from 'node:assert/strict';
import { generatePromptSet, parseCorruption } from '../../../../src/analysis/dataset/generatePromptSet';
import { fillWordPool } from '../../../../src/analysis/dataset/fillWords';
import { suggestSlots } from '../../../../src/analysis/dataset/slotSuggestions';
import { findSpecialFillWords, type SpecialFillWords } from '../../../../src/analysis/dataset/specialFillWords';
import type { LayerPattern } from '../../../../src/analysis/headScores';
import { detectSpecialTokens } from '../../../../src/analysis/specialTokens';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import { blockHook } from '../../../../src/shared/hookNames';

const TEMPLATE = 'def load(self, data, name, path):\n    """Load a thing.\n\n    :param data: the first\n    :param name: the second\n    :param';

describe('findSpecialFillWords (shipped model)', () => {
  let loaded: LoadedModel;
  let probe: SpecialFillWords;
  let progress: [number, number][];
  before(async () => {
    loaded = await loadHookedGpt2(shippedModelDir());
    progress = [];
    probe = await findSpecialFillWords(loaded, {
      template: TEMPLATE,
      slots: suggestSlots(TEMPLATE, loaded.tokenizer),
      onProgress: (d, t) => progress.push([d, t]),
    });
  });
  after(() => loaded?.dispose());

  it('probes every pool word in recurring slots, in batched runs, and flags ` rule` (head 0.2) with the reason', () => {
    const pool = fillWordPool(loaded.tokenizer, { template: TEMPLATE });
    assert.equal(probe.poolSize, pool.length);
    assert.equal(probe.probes, 300, '300 pool words, 2 recurring slots, 2 rounds');
    assert.deepEqual(progress.at(-1), [300, 300]);
    assert.ok(progress.length < 40, `${progress.length} runs`);
    const rule = probe.excluded.find((e) => e.word === 'rule');
    assert.ok(rule, `excluded: ${probe.excluded.map((e) => e.word).join(', ')}`);
    assert.match(rule.reason, /^head 0\.2 attends to ` rule` \d+\.\d× more than to other identifier tokens/);
    for (const e of probe.excluded) assert.ok(pool.includes(e.word), `${e.word} is a pool word`);
  });

  it('the flag is the special-token analysis’s own: Inspect Attention’s detector finds ` rule` in the probe text', async () => {
    const rule = probe.excluded.find((e) => e.word === 'rule')!;
    assert.ok(rule.probe!.split(' rule').length - 1 >= 2, 'the word occurs at least twice in its probe');
    const prompt = loaded.toPrompt(rule.probe!);
    const hooks = Array.from({ length: loaded.model.config.nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));
    const run = await loaded.model.runWithCache(prompt.ids, hooks, { logits: 'none' });
    const layers: LayerPattern[] = hooks.map((h) => {
      const t = run.cache.get(h);
      return { dims: t.dims.slice(1), data: t.data };
    });
    const findings = detectSpecialTokens(layers, prompt.tokens);
    const f = findings.find((x) => x.text === ' rule');
    assert.ok(f, findings.map((x) => x.message).join('\n'));
    assert.equal(f.message, rule.reason);
  });

  it('a set generated with the probe’s exclusions never draws them, and its first line says which and why', () => {
    const slots = suggestSlots(TEMPLATE, loaded.tokenizer);
    const set = generatePromptSet(
      {
        template: TEMPLATE,
        slots,
        n: 300,
        corruption: parseCorruption('all'),
        seed: 3,
        answer: 'path',
        excluded: probe.excluded,
        templateSpecial: probe.templateSpecial,
      },
      loaded.tokenizer,
    );
    const words = new Set(probe.excluded.map((e) => e.word));
    for (const p of set.pairs) {
      for (const w of [...Object.values(p.meta!.fills as object), ...Object.values(p.meta!.corrupted as object)])
        assert.ok(!words.has(w as string), `${w} was drawn`);
    }
    const meta = JSON.parse(set.jsonl.split('\n')[0]).meta;
    assert.deepEqual(
      meta.excluded.map((e: { word: string }) => e.word),
      [...words],
    );
    assert.ok(meta.excluded.every((e: { reason: string }) => /^head \d+\.\d+ attends to /.test(e.reason)));
    assert.deepEqual(meta.templateSpecial, probe.templateSpecial);
  });

  it('reports the template’s own special tokens (not fills) for information, with how often', () => {
    const texts = probe.templateSpecial.map((t) => t.text);
    assert.ok(texts.includes('param'), texts.join(' | '));
    for (const t of probe.templateSpecial) {
      assert.ok(TEMPLATE.includes(t.text.trim()), `${t.text} is in the fixed text`);
      assert.match(t.reason, /\(in \d+ of 300 probe variants\)$/);
    }
  });

  it('slots that occur once cannot be probed: no run, and a note saying why', async () => {
    const tpl = 'def load(self, data, name):\n    return';
    const r = await findSpecialFillWords(loaded, { template: tpl, slots: suggestSlots(tpl, loaded.tokenizer) });
    assert.equal(r.probes, 0);
    assert.deepEqual(r.excluded, []);
    assert.match(r.note!, /no slot occurs twice/);
  });
});
