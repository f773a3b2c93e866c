import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import type { RunOptions, TokenInput } from '../../../../src/model/runOptions';
import { FeatureScan, runFeatureActivations, scanWindows, type ScanWindow } from '../../../../src/analysis/sae';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';
import { mulberry32 } from '../../../../tools/seededRandom';
import { JsEncoder, randomSae } from './jsSae';

const c = tinyConfig();
const hook = 'blocks.1.hook_resid_pre';

describe('FeatureScan (accumulator)', () => {
  it('keeps count, max, mean, the top N and a bounded reservoir; uniform examples walk the quantiles', () => {
    const D = 3;
    const scan = new FeatureScan<string>(D, { topN: 4, reservoir: 8 });
    scan.addWindow({ tokens: [1], source: 'w0' });
    scan.addWindow({ tokens: [2], source: 'w1' });
    // feature 0: 100 active tokens with acts 1..100 in shuffled order; feature 1: 3 tokens; feature 2: never
    const rand = mulberry32(7);
    const order = Array.from({ length: 100 }, (_, i) => i + 1).sort(() => rand() - 0.5);
    const rows = 120;
    const acts = new Float32Array(rows * D);
    const win: number[] = [];
    const pos: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (r < 100) acts[r * D] = order[r];
      if (r >= 100 && r < 103) acts[r * D + 1] = r - 99; // 1, 2, 3
      acts[r * D + 2] = -1;
      win.push(r % 2);
      pos.push(r);
    }
    scan.addRows(acts, win, pos);
    assert.equal(scan.tokens, 120);
    assert.equal(scan.activeCount(0), 100);
    assert.equal(scan.density(0), 100 / 120);
    assert.equal(scan.maxAct(0), 100);
    assert.equal(scan.meanActiveAct(0), 50.5);
    assert.deepEqual(
      scan.topExamples(0).map((e) => e.act),
      [100, 99, 98, 97],
    );
    const e100 = scan.topExamples(0)[0];
    assert.equal(acts[e100.position * D], 100, 'the example points at the row it came from');
    assert.equal(e100.window, e100.position % 2);
    assert.deepEqual(
      scan.topExamples(1).map((e) => e.act),
      [3, 2, 1],
    );
    assert.deepEqual(scan.topExamples(2), []);
    assert.equal(scan.density(2), 0);
    // 100 actives into a reservoir of 8: 8 examples at most, ascending, each a real (act, position) pair
    const u = scan.uniformExamples(0, 4);
    assert.equal(u.length, 4);
    for (let i = 1; i < u.length; i++) assert.ok(u[i].act >= u[i - 1].act);
    for (const e of u) assert.equal(acts[e.position * D], e.act);
    assert.deepEqual(u[0].quantile, [0, 0.25]);
    // fewer actives than buckets: each once, ascending
    assert.deepEqual(
      scan.uniformExamples(1, 10).map((e) => e.act),
      [1, 2, 3],
    );
    assert.equal(scan.window(1).source, 'w1');
  });

  it('the reservoir is a uniform sample: the median of the sampled activations tracks the population’s', () => {
    const scan = new FeatureScan(1, { reservoir: 200, seed: 3 });
    const n = 20000;
    scan.addRows(
      Float32Array.from({ length: n }, (_, i) => i + 1),
      new Array(n).fill(0),
      Array.from({ length: n }, (_, i) => i),
    );
    const mid = scan.uniformExamples(0, 11)[5].act;
    assert.ok(Math.abs(mid - n / 2) < n * 0.1, `median of the sample ${mid}, population ${n / 2}`);
  });
});

describe('scanWindows (driver)', () => {
  let model: HookedGpt2;
  const sae = randomSae(c.dModel, 20, hook, 11);
  const rand = mulberry32(5);
  const windows: ScanWindow<{ file: string; start: number }>[] = Array.from({ length: 7 }, (_, i) => ({
    tokens: Array.from({ length: i === 6 ? 9 : i === 3 ? 5 : 14 }, () => Math.floor(rand() * 49)),
    source: { file: `file:///w${i}.py`, start: i * 100 },
    firstScored: i % 2,
  }));
  before(() => {
    model = new HookedGpt2(c, randomWeights(c));
  });
  after(() => model.dispose());

  it('batches windows of different lengths (right-padded) and finds what one run per window finds', async () => {
    const runs: number[][] = [];
    const spy = Object.create(model) as HookedGpt2;
    const run = model.run.bind(model);
    spy.run = (t: TokenInput, o: RunOptions = {}) => {
      runs.push((t as number[][]).map((r) => r.length));
      assert.equal(o.logits, 'none');
      return run(t, o);
    };
    const progress: number[] = [];
    const scan = await scanWindows(spy, new JsEncoder(sae), sae, windows, {
      batchSize: 3,
      topN: 5,
      reservoir: 16,
      onProgress: (p) => progress.push(p.windows),
    });
    // windows 0..5 are 14 tokens but window 3 (5 tokens), window 6 is 9: the second batch is right-padded to 14
    assert.deepEqual(runs, [[14, 14, 14], [14, 14, 14], [9]]);
    assert.deepEqual(progress, [3, 6, 7]);
    assert.equal(scan.partial, false);
    // brute force: each window alone
    const per: { f: number; w: number; p: number; a: number }[] = [];
    let scored = 0;
    for (let w = 0; w < windows.length; w++) {
      const r = await runFeatureActivations(model, new JsEncoder(sae), sae, windows[w].tokens, { topK: 0 });
      for (let p = windows[w].firstScored ?? 0; p < windows[w].tokens.length; p++) {
        scored++;
        for (let f = 0; f < 20; f++) if (r.acts.data[p * 20 + f] > 0) per.push({ f, w, p, a: r.acts.data[p * 20 + f] });
      }
    }
    assert.equal(scan.tokens, scored);
    for (let f = 0; f < 20; f++) {
      const mine = per.filter((e) => e.f === f).sort((x, y) => y.a - x.a);
      assert.equal(scan.activeCount(f), mine.length, `feature ${f} count`);
      const top = scan.topExamples(f);
      assert.deepEqual(
        top.map((e) => [scan.window(e.window).source.file, e.position]),
        mine.slice(0, 5).map((e) => [windows[e.w].source.file, e.p]),
        `feature ${f} top examples`,
      );
      top.forEach((e, i) => assert.ok(Math.abs(e.act - mine[i].a) < 1e-4));
    }
    assert.ok(scan.seconds > 0);
  });

  it('cancelled midway: keeps what it found and says it is partial', async () => {
    const ac = new AbortController();
    const scan = await scanWindows(model, new JsEncoder(sae), sae, windows, {
      batchSize: 2,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.windows >= 2) ac.abort();
      },
    });
    assert.equal(scan.partial, true);
    assert.equal(scan.windowCount, 2);
    assert.ok(scan.tokens > 0);
    assert.ok(Array.from({ length: 20 }, (_, f) => scan.topExamples(f).length).some((n) => n > 0));
  });

  it('bounded memory for 24,576 features: the per-feature arrays are fixed at construction', () => {
    const scan = new FeatureScan(24576);
    assert.equal(scan.topN, 10);
    assert.equal(scan.reservoirSize, 64);
    assert.equal(scan.uniformExamples(24575).length, 0);
  });
});
