// Component tests of the prompt-set (dataset) webview in Chromium, against its harness (fake host,
// a fixture set of 50 docstring pairs on 12 layers × 12 heads and 40 positions, strict CSP).
// Run: node --test test/webview/datasetComponents.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clickHeatmapCell, heatmapCellCentre, openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { buildDatasetHarness } from './datasetBuild.mjs';

const h = useHarness(buildDatasetHarness);

async function open(query = '', width = 1400) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/datasetHarness.html?${query}`, { width, height: 1000 });
  if (!/empty|nosummary/.test(query)) await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
  return { page, errors };
}

/** Messages the webview posted to the (fake) host; a PNG data URL is cut to its prefix. */
const posted = (page) =>
  page.evaluate(() =>
    window.__ciDatasetHarness.posted.map((m) => {
      const params = { ...m.params };
      if (typeof params.dataUrl === 'string') params.dataUrl = params.dataUrl.slice(0, 22);
      return { method: m.method, params };
    }),
  );
const labels = (page) => page.locator('ci-patch-heatmap canvas').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label')));
const panelText = (page, sel) => page.locator(`ci-dataset-panel ${sel}`).innerText();
const canvasOf = (page, direction) => page.locator(`ci-patch-heatmap[data-direction="${direction}"] canvas`);
const tab = (page, name) =>
  page
    .locator('ci-dataset-panel button.seg', { hasText: new RegExp(`^\\s*${name}\\s*[✓≈½]?\\s*$`) })
    .first()
    .click();

/** Sends a table for (sweep, direction) of the fixture with another source and every per-pair value `value`. */
function sendTable(page, sweep, direction, source, value) {
  return page.evaluate(
    ([sweep, direction, source, value]) => {
      const h = window.__ciDatasetHarness;
      const t = h.fixture.tables('exact').find((x) => x.sweep === sweep && x.direction === direction);
      const cells = t.mean.length;
      const n = t.perPair.length / cells;
      h.send({
        method: 'tables',
        params: {
          runId: 'fixture-set',
          tables: [
            {
              ...t,
              source,
              mean: new Float32Array(cells).fill(value),
              standardError: new Float32Array(cells),
              normalised: null,
              perPair: new Float32Array(n * cells).fill(value),
            },
          ],
        },
      });
    },
    [sweep, direction, source, value],
  );
}

/** Opens a cell's distribution over the pairs by clicking it in a direction's heatmap. */
async function openCell(page, direction, row, col) {
  await clickHeatmapCell(canvasOf(page, direction), row, col);
  await page.locator('ci-pair-distribution canvas').waitFor();
}

describe('prompt-set (dataset) webview', () => {
  it('handshakes; shows the set, its mean metrics and how often clean beats corrupt; both mean heatmaps; no CSP or page errors', async () => {
    const { page, errors } = await open('theme=dark&source=exact');
    const msgs = await posted(page);
    assert.deepEqual(msgs[0], { method: 'ready', params: { protocolVersion: 1 } });
    const header = await panelText(page, 'header');
    assert.match(header, /docstring\.prompts\.jsonl/);
    assert.match(header, /50 pairs · 40 tokens each · 12 layers × 12 heads/);
    const fixture = await page.evaluate(() => {
      const s = window.__ciDatasetHarness.fixture.summary.summary;
      return { clean: s.meanClean, corrupt: s.meanCorrupt };
    });
    const metric = await panelText(page, '.metric');
    assert.match(metric, new RegExp(`mean clean ${fixture.clean.toPrecision(4).replace('.', '\\.')}`));
    assert.match(metric, /clean beats corrupt in 50 of 50 pairs \(100%\)/);
    const l = await labels(page);
    assert.equal(l.length, 2);
    assert.match(l[0], /^Denoising · Head output z · mean over 50 pairs exact: 12 layer rows by 12 head columns/);
    assert.match(l[1], /^Noising · Head output z · mean over 50 pairs exact/);
    assert.match(await panelText(page, '.resolution'), /Standard error per cell over 50 pairs: median ±[\d.]+, largest ±[\d.]+\./);
    assert.deepEqual(await page.evaluate(() => window.__ciDatasetHarness.violations), []);
    assert.deepEqual(errors, []);
  });

  it('the heatmaps show the normalised mean: the fixture’s strongest head is the brightest cell, centred on the unpatched value', async () => {
    const { page } = await open('theme=dark&source=exact');
    const r = await page.locator('ci-patch-heatmap[data-direction="denoise"]').evaluate((el) => {
      const t = window.__ciDatasetHarness.fixture.tables('exact').find((x) => x.sweep === 'z' && x.direction === 'denoise');
      const s = window.__ciDatasetHarness.fixture.summary.summary;
      const best = el.values.reduce((b, v, i) => (v > el.values[b] ? i : b), 0);
      return { best, centre: el.centre, shown: el.values[best], expected: (t.mean[best] - s.meanCorrupt) / (s.meanClean - s.meanCorrupt) };
    });
    assert.equal(r.best, 9 * 12 + 6, 'head 9.6');
    assert.equal(r.centre, 0);
    assert.ok(Math.abs(r.shown - r.expected) < 1e-5);
  });

  it('an estimate comes first; an exact table replaces it and a late estimate never replaces an exact table', async () => {
    const { page } = await open('theme=dark&source=attribution');
    assert.match((await labels(page))[0], /estimate \(AtP\)/);
    await sendTable(page, 'z', 'denoise', 'exact', 1);
    await page.waitForFunction(() => document.querySelector('ci-dataset-panel').shadowRoot.querySelector('ci-patch-heatmap').heading.includes('Denoising'));
    assert.match((await labels(page))[0], / exact:/);
    await sendTable(page, 'z', 'denoise', 'attribution', 2);
    assert.match((await labels(page))[0], / exact:/, 'still exact');
  });

  it('while running: "pair i of N, table j of M", a progress bar and Cancel, which posts cancelRun', async () => {
    const { page } = await open('theme=dark&source=attribution&sweeping');
    assert.match(await panelText(page, 'header .run'), /pair 32 of 50, table 7 of 18/);
    assert.ok((await page.locator('ci-dataset-panel progress').evaluate((p) => p.value)) > 0.3);
    await page.locator('ci-dataset-panel vscode-button', { hasText: 'Cancel' }).click();
    assert.deepEqual((await posted(page)).at(-1), { method: 'cancelRun', params: { runId: 'fixture-set' } });
  });

  it('hover on a cell: mean ± SE, n, normalised, restored fraction and a per-pair strip with one tick per pair', async () => {
    const { page } = await open('theme=dark&source=exact');
    const canvas = canvasOf(page, 'denoise');
    const box = await canvas.boundingBox();
    const pos = await heatmapCellCentre(canvas, 9, 6);
    await page.mouse.move(box.x + pos.x, box.y + pos.y);
    const tip = page.locator('ci-patch-heatmap[data-direction="denoise"] .tooltip');
    await tip.locator('ci-pair-strip').waitFor();
    const text = await tip.innerText();
    assert.match(text, /^head 9\.6\nmean [\d.]+ ± [\d.]+ \(SE\)\s+n = 50 pairs\nnormalised [\d.]+ ± [\d.]+\nrestores ≥ half its gap in \d+% of pairs\nexact/);
    const ticks = await tip.locator('ci-pair-strip svg line.tick').count();
    assert.equal(ticks, 50);
    assert.equal(await tip.locator('ci-pair-strip svg line.ref').count(), 2, 'mean clean and mean corrupt marks');
  });

  it('a clicked head shows its distribution over the pairs; a clicked pair posts openPair with that pair', async () => {
    const { page } = await open('theme=dark&source=exact');
    await openCell(page, 'denoise', 9, 6);
    assert.match(await panelText(page, 'section.distribution h2'), /head 9\.6 \(denoising\)/);
    const dist = page.locator('ci-pair-distribution');
    const r = await dist.evaluate((el) => ({ n: el.values.length, order: el.order, layout: el.layout, values: Array.from(el.values) }));
    assert.equal(r.n, 50);
    const top = r.order[0];
    assert.equal(r.values[top], Math.max(...r.values), 'the top row is the highest value');
    await dist.locator('canvas').click({ position: { x: r.layout.left + r.layout.plotW / 2, y: r.layout.top + r.layout.rowH / 2 } });
    assert.deepEqual((await posted(page)).at(-1), { method: 'openPair', params: { runId: 'fixture-set', pair: top } });
    assert.match(await panelText(page, '.opened'), new RegExp(`Opening line ${top + 1} as a single comparison`));
    // Keyboard: down one row, Enter opens the second-highest pair.
    await dist.locator('canvas').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).at(-1), { method: 'openPair', params: { runId: 'fixture-set', pair: r.order[1] } });
  });

  it('a position sweep cell (resid_pre) also opens its distribution; slot columns are marked', async () => {
    const { page } = await open('theme=light&source=exact');
    await tab(page, 'resid_pre');
    await openCell(page, 'denoise', 11, 39);
    assert.match(await panelText(page, 'section.distribution h2'), /L11 pos 39/);
    assert.match(await panelText(page, '.resolution'), /Columns marked \* are slots/);
  });

  it('AND/OR on the means: readings only where the SE decides both directions; the rule is stated; near-threshold cells are listed as too unsure', async () => {
    const { page } = await open('theme=dark&source=exact');
    const rows = await page.locator('ci-dataset-panel .hints tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.cells[0].innerText, tr.cells[3].innerText]));
    const byLabel = Object.fromEntries(rows.map(([l, h]) => [l.replace(/\s*≈$/, ''), h]));
    assert.equal(byLabel['head 9.9'], 'OR-like');
    assert.equal(byLabel['head 5.1'], 'AND-like');
    assert.equal(byLabel['head 3.0'], undefined, 'head 3.0’s pairs disagree: no label');
    assert.match(await panelText(page, '.hints .rule'), /minus 2 standard errors, is at least 50%/);
    assert.match(await panelText(page, '.hints .unsure'), /SE too large to tell[\s\S]*head 3\.0/);
  });

  it('few pairs: no AND/OR reading ("not enough pairs"), and the resolution says the SEs are unsure', async () => {
    const { page } = await open('theme=dark&source=exact&pairs=4&layers=6&heads=8');
    assert.match(await panelText(page, '.hints .withheld'), /Not enough pairs to tell: 4 of the 5/);
    assert.equal(await page.locator('ci-dataset-panel .hints .hint').count(), 0);
    assert.match(await panelText(page, '.resolution'), /Only 4 pairs/);
  });

  it('a cancelled run: labelled partial with N of M, and every mean says how many pairs it is over', async () => {
    const { page } = await open('theme=dark&source=exact&partial');
    assert.match(await panelText(page, 'header .partial-label'), /partial: 23 of 50 pairs/);
    assert.match(await panelText(page, '.banner.partial'), /Partial: 23 of 50 pairs\.\s+The run was cancelled/);
    assert.match((await labels(page))[0], /mean over 23 pairs/);
    assert.equal(await page.locator('ci-dataset-panel vscode-button', { hasText: 'Cancel' }).count(), 0);
  });

  it('zero mean gap: raw mean only, the note says so, no AND/OR readings', async () => {
    const { page } = await open('theme=dark&source=exact&zerogap');
    assert.deepEqual(await page.locator('ci-dataset-panel .modes button').allInnerTexts(), ['Raw mean']);
    assert.match(await panelText(page, '.notes'), /too small to normalise, so the tables show raw values only/);
    assert.match(await panelText(page, '.hints .withheld'), /mean gap is zero/);
  });

  it('corrupt beating clean on most pairs is said above the maps', async () => {
    const { page } = await open('theme=dark&source=exact&reversed');
    assert.match(await panelText(page, '.banner.reversed'), /Clean beats corrupt in only \d+ of 50 pairs/);
    const normal = await open('theme=dark&source=exact');
    assert.equal(await normal.page.locator('ci-dataset-panel .banner.reversed').count(), 0);
  });

  it('a mean gap within 2 SE of zero: the gap ± SE in the metric line, a note above the maps that the normalised view divides by noise, and a switch to the raw mean; none for the normal set', async () => {
    const { page } = await open('theme=dark&source=exact&noisygap');
    assert.match(await panelText(page, '.metric .gap'), /^mean gap 0\.9 ± 0\.\d+ \(SE\)$/);
    const note = await panelText(page, '.gap-notes li.warning');
    assert.match(note, /The mean gap \(clean − corrupt, 0\.900\) is within 2 standard errors \(0\.\d+\) of zero: the normalised values divide by noise/);
    assert.match(note, /opens on the Raw mean/);
    assert.equal(
      await page.locator('ci-dataset-panel button.seg[aria-pressed="true"]', { hasText: 'Raw mean' }).count(),
      1,
      'a noisy gap opens on the raw mean',
    );
    await page.locator('ci-dataset-panel button.seg', { hasText: 'Normalised' }).click();
    await page.locator('ci-dataset-panel .gap-notes button.link', { hasText: 'Show the raw mean' }).click();
    assert.match(await page.locator('ci-dataset-panel button.seg[aria-pressed="true"]', { hasText: 'Raw mean' }).innerText(), /Raw mean/);
    assert.equal(await page.locator('ci-dataset-panel .gap-notes button.link').count(), 0, 'no switch once the raw mean is shown');
    const normal = await open('theme=dark&source=exact');
    assert.match(await panelText(normal.page, '.metric .gap'), /^mean gap 3\.\d+ ± 0\.\d+ \(SE\)$/);
    assert.equal(await normal.page.locator('ci-dataset-panel .gap-notes').count(), 0);
    assert.doesNotMatch(await normal.page.locator('ci-dataset-panel').innerText(), /divide by noise/);
  });

  it('pairs of different lengths: no position sweeps, with the note; head sweeps still shown', async () => {
    const { page } = await open('theme=dark&source=exact&mixed');
    const sweeps = await page.locator('ci-dataset-panel .sweeps button').allInnerTexts();
    assert.deepEqual(
      sweeps.map((s) => s.replace(/[✓≈½\s]/g, '')),
      ['z', 'q', 'k', 'v', 'pattern'],
    );
    assert.match(await panelText(page, '.notes'), /Position sweeps need equal lengths/);
    assert.match(await panelText(page, 'header'), /tokens \(lengths differ\)/);
  });

  it('fade: cells within 2 SE of no effect drawn neutral, and the legend says so', async () => {
    const { page } = await open('theme=dark&source=exact');
    const before = await page.locator('ci-patch-heatmap[data-direction="denoise"]').evaluate((el) => el.values.filter((v) => v === el.centre).length);
    await page.locator('ci-dataset-panel .fade input').check();
    await page.waitForFunction(() => document.querySelector('ci-dataset-panel').shadowRoot.querySelector('ci-patch-heatmap').legend.includes('drawn neutral'));
    const after = await page.locator('ci-patch-heatmap[data-direction="denoise"]').evaluate((el) => el.values.filter((v) => v === el.centre).length);
    assert.ok(after > before + 100, `${after} neutral cells after fading, ${before} before`);
  });

  it('exports: JSON and CSV through the host; the heatmap and the distribution as PNG data URLs', async () => {
    const { page } = await open('theme=light&source=exact');
    for (const f of ['JSON', 'CSV']) await page.locator('ci-dataset-panel .exports vscode-button', { hasText: f }).click();
    await page.locator('ci-dataset-panel figcaption button', { hasText: 'PNG' }).nth(1).click();
    await openCell(page, 'noise', 5, 1);
    await page.locator('ci-dataset-panel section.distribution button', { hasText: 'PNG' }).click();
    const msgs = (await posted(page)).slice(-4);
    assert.deepEqual(
      msgs.map((m) => [m.method, m.params.format ?? m.params.name]),
      [
        ['exportTables', 'json'],
        ['exportTables', 'csv'],
        ['exportPng', 'z-noise-mean'],
        ['exportPng', 'z-noise-cell61-pairs'],
      ],
    );
    assert.equal(msgs[2].params.dataUrl, 'data:image/png;base64,');
    assert.equal(msgs[3].params.dataUrl, 'data:image/png;base64,');
  });

  it('before the first pass: the set and "waiting"; with no set: how to start', async () => {
    const { page } = await open('theme=light&nosummary');
    await page.locator('ci-dataset-panel .metric').waitFor();
    assert.match(await panelText(page, '.metric'), /waiting for the set’s clean and corrupt runs/);
    assert.match(await panelText(page, 'header .run'), /Checking the set/);
    const empty = await open('theme=light&empty');
    await empty.page.locator('ci-dataset-panel .empty').waitFor();
    assert.match(await panelText(empty.page, '.empty'), /Run Prompt Set/);
  });
});
