import * as assert from 'node:assert/strict';
import type { DatasetSummary, DatasetTable } from '../../../src/features/dataset/shared/protocol.js';
import {
  availableDatasetModes,
  beatsText,
  cellLabel,
  defaultDatasetMode,
  describeMeanCell,
  describePairRow,
  gapView,
  lengthsText,
  meanHeatmapView,
  meanHints,
  meanSweepStatus,
  meanValue,
  pairDiff,
  resolution,
  rowMetrics,
  seValue,
  sharedMeanScale,
  significance,
  toldApart,
} from './datasetView.js';
import { tableKey } from '../../../src/features/dataset/shared/protocol.js';

const summary = (meanClean: number, meanCorrupt: number, pairs = 10, zeroGap = false): DatasetSummary => ({
  pairs,
  metricClean: new Float32Array(pairs).fill(meanClean),
  metricCorrupt: new Float32Array(pairs).fill(meanCorrupt),
  meanClean,
  meanCorrupt,
  cleanBeatsCorrupt: meanClean > meanCorrupt ? 1 : 0,
  zeroGap,
});

/** A [1 layer, 2 heads] table from per-pair values [pair][head]. */
function table(direction: 'denoise' | 'noise', perPair: number[][], source: 'exact' | 'attribution' = 'exact'): DatasetTable {
  const n = perPair.length;
  const mean = [0, 1].map((h) => perPair.reduce((a, p) => a + p[h], 0) / n);
  const se = [0, 1].map((h) => {
    if (n < 2) return 0;
    const v = perPair.reduce((a, p) => a + (p[h] - mean[h]) ** 2, 0) / (n - 1);
    return Math.sqrt(v / n);
  });
  return {
    sweep: 'z',
    direction,
    source,
    dims: [1, 2],
    axes: ['layer', 'head_index'],
    mean: Float32Array.from(mean),
    normalised: null,
    standardError: Float32Array.from(se),
    restoredFraction: Float32Array.from([0.5, 0.1]),
    perPair: Float32Array.from(perPair.flat()),
  };
}

describe('dataset panel view', () => {
  it('zero gap: raw only; small gap opens raw; a real gap opens normalised', () => {
    assert.deepEqual(availableDatasetModes(summary(1, 1, 10, true)), ['raw']);
    assert.equal(defaultDatasetMode(summary(1.2, 1, 10)), 'raw');
    assert.equal(defaultDatasetMode(summary(3, -1, 10)), 'normalised');
    assert.equal(meanValue('normalised', 2, 'denoise', summary(1, 1, 10, true)), null);
  });

  it('normalises and reads effect against the mean gap, SE divided by |gap|', () => {
    const s = summary(3, -1);
    assert.equal(meanValue('normalised', 1, 'denoise', s), 0.5);
    assert.equal(meanValue('effect', 1, 'denoise', s), 0.5);
    assert.equal(meanValue('effect', 2, 'noise', s), 0.25, 'noising removes (3 − 2) / 4');
    assert.equal(seValue('effect', 0.4, s), 0.1);
  });

  it('heatmap view centres on the unpatched mean and counts cells within 2 SE of it; fade draws them neutral', () => {
    const s = summary(3, -1);
    // head 0: clearly restores (values 2.9..3.1); head 1: noise around corrupt.
    const t = table(
      'denoise',
      Array.from({ length: 10 }, (_, i) => [3 + (i % 2 ? 0.1 : -0.1), -1 + (i % 2 ? 1 : -1)]),
    );
    const v = meanHeatmapView(s, t, 'normalised', []);
    assert.equal(v.centre, 0);
    assert.equal(v.unclear, 1);
    assert.ok(Math.abs((v.values[1] ?? NaN) - 0) < 1e-6);
    const faded = meanHeatmapView(
      s,
      table('denoise', [
        [3, -0.4],
        [3, -1.2],
        [3, 0.4],
        [3, -2.4],
      ]),
      'normalised',
      [],
      true,
    );
    assert.equal(faded.values[1], 0, 'mean 0.025 normalised, SE 0.16: faded to the centre');
    assert.ok((faded.values[0] ?? 0) > 0.9);
    assert.equal(sharedMeanScale([v], 'effect'), 1);
  });

  it('resolution states the median and largest SE over n pairs and says when colours are rough', () => {
    const s = summary(3, -1);
    const noisy = table(
      'denoise',
      Array.from({ length: 6 }, (_, i) => [i % 2 ? 5 : -3, i % 2 ? 4 : -2]),
    );
    const v = meanHeatmapView(s, noisy, 'raw', []);
    const r = resolution([v], sharedMeanScale([v], 'raw'), 6, 'raw');
    assert.match(r.text, /over 6 pairs: median ±[\d.]+ nats, largest ±[\d.]+ nats/);
    assert.ok(r.rough);
    assert.match(r.text, /read the colours as rough/);
    assert.match(resolution([v], 1, 1, 'raw').text, /1 pair: no standard error/);
  });

  it('significance needs the mean to clear the threshold by 2 SE either way', () => {
    assert.equal(significance(0.9, 0.1, 0.5), 'yes');
    assert.equal(significance(0.6, 0.1, 0.5), 'unsure');
    assert.equal(significance(0.1, 0.1, 0.5), 'no');
    assert.equal(toldApart(0.9, 0.05, 0.5, 0.05), true);
    assert.equal(toldApart(0.9, 0.2, 0.7, 0.2), false);
  });

  it('AND/OR readings only where the SE decides both directions; unsure cells are listed, not labelled', () => {
    const s = summary(3, -1, 20);
    // head 0: denoise restores ~all, noise removes ~nothing (OR-like, tight); head 1: denoise ~55% with a wide spread.
    const dn = table(
      'denoise',
      Array.from({ length: 20 }, (_, i) => [3 + (i % 2 ? 0.05 : -0.05), -1 + 4 * 0.55 + (i % 2 ? 3 : -3)]),
    );
    const ns = table(
      'noise',
      Array.from({ length: 20 }, (_, i) => [3 + (i % 2 ? 0.05 : -0.05), 3 + (i % 2 ? 0.05 : -0.05)]),
    );
    const h = meanHints(s, dn, ns, 0.5, []);
    assert.equal(h.withheld, undefined);
    assert.deepEqual(
      h.rows.map((r) => [r.label, r.hint]),
      [['head 0.0', 'or-like']],
    );
    assert.deepEqual(
      h.unsure.map((u) => u.label),
      ['head 0.1'],
    );
    assert.match(h.rule, /minus 2 standard errors, is at least 50%/);
  });

  it('no readings with too few pairs, a zero gap or a small gap — and it says which', () => {
    const few = meanHints(
      summary(3, -1, 3),
      table('denoise', [
        [3, 3],
        [3, 3],
        [3, 3],
      ]),
      table('noise', [
        [3, 3],
        [3, 3],
        [3, 3],
      ]),
      0.5,
      [],
    );
    assert.match(few.withheld ?? '', /Not enough pairs to tell: 3 of the 5/);
    const zero = meanHints(summary(1, 1, 10, true), table('denoise', [[1, 1]]), table('noise', [[1, 1]]), 0.5, []);
    assert.match(zero.withheld ?? '', /mean gap is zero/);
    const small = meanHints(summary(1.2, 1, 10), table('denoise', [[1, 1]]), table('noise', [[1, 1]]), 0.5, []);
    assert.match(small.withheld ?? '', /0\.2 nats, below 0\.5 nats/);
  });

  it('hover text: where, mean ± SE, n, normalised, restored fraction, source', () => {
    const s = summary(3, -1);
    const t = table('denoise', [
      [3, 0],
      [1, 0],
    ]);
    const text = describeMeanCell(s, t, 0, []);
    assert.match(text, /^head 0\.0\nmean 2 ± 1 \(SE\)\s+n = 2 pairs\nnormalised 0\.75 ± 0\.25\nrestores ≥ half its gap in 50% of pairs\nexact$/);
    assert.match(describeMeanCell(s, table('denoise', [[3, 0]]), 0, []), /± — \(n < 2\)/);
  });

  it('labels: cells, lengths, beats, pair differences and per-pair rows', () => {
    assert.equal(cellLabel({ dims: [2, 3], axes: ['layer', 'pos'] }, 4, ['a', 'b', 'c']), 'L1 pos 1 ‘b’');
    assert.equal(cellLabel({ dims: [2, 2, 3], axes: ['layer', 'head_index', 'pos'] }, 5, ['a', 'b', 'c']), 'head 0.1 at pos 2 ‘c’');
    assert.equal(lengthsText([40, 40]), '40 tokens each');
    assert.equal(lengthsText([31, 44, 40]), '31–44 tokens (lengths differ)');
    assert.equal(beatsText({ ...summary(3, -1, 50), cleanBeatsCorrupt: 0.94 }), '47 of 50 pairs (94%)');
    assert.equal(pairDiff('def f(self, factor):', 'def f(rect, x):'), 'self→rect, factor→x');
    assert.equal(pairDiff('a b c d', 'w x y z'), 'a→w, b→x, …');
    assert.match(describePairRow(undefined, 2, 50, 1, 3, -1, 'denoise'), /pair 3 of 50[\s\S]*restores 50% of its own gap/);
    const s = { ...summary(3, -1, 2), metricClean: Float32Array.from([3, 4]), metricCorrupt: Float32Array.from([-1, -2]) };
    const t = {
      ...table('denoise', [
        [0, 0],
        [0, 0],
      ]),
      pairIndex: [5, 7],
    };
    assert.deepEqual(rowMetrics(s, [7, 5], t, 1), { clean: 3, corrupt: -1 }, 'row 1 is pair 7, the summary’s entry 0');
    assert.deepEqual(rowMetrics(s, undefined, { pairIndex: undefined }, 1), { clean: 4, corrupt: -2 }, 'both in order');
    assert.ok(Number.isNaN(rowMetrics(s, [7, 5], { pairIndex: [9] }, 0).clean), 'a pair the summary does not cover');
  });

  it('sweep status: exact, estimate, one direction exact, none', () => {
    const m = new Map([[tableKey('z', 'denoise'), { source: 'exact' as const }]]);
    assert.equal(meanSweepStatus('z', m), 'partial');
    m.set(tableKey('z', 'noise'), { source: 'exact' });
    assert.equal(meanSweepStatus('z', m), 'exact');
    assert.equal(meanSweepStatus('q', m), 'none');
  });

  describe('gapView', () => {
    const of = (clean: number[], corrupt: number[], zeroGap = false): DatasetSummary => ({
      pairs: clean.length,
      metricClean: Float32Array.from(clean),
      metricCorrupt: Float32Array.from(corrupt),
      meanClean: clean.reduce((a, b) => a + b, 0) / clean.length,
      meanCorrupt: corrupt.reduce((a, b) => a + b, 0) / corrupt.length,
      cleanBeatsCorrupt: clean.filter((c, i) => c > corrupt[i]).length / clean.length,
      zeroGap,
    });

    it('a clear gap: "mean gap m ± se (SE)" and no notes', () => {
      const v = gapView(of([4, 4.5, 3.5, 4], [0, 0.2, -0.2, 0])); // gaps 4, 4.3, 3.7, 4: mean 4, SE 0.1225
      assert.equal(v.text, 'mean gap 4 ± 0.1225 (SE)');
      assert.equal(v.noisy, false);
      assert.deepEqual(v.notes, []);
    });

    it('a gap within 2 SE of zero: a warning that the normalised (and effect) views divide by noise, pointing to the raw view', () => {
      const v = gapView(of([3, -1, 2, 0], [1, 1, 1, 1])); // gaps 2, -2, 1, -1: mean 0, not a zero gap to float precision
      assert.equal(v.noisy, true);
      assert.equal(v.notes.length, 1);
      assert.equal(v.notes[0].level, 'warning');
      assert.match(v.notes[0].text, /^The mean gap .* is within 2 standard errors .* of zero: the normalised values divide by noise/);
      assert.match(v.notes[0].text, /opens on the Raw mean/);
      assert.equal(defaultDatasetMode(of([3, -1, 2, 0], [1, 1, 1, 1])), 'raw', 'a noisy gap opens on the raw mean');
    });

    it('a negative gap: the shared warning, without the noise advice', () => {
      const v = gapView(of([0, 0.1, -0.2], [3, 3.2, 2.9]));
      assert.equal(v.noisy, false);
      assert.equal(v.notes.length, 1);
      assert.match(v.notes[0].text, /^The mean gap is negative/);
      assert.doesNotMatch(v.notes[0].text, /Raw mean/);
    });

    it('one pair: no SE in the text, an info note; a zero gap is left to the host’s zero-gap note', () => {
      const one = gapView(of([3], [1]));
      assert.equal(one.text, 'mean gap 2 (1 pair: no SE)');
      assert.deepEqual(
        one.notes.map((n) => n.level),
        ['info'],
      );
      assert.match(one.notes[0].text, /^One pair: standard errors need at least 2 pairs/);
      const zero = gapView(of([1, 2], [1, 2], true));
      assert.deepEqual(zero.notes, []);
    });
  });
});
