import * as assert from 'node:assert/strict';
import { comparisonToCsv, comparisonToHtml, comparisonToJson, CSV_HEADER, f32 } from '../../../../src/features/substitution/export';
import { csvField } from '../../../../src/shared/csv';
import type { ComparisonParams, PatchTable } from '../../../../src/features/substitution/shared/protocol';

const base: ComparisonParams = {
  runId: 'r1',
  modelName: 'tiny <model>',
  clean: {
    text: 'a, "b"',
    tokens: [
      { id: 0, text: '<|endoftext|>', isBos: true },
      { id: 1, text: 'a,', isBos: false },
      { id: 2, text: ' "b"\n', isBos: false },
    ],
  },
  corrupt: {
    text: 'a, c',
    tokens: [
      { id: 0, text: '<|endoftext|>', isBos: true },
      { id: 1, text: 'a,', isBos: false },
      { id: 3, text: ' c</script>', isBos: false },
    ],
  },
  diff: {
    ops: [
      { kind: 'equal', a: 0, b: 0 },
      { kind: 'equal', a: 1, b: 1 },
      { kind: 'replace', a: 2, b: 2 },
    ],
    differingPositions: [2],
  },
  metric: { spec: { kind: 'kl' }, label: 'KL', clean: 0, corrupt: 2 },
  n_layers: 2,
  n_heads: 2,
  sweeps: ['resid_pre', 'z'],
  notes: ['a note'],
  stale: false,
};
const tables: PatchTable[] = [
  { sweep: 'resid_pre', direction: 'denoise', source: 'exact', dims: [2, 3], axes: ['layer', 'pos'], patched: Float32Array.from([2, 2, 1, 2, 2, 0.5]) },
  { sweep: 'z', direction: 'noise', source: 'attribution', dims: [2, 2], axes: ['layer', 'head_index'], patched: Float32Array.from([0.1, 0, 0, 1.3]) },
];

describe('patchingUi: exports', () => {
  it('CSV: a header, one row per cell, RFC 4180 quoting of token text, normalised and change columns', () => {
    const csv = comparisonToCsv(base, tables);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], CSV_HEADER.join(','));
    // Token text with a newline stays inside one quoted field, so split on the row terminator only.
    assert.equal(lines.length, 1 + 6 + 4);
    assert.equal(lines[1], 'denoise,resid_pre,exact,0,,0,<|endoftext|>,<|endoftext|>,2,0,0');
    assert.equal(
      lines[3],
      'denoise,resid_pre,exact,0,,2," ""b""\n"," c</script>",1,0.5,-1',
      'a token with a leading space is quoted so every reader keeps the space',
    );
    assert.equal(lines[7], 'noise,z,attribution,0,0,,,,0.1,0.95,0.1');
    assert.equal(csvField('x,y'), '"x,y"');
    assert.equal(csvField(null), '');
    // Token text a spreadsheet would evaluate opens as text; numbers, negative ones too, stay numbers.
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-'), "'-");
    assert.equal(csvField('+x,y'), `"'+x,y"`);
    assert.equal(csvField(' ='), '" ="', 'a leading space is quoted, and not a formula');
    assert.equal(csvField(-0.5), '-0.5');
    assert.equal(csvField(NaN), '');
  });

  it('CSV and JSON leave normalised values empty/null when clean and corrupt metrics are equal, with a warning', () => {
    const eq = { ...base, metric: { ...base.metric, clean: 1, corrupt: 1 } };
    const row = comparisonToCsv(eq, tables).split('\r\n')[1].split(',');
    assert.equal(row[CSV_HEADER.indexOf('normalised')], '');
    const j = comparisonToJson(eq, tables) as { warning?: string; tables: { normalised: unknown }[] };
    assert.match(j.warning ?? '', /same metric/);
    assert.deepEqual(j.tables[1].normalised, [
      [null, null],
      [null, null],
    ]);
  });

  it('JSON: nested arrays per table with its source, float32 digits, the prompts and notes', () => {
    const j = comparisonToJson(base, tables) as Record<string, unknown> & { tables: Record<string, unknown>[] };
    assert.equal(j.model, 'tiny <model>');
    assert.deepEqual(j.notes, ['a note']);
    assert.deepEqual(j.tables[0].patched, [
      [2, 2, 1],
      [2, 2, 0.5],
    ]);
    assert.equal(j.tables[1].source, 'attribution');
    assert.match(String(j.tables[1].note), /estimate/);
    assert.deepEqual(j.tables[1].patched, [
      [0.1, 0],
      [0, 1.3],
    ]);
    assert.equal(f32(Math.fround(0.1)), 0.1);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(j)));
  });

  it('JSON: the SAE features that carry the substitution, estimate and exact, when an SAE applied', () => {
    const saeFeatures = {
      runId: 'r',
      state: 'done' as const,
      sae: { label: 'tiny · blocks.1.hook_resid_pre · 128 features', hook: 'blocks.1.hook_resid_pre', dSae: 128, inputTransform: 'none' as const },
      attributed: 2,
      warnings: [],
      features: [
        {
          feature: 7,
          attribution: { denoise: 0.5, noise: -0.25 },
          exact: { denoise: 0.4, noise: -0.3 },
          denoise_pos: Float32Array.of(0, 0.5),
          noise_pos: Float32Array.of(0, -0.25),
        },
        { feature: 3, attribution: { denoise: 0.1, noise: 0 }, denoise_pos: Float32Array.of(0.1, 0), noise_pos: Float32Array.of(0, 0) },
      ],
    };
    const j = comparisonToJson(base, tables, saeFeatures) as { saeFeatures: { features: Record<string, unknown>[]; sae: { hook: string } } };
    assert.equal(j.saeFeatures.sae.hook, 'blocks.1.hook_resid_pre');
    assert.deepEqual(j.saeFeatures.features[0], {
      feature: 7,
      attribution: { denoise: 0.5, noise: -0.25 },
      exact: { denoise: 0.4, noise: -0.3 },
      attribution_denoise_pos: [0, 0.5],
      attribution_noise_pos: [0, -0.25],
    });
    assert.equal(j.saeFeatures.features[1].exact, null, 'not run yet: null, not a made-up number');
    const none = comparisonToJson(base, tables, { ...saeFeatures, state: 'no-sae', features: [] }) as Record<string, unknown>;
    assert.equal(none.saeFeatures, undefined);
  });

  it('HTML: self-contained (no scripts to run, no remote resources), escaped text, inline SVG per table, data inline', () => {
    const html = comparisonToHtml(base, tables);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(!/\bsrc=|href=|@import|url\(/i.test(html), 'no external resources');
    assert.ok(!/https?:\/\//.test(html.replaceAll('http://www.w3.org/2000/svg', '')), 'no remote URLs');
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('<script type="application/json" id="circuit-inspector-data">'));
    assert.ok(!html.includes(' c</script>'), 'token text cannot close the data script');
    assert.ok(html.includes('tiny &lt;model&gt;'));
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.match(html, /estimate \(attribution patching\)/);
    const data = html.slice(html.indexOf('id="circuit-inspector-data">') + 'id="circuit-inspector-data">'.length, html.lastIndexOf('</script>'));
    const parsed = JSON.parse(data) as { tables: unknown[]; corrupt: { tokens: { text: string }[] } };
    assert.equal(parsed.tables.length, 2);
    assert.equal(parsed.corrupt.tokens[2].text, ' c</script>');
  });

  it('HTML: effect by default on a stated scale; the raw metric and a small-gap note when the gap is small', () => {
    assert.match(comparisonToHtml(base, tables), /effect: share of the clean–corrupt gap restored \(denoising\) or removed \(noising\)/);
    const small = { ...base, metric: { ...base.metric, clean: 1.015, corrupt: 1 } };
    const html = comparisonToHtml(small, tables);
    assert.match(html, /raw metric of the patched run/);
    assert.match(html, /The clean–corrupt gap is 0\.015 \w+, below the/);
    assert.match(comparisonToHtml(base, tables, 'normalised'), /normalised \(patched − corrupt\)/, 'an explicit mode is kept');
  });
});
