/**
 * The dataset feature's engine methods on the shipped model, through the real EngineClient and
 * EngineServer (in this thread, same message flow as the engine process): a malformed set lists
 * every bad line; a template's slots are suggested and a set generated from them runs; the preview
 * and the exact sweeps give mean tables that equal the mean of the single-pair sweeps; progress
 * says "pair i of N, table j of M"; a stop keeps the finished pairs, labelled partial N of M.
 */
import * as assert from 'node:assert/strict';
import type { EngineClient, TypedEngine } from '../../../../src/engine/client';
import { isCancelled, type EngineError } from '../../../../src/engine/protocol';
import { isSweepsDetail, type DatasetEngineMethods, type SetPair, type SweepsDetail } from '../../../../src/features/dataset/shared/engineMethods';
import { Dataset, Summary, Tables, type DatasetTable } from '../../../../src/features/dataset/shared/protocol';
import type { SubstitutionEngineMethods } from '../../../../src/features/substitution/shared/engineMethods';
import { shippedModelDir } from '../../../../src/model/shippedModel';
import type { ModelSpec } from '../../../../src/shared/modelSpec';
import { inProcessClient } from '../../engine/inProcessEngine';

const spec: ModelSpec = { dir: shippedModelDir(), displayName: 'gpt2-python-mini', layerNorm: 'as_configured', prependBos: true };
const TEMPLATE = 'def area(self, width, height, depth):\n    """Return the volume.\n\n    :param width: the width\n    :param height: the height\n    :param';

describe('dataset: engine methods (shipped model)', function () {
  this.timeout(300_000);
  let owner: EngineClient;
  let client: TypedEngine<DatasetEngineMethods>;
  before(() => {
    ({ owner } = inProcessClient());
    client = owner.methods<DatasetEngineMethods>();
  });
  after(() => owner.dispose(100));

  let generated = '';

  it('checkPromptSet lists every bad line with its number (JSON, fields, token counts, multi-token answer, empty prompt) and keeps the good ones', async () => {
    const lines = [
      JSON.stringify({ clean: 'def f(self, width):', corrupt: 'def f(self, height):', answer: ' width', wrong: ' height' }),
      '{"clean": "def f(a):", "corrupt": ',
      JSON.stringify({ clean: 'x = 1', corrupt: 'x = 2' }),
      JSON.stringify({ clean: 'def f(self, width):', corrupt: 'def f(self, width_and_more_tokens):', answer: ' width', wrong: ' height' }),
      '',
      JSON.stringify({ clean: 'def f(self, width):', corrupt: 'def f(self, height):', answer: ' width and height', wrong: ' height' }),
      JSON.stringify({ clean: '', corrupt: '', answer: ' width', wrong: ' height' }),
      JSON.stringify({ clean: 'def g(self, depth):', corrupt: 'def g(self, width):', answer: ' depth', wrong: ' width' }),
    ];
    const r = await client.call('checkPromptSet', { model: spec, text: lines.join('\n') }).result;
    assert.deepEqual([...new Set(r.errors.map((e) => e.line))], [2, 3, 4, 6, 7], r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
    assert.match(r.errors.find((e) => e.line === 3)!.message, /missing/);
    assert.match(r.errors.find((e) => e.line === 4)!.message, /token/);
    assert.deepEqual(
      r.pairs.map((p) => p.line),
      [1, 8],
    );
    assert.equal(r.pairsInFile, 2);
    assert.deepEqual(r.info[0], {
      line: 1,
      clean: 'def f(self, width):',
      corrupt: 'def f(self, height):',
      answer: ' width',
      wrong: ' height',
      n_tokens: r.pairs[0].clean.length,
    });
    assert.equal(r.n_layers, 2);
  });

  it('checkPromptSet: an empty file is an error (line 0); maxPairs keeps the first pairs; position labels mark the slot', async () => {
    const empty = await client.call('checkPromptSet', { model: spec, text: '\n\n' }).result;
    assert.equal(empty.errors.length, 1);
    assert.equal(empty.errors[0].line, 0);
    assert.match(empty.errors[0].message, /empty/);
    const line = (a: string, b: string) => JSON.stringify({ clean: `def f(self, ${a}):`, corrupt: `def f(self, ${b}):`, answer: ` ${a}`, wrong: ` ${b}` });
    const r = await client.call('checkPromptSet', {
      model: spec,
      text: [line('width', 'height'), line('depth', 'width'), line('height', 'depth')].join('\n'),
      maxPairs: 2,
    }).result;
    assert.equal(r.pairs.length, 2);
    assert.equal(r.pairsInFile, 3);
    assert.ok(r.positions, 'equal lengths: one label per position');
    const varies = r.positions.flatMap((p, i) => (p.varies ? [i] : []));
    assert.equal(varies.length, 1, JSON.stringify(r.positions));
    assert.equal(r.positions[varies[0]].text, ' width');
  });

  it('suggestSlots gives the signature’s arguments (not self) in their groups; generatePromptSet writes N pairs of the template’s length and says which words were excluded', async () => {
    const s = await client.call('suggestSlots', { model: spec, template: TEMPLATE }).result;
    assert.deepEqual(
      s.slots.map((x) => x.name),
      ['width', 'height', 'depth'],
    );
    assert.ok(s.slots[0].occurrences.some((o) => o.group === 'docstring'));
    const progress: unknown[] = [];
    const g = await client.call(
      'generatePromptSet',
      { model: spec, template: TEMPLATE, slots: ['width', 'height', 'depth'], corruption: { kind: 'slot', slot: 'depth' }, n: 6, seed: 1, answer: 'depth' },
      (_phase, _m, d) => progress.push(d),
    ).result;
    assert.equal(g.pairs, 6);
    assert.equal(g.tokenCount, s.tokenCount);
    assert.ok(progress.length > 0, 'the special-word probe reports progress');
    const lines = g.jsonl.trim().split('\n');
    assert.equal(lines.length, 6);
    const first = JSON.parse(lines[0]) as { meta: { excluded?: unknown } };
    assert.ok(Array.isArray(first.meta.excluded), 'the set records the excluded words');
    assert.equal((first.meta.excluded as unknown[]).length, g.excluded.length);
    const again = await client.call('generatePromptSet', {
      model: spec,
      template: TEMPLATE,
      slots: ['width', 'height', 'depth'],
      corruption: { kind: 'slot', slot: 'depth' },
      n: 6,
      seed: 1,
      answer: 'depth',
    }).result;
    assert.equal(again.jsonl, g.jsonl, 'seeded: the same request gives the same file');
    const checked = await client.call('checkPromptSet', { model: spec, text: g.jsonl }).result;
    assert.deepEqual(checked.errors, []);
    assert.equal(checked.pairs.length, 6);
    generated = g.jsonl;
  });

  it('generatePromptSet refuses a slot that is not in the template, naming it', async () => {
    await assert.rejects(
      client.call('generatePromptSet', { model: spec, template: TEMPLATE, slots: ['nowhere'], corruption: { kind: 'all' }, n: 3, seed: 1, answer: 'nowhere' })
        .result,
      (e: EngineError) => e.code === 'bad-request' && /nowhere/.test(e.message),
    );
  });

  it('generatePromptSet refuses a template longer than the model’s context before probing, as a bad request that says so', async () => {
    const long = TEMPLATE.replace('Return the volume.', 'Return the volume. '.repeat(40));
    await assert.rejects(
      client.call('generatePromptSet', {
        model: spec,
        template: long,
        slots: ['width', 'height', 'depth'],
        corruption: { kind: 'all' },
        n: 3,
        seed: 1,
        answer: 'depth',
      }).result,
      (e: EngineError) => e.code === 'bad-request' && /the template is \d+ tokens, more than this model's context holds \(127 tokens/.test(e.message),
    );
  });

  it('setAttribution then setSweeps: every table in both directions; the exact mean is the mean of the single-pair sweeps (1e-4); progress says pair i of N, table j of M', async () => {
    assert.ok(generated, 'the previous test generated a set');
    const checked = await client.call('checkPromptSet', { model: spec, text: generated }).result;
    const pairs = checked.pairs;
    const sweeps = ['z', 'resid_pre'] as const;
    const preview = await client.call('setAttribution', { model: spec, runId: 'a', pairs, sweeps: [...sweeps] }).result;
    assert.deepEqual(preview.tables.map((t) => `${t.sweep}/${t.direction}/${t.source}`).sort(), [
      'resid_pre/denoise/attribution',
      'resid_pre/noise/attribution',
      'z/denoise/attribution',
      'z/noise/attribution',
    ]);
    assert.ok(Summary.is(Summary.create({ runId: 'a', summary: preview.summary, notes: preview.notes })), 'the webview guard accepts the summary');
    const details: SweepsDetail[] = [];
    const messages: string[] = [];
    const exact = await client.call('setSweeps', { model: spec, runId: 'b', pairs, sweeps: [...sweeps] }, (_p, m, d) => {
      messages.push(m);
      if (isSweepsDetail(d)) details.push(d);
    }).result;
    assert.equal(exact.partial, undefined);
    assert.equal(exact.tables.length, 4);
    assert.ok(Tables.is(Tables.create({ runId: 'b', tables: exact.tables })), 'the webview guard accepts the tables');
    assert.ok(
      messages.some((m) => /^pair \d+ of 6, table \d+ of 4$/.test(m)),
      messages.slice(0, 5).join(' | '),
    );
    assert.ok(details.some((d) => d.kind === 'table'));
    const sub = owner.methods<SubstitutionEngineMethods>();
    const z = exact.tables.find((t) => t.sweep === 'z' && t.direction === 'denoise')!;
    // patchSweeps sends its tables as progress; collect them per pair.
    const rows = await Promise.all(pairs.map((p) => singleTable(p)));
    for (let cell = 0; cell < z.mean.length; cell++) {
      const mean = rows.reduce((a, r) => a + r[cell], 0) / rows.length;
      assert.ok(Math.abs(mean - z.mean[cell]) < 1e-4, `cell ${cell}: ${z.mean[cell]} vs the single-pair mean ${mean}`);
    }
    assert.equal(z.perPair.length, pairs.length * z.mean.length);

    async function singleTable(p: SetPair): Promise<Float32Array> {
      let table: Float32Array | undefined;
      await sub.call(
        'patchSweeps',
        { model: spec, clean: p.clean, corrupt: p.corrupt, metric: metric(p), sweeps: ['z'], directions: ['denoise'] },
        (_ph, _m, d) => {
          if (d && d.kind === 'table') table = d.table.patched;
        },
      ).result;
      assert.ok(table);
      return table;
    }
  });

  it('stopSetSweeps mid-set: the sweeps resolve with the finished pairs, labelled partial N of M, and the tables cover them', async () => {
    // Three lengths: three blocks, so a stop after the first keeps its pairs.
    const line = (args: string, a: string, b: string) =>
      JSON.stringify({ clean: `def f(self, ${args}${a}):`, corrupt: `def f(self, ${args}${b}):`, answer: ` ${a}`, wrong: ` ${b}` });
    const text = [line('', 'width', 'height'), line('x, ', 'width', 'depth'), line('x, y, ', 'depth', 'height'), line('', 'height', 'width')].join('\n');
    const checked = await client.call('checkPromptSet', { model: spec, text }).result;
    assert.deepEqual(checked.errors, []);
    assert.equal(checked.positions, null, 'different lengths: no position columns');
    let stopped = false;
    let partials = 0;
    const r = await client.call('setSweeps', { model: spec, runId: 'stop-me', pairs: checked.pairs, sweeps: ['z', 'resid_pre'] }, (_p, _m, d) => {
      if (!isSweepsDetail(d) || d.kind !== 'pairs') return;
      partials++;
      if (!stopped) {
        stopped = true;
        void client.call('stopSetSweeps', { runId: 'stop-me' }).result;
      }
    }).result;
    assert.ok(partials >= 1, 'the finished pairs were streamed');
    assert.ok(r.partial, 'labelled partial');
    assert.ok(r.partial.done >= 1 && r.partial.done < 4, JSON.stringify(r.partial));
    assert.equal(r.partial.total, 4);
    assert.equal(r.summary.pairs, r.partial.done);
    assert.ok(
      r.notes.some((n) => /equal length/i.test(n) || /position/i.test(n)),
      `resid_pre is left out with a note: ${r.notes.join(' | ')}`,
    );
    assert.ok(r.tables.every((t: DatasetTable) => t.sweep === 'z'));
    for (const t of r.tables) assert.equal(t.perPair.length, r.partial.done * t.mean.length);
    const stopNone = await client.call('stopSetSweeps', { runId: 'stop-me' }).result;
    assert.equal(stopNone.stopped, false, 'nothing left to stop');
  });

  it('a cancelled setSweeps request is a cancel (no result)', async () => {
    const checked = await client.call('checkPromptSet', { model: spec, text: generated }).result;
    const call = client.call('setSweeps', { model: spec, runId: 'c', pairs: checked.pairs, sweeps: ['z'] });
    call.cancel();
    await assert.rejects(call.result, (e: unknown) => isCancelled(e));
  });

  it('refuses a run with no pairs, an unknown sweep, or pairs of unequal length within a pair', async () => {
    await assert.rejects(client.call('setSweeps', { model: spec, runId: 'd', pairs: [], sweeps: ['z'] }).result, /no pairs/);
    const p: SetPair = { line: 1, clean: [1, 2, 3], corrupt: [1, 2, 4], answer: 5, wrong: 6 };
    await assert.rejects(client.call('setAttribution', { model: spec, runId: 'd', pairs: [p], sweeps: ['nope' as 'z'] }).result, /sweep/);
    await assert.rejects(client.call('setAttribution', { model: spec, runId: 'd', pairs: [{ ...p, corrupt: [1, 2] }], sweeps: ['z'] }).result, /line 1/);
  });

  it('the set’s pairs pass the webview guard as DatasetParams', async () => {
    const checked = await client.call('checkPromptSet', { model: spec, text: generated }).result;
    const params = {
      runId: 'x',
      modelName: spec.displayName,
      fileName: 'g.prompts.jsonl',
      n_layers: checked.n_layers,
      n_heads: checked.n_heads,
      pairs: checked.info,
      pairsInFile: checked.pairsInFile,
      sweeps: ['z' as const],
      directions: ['denoise' as const, 'noise' as const],
      positions: checked.positions,
      notes: [],
    };
    assert.ok(Dataset.is(Dataset.create(params)));
  });
});

function metric(p: SetPair) {
  return { kind: 'logit_diff' as const, answer: { id: p.answer, text: '' }, wrong: { id: p.wrong, text: '' } };
}
