// Component tests of the Compare Token Substitution webview in Chromium, against its harness (fake
// host, fixture comparison, strict CSP). Run: node --test test/webview/substitutionComponents.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clickHeatmapCell, openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const h = useHarness(buildSubstitutionHarness);

async function open(query = '', width = 1400) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/substitutionHarness.html?${query}`, { width, height: 1000 });
  if (!query.includes('empty')) await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
  return { page, errors };
}

/** Messages the webview posted to the (fake) host; a PNG data URL is cut to its prefix. */
const posted = (page) =>
  page.evaluate(() =>
    window.__ciSubstitutionHarness.posted.map((m) => {
      const params = { ...m.params };
      if (typeof params.dataUrl === 'string') params.dataUrl = params.dataUrl.slice(0, 22);
      return m.id === undefined ? { method: m.method, params } : { method: m.method, id: m.id, params };
    }),
  );
const labels = (page) => page.locator('ci-patch-heatmap canvas').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label')));
const tabMark = (page, sweep) =>
  page
    .locator('ci-substitution-panel button.seg', { hasText: new RegExp(`^\\s*${sweep}\\s*[✓≈½]?\\s*$`) })
    .first()
    .locator('.mark')
    .innerText();

/** Sends a fresh table for (sweep, direction) with the given source, through the fake host. */
function sendTable(page, sweep, direction, source, value = 0) {
  return page.evaluate(
    ([sweep, direction, source, value]) => {
      const dims = sweep === 'z' || ['q', 'k', 'v', 'pattern'].includes(sweep) ? [6, 8] : sweep === 'z_by_pos' ? [6, 8, 17] : [6, 17];
      const axes =
        dims.length === 3
          ? ['layer', 'head_index', 'pos']
          : sweep === 'z' || ['q', 'k', 'v', 'pattern'].includes(sweep)
            ? ['layer', 'head_index']
            : ['layer', 'pos'];
      const patched = new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value);
      window.__ciSubstitutionHarness.send({ method: 'tables', params: { runId: 'fixture-run', tables: [{ sweep, direction, source, dims, axes, patched }] } });
    },
    [sweep, direction, source, value],
  );
}

describe('Compare Token Substitution webview', () => {
  it('handshakes, shows both directions side by side with their source, breaks no CSP rule', async () => {
    const { page, errors } = await open('theme=dark&source=mixed');
    const msgs = await posted(page);
    assert.equal(msgs[0].method, 'ready');
    assert.equal(msgs[0].params.protocolVersion, 1);
    const l = await labels(page);
    assert.equal(l.length, 2);
    assert.match(l[0], /^Denoising · Head output z exact/);
    assert.match(l[1], /^Noising · Head output z exact/);
    assert.equal(await tabMark(page, 'mlp_out'), '≈');
    assert.equal(await tabMark(page, 'z'), '✓');
    assert.deepEqual(await page.evaluate(() => window.__ciSubstitutionHarness.violations), []);
    assert.deepEqual(errors, []);
    const diff = await page.locator('ci-substitution-panel .tok.diff').allInnerTexts();
    assert.deepEqual(diff, ['param', 'arg']);
  });

  it('an exact table replaces the estimate, and a late estimate never replaces an exact table', async () => {
    const { page } = await open('theme=dark&source=attribution');
    await page
      .locator('ci-substitution-panel button.seg', { hasText: /^\s*mlp_out/ })
      .first()
      .click();
    assert.match((await labels(page))[0], /estimate \(AtP\)/);
    await sendTable(page, 'mlp_out', 'denoise', 'exact', -0.8);
    assert.equal(await tabMark(page, 'mlp_out'), '½');
    assert.match((await labels(page))[0], /exact/);
    await sendTable(page, 'mlp_out', 'denoise', 'attribution', 2);
    assert.match((await labels(page))[0], /exact/, 'still exact');
    await sendTable(page, 'mlp_out', 'noise', 'exact', 3.2);
    assert.equal(await tabMark(page, 'mlp_out'), '✓');
  });

  it('ignores messages for another run', async () => {
    const { page } = await open('theme=dark&source=attribution');
    await page.evaluate(() => {
      const patched = new Float32Array(48);
      window.__ciSubstitutionHarness.send({
        method: 'tables',
        params: { runId: 'other', tables: [{ sweep: 'z', direction: 'denoise', source: 'exact', dims: [6, 8], axes: ['layer', 'head_index'], patched }] },
      });
      window.__ciSubstitutionHarness.send({ method: 'runState', params: { runId: 'other', state: 'error', message: 'boom' } });
    });
    assert.match((await labels(page))[0], /estimate/);
    assert.equal(await page.locator('ci-substitution-panel header .run.error').count(), 0);
  });

  it('while sweeping: progress and a Cancel button that posts cancelRun', async () => {
    const { page } = await open('theme=dark&source=attribution&sweeping');
    const run = await page.locator('ci-substitution-panel header .run').innerText();
    assert.match(run, /table 8 of 18/);
    assert.match(run, /about 40 s left/);
    assert.ok((await page.locator('ci-substitution-panel progress').evaluate((p) => p.value)) > 0.35);
    await page.locator('ci-substitution-panel vscode-button', { hasText: 'Cancel' }).click();
    assert.deepEqual((await posted(page)).at(-1), { method: 'cancelRun', params: { runId: 'fixture-run' } });
    await page.evaluate(() =>
      window.__ciSubstitutionHarness.send({
        method: 'runState',
        params: { runId: 'fixture-run', state: 'cancelled', message: 'Cancelled: 7 of 18 tables are exact.' },
      }),
    );
    // Lit renders asynchronously: wait for the button to go (fails after the timeout if it stays)
    await page.locator('ci-substitution-panel vscode-button', { hasText: 'Cancel' }).waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('ci-substitution-panel vscode-button', { hasText: 'Cancel' }).count(), 0);
    assert.match(await page.locator('ci-substitution-panel .state-message').innerText(), /7 of 18/);
  });

  it('exports: JSON/CSV/HTML through the host, PNG as a data URL of the drawn heatmap', async () => {
    const { page } = await open('theme=light&source=exact');
    for (const f of ['JSON', 'CSV', 'HTML']) await page.locator('ci-substitution-panel vscode-button', { hasText: f }).click();
    await page.locator('ci-substitution-panel figcaption button', { hasText: 'PNG' }).nth(1).click();
    const msgs = (await posted(page)).slice(-4);
    assert.deepEqual(
      msgs.map((m) => [m.method, m.params.format ?? m.params.name]),
      [
        ['exportTables', 'json'],
        ['exportTables', 'csv'],
        ['exportTables', 'html'],
        ['exportPng', 'z-noise'],
      ],
    );
    assert.equal(msgs[3].params.dataUrl, 'data:image/png;base64,');
  });

  it('an exported PNG has a white background, no selection outline, and is taller than the view by its caption line', async () => {
    const { page } = await open('theme=dark&source=exact');
    const canvas = page.locator('ci-patch-heatmap[data-direction="denoise"] canvas');
    await clickHeatmapCell(canvas, 3, 5);
    const r = await canvas.evaluate(async (c) => {
      const host = c.getRootNode().host;
      const l = host.layout;
      const dpr = window.devicePixelRatio || 1;
      // The outline on screen: the focus colour, 1 px inside the selected cell (3.5 = L3 H5).
      const at = (ctx, x, y) => Array.from(ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data).join(',');
      const outline = at(c.getContext('2d'), (l.left + 5 * l.cellW + 1.5) * dpr, (l.top + 3 * l.cellH + l.cellH / 2) * dpr);
      const img = new Image();
      img.src = host.toPng();
      await img.decode();
      const off = document.createElement('canvas');
      off.width = img.width;
      off.height = img.height;
      const ctx = off.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let outlinePixels = 0;
      for (let i = 0; i < data.length; i += 4) if (`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` === outline) outlinePixels++;
      return { corner: at(ctx, 1, 1), outline, outlinePixels, ratio: img.height / 2 / l.height };
    });
    assert.equal(r.corner, '255,255,255,255', 'white background in a dark theme');
    assert.notEqual(r.outline, '255,255,255,255');
    assert.equal(r.outlinePixels, 0, `no pixel of the selection outline colour (${r.outline})`);
    assert.ok(r.ratio > 1, 'the caption line adds height');
  });

  it('a clicked head asks for its patterns once and shows clean, corrupt and difference', async () => {
    const { page } = await open('theme=dark&source=exact');
    const canvas = page.locator('ci-patch-heatmap[data-direction="denoise"] canvas');
    await clickHeatmapCell(canvas, 3, 5);
    await page.locator('ci-patch-head-detail canvas').waitFor();
    const req = (await posted(page)).filter((m) => m.method === 'requestHeadPatterns');
    assert.equal(req.length, 1);
    assert.deepEqual(req[0].params, { runId: 'fixture-run', layer: 3, head: 5 });
    assert.match(await page.locator('ci-substitution-panel section.head h2').innerText(), /Head 3\.5/);
    // A stale answer (an older request id) is ignored.
    await page.evaluate(() => window.__ciSubstitutionHarness.send({ method: 'headPatterns', id: 999, error: 'old' }));
    assert.equal(await page.locator('ci-patch-head-detail .error').count(), 0);
  });

  it('equal clean and corrupt metrics: no normalised mode, the gap is said to be 0', async () => {
    const { page } = await open('theme=dark&source=exact&equal');
    const modes = await page.locator('ci-substitution-panel .modes button').allInnerTexts();
    assert.deepEqual(modes, ['Change', 'Raw metric']);
    assert.match(await page.locator('ci-substitution-panel .hints').innerText(), /no gap/);
    assert.match(await page.locator('ci-substitution-panel .notes').innerText(), /normalised values are undefined/);
  });

  it('a near-zero gap: a stated small-gap warning, raw values by default, no AND/OR verdicts', async () => {
    const { page } = await open('theme=dark&source=exact&smallgap');
    assert.match(await page.locator('ci-substitution-panel .banner.small-gap').innerText(), /gap is 0\.015 nats, below the 0\.5 nats/);
    assert.equal(await page.locator('ci-substitution-panel .modes button[aria-pressed="true"]').innerText(), 'Raw metric');
    assert.match(await page.locator('ci-substitution-panel .hints').innerText(), /No AND-like or OR-like readings/);
    assert.equal(await page.locator('ci-substitution-panel .hints .hint').count(), 0);
  });

  it('effect by default, both directions on one 0-to-1 scale; the significance threshold is stated and changeable', async () => {
    const { page } = await open('theme=dark&source=exact');
    assert.equal(await page.locator('ci-substitution-panel .modes button[aria-pressed="true"]').innerText(), 'Effect');
    const scales = await page.locator('ci-patch-heatmap').evaluateAll((hs) => hs.map((h) => [h.centre, h.scale, h.legend]));
    assert.equal(scales.length, 2);
    for (const [centre, scale, legend] of scales) {
      assert.deepEqual([centre, scale], [0, 1]);
      assert.match(legend, /0 = no effect, 1 = whole gap restored \(denoising\) \/ removed \(noising\)/);
    }
    const rows = () => page.locator('ci-substitution-panel .hints tbody tr').count();
    const select = page.locator('ci-substitution-panel .hints select');
    assert.equal(await select.inputValue(), '0.5');
    assert.match(
      await page.locator('ci-substitution-panel .hints .threshold').innerText(),
      /Significant: moves at least[\s\S]*of the clean–corrupt gap[\s\S]*default 50%/,
    );
    assert.equal(await rows(), 3);
    await select.selectOption('0.2');
    await page.waitForFunction(() => document.querySelector('ci-substitution-panel').shadowRoot.querySelectorAll('.hints tbody tr').length === 4);
    await select.selectOption('0.9');
    assert.match(await page.locator('ci-substitution-panel .hints').innerText(), /No component moves 90% of the gap/);
  });

  /** Each heatmap's canvas (CSS px, backing px) against the element it sits in. */
  const heatmapBoxes = (page) =>
    page.locator('ci-patch-heatmap').evaluateAll((hs) =>
      hs.map((h) => {
        const c = h.shadowRoot.querySelector('canvas');
        const r = c.getBoundingClientRect();
        return { host: h.clientWidth, css: r.width, left: r.left, top: r.top, bottom: r.bottom, backing: c.width, columns: h.drawnColumns, layout: h.layout };
      }),
    );

  it('the heatmaps fill their width: side by side at 1400 px, stacked at 600 px, and follow a resize', async () => {
    const { page, errors } = await open('theme=dark&source=exact', 1400);
    let [a, b] = await heatmapBoxes(page);
    for (const h of [a, b]) {
      assert.ok(h.host > 600, `each half of a 1400 px panel is over 600 px (${h.host})`);
      assert.ok(Math.abs(h.css - h.host) <= 2, `canvas ${h.css} px fills its ${h.host} px container`);
    }
    assert.ok(b.left >= a.left + a.css && Math.abs(a.top - b.top) < 1, 'side by side');
    await page.setViewportSize({ width: 600, height: 1000 });
    await page.waitForFunction(() => {
      const hs = [...document.querySelector('ci-substitution-panel').shadowRoot.querySelectorAll('ci-patch-heatmap')];
      return hs.every((h) => Math.abs(h.shadowRoot.querySelector('canvas').getBoundingClientRect().width - h.clientWidth) <= 2 && h.clientWidth < 600);
    });
    [a, b] = await heatmapBoxes(page);
    assert.ok(b.top >= a.bottom, 'stacked');
    assert.deepEqual(errors, []);
  });

  it('crisp at the device pixel ratio, and redrawn when it changes', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Headless Chromium does not fire a resolution query's change event: keep the queries to fire it by hand.
    await page.addInitScript(() => {
      const real = window.matchMedia.bind(window);
      window.__mediaQueries = [];
      window.matchMedia = (q) => {
        const m = real(q);
        window.__mediaQueries.push(m);
        return m;
      };
    });
    await page.goto(`${h.server.url}/test/webview/substitutionHarness.html?theme=dark&source=exact`);
    await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
    await page.locator('ci-patch-heatmap[data-direction="denoise"] canvas').click({ position: { x: 200, y: 150 } });
    await page.locator('ci-patch-head-detail canvas').waitFor();
    const ratios = () =>
      page.evaluate(() =>
        ['ci-patch-heatmap', 'ci-patch-head-detail'].map((tag) => {
          const c = document.querySelector('ci-substitution-panel').shadowRoot.querySelector(tag).shadowRoot.querySelector('canvas');
          return c.width / c.getBoundingClientRect().width;
        }),
      );
    for (const r of await ratios()) assert.ok(Math.abs(r - 1) < 0.01, `at ratio 1: ${r}`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 2, mobile: false });
    await page.waitForFunction(() => devicePixelRatio === 2);
    const fired = await page.evaluate(() => {
      const stale = window.__mediaQueries.filter((m) => /resolution/.test(m.media) && !m.matches);
      for (const m of stale) m.dispatchEvent(new Event('change'));
      return stale.length;
    });
    assert.ok(fired >= 3, `both heatmaps and the head detail listen for a change of resolution: ${fired}`);
    await page.waitForFunction(() =>
      ['ci-patch-heatmap', 'ci-patch-head-detail'].every((tag) => {
        const c = document.querySelector('ci-substitution-panel').shadowRoot.querySelector(tag).shadowRoot.querySelector('canvas');
        return Math.abs(c.width / c.getBoundingClientRect().width - 2) < 0.01;
      }),
    );
    await page.close();
  });

  it('at a fractional device pixel ratio (1.5) neighbouring cells meet without a blended seam', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1.5 });
    await page.goto(`${h.server.url}/test/webview/substitutionHarness.html?theme=light&source=exact&smallgap`);
    await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
    const r = await page.locator('ci-patch-heatmap[data-direction="denoise"]').evaluate((h) => {
      const c = h.shadowRoot.querySelector('canvas');
      const l = h.layout;
      const dpr = c.width / c.getBoundingClientRect().width;
      const ctx = c.getContext('2d');
      const y = Math.floor((l.top + 2.5 * l.cellH) * dpr);
      const x0 = Math.ceil(l.left * dpr);
      const x1 = Math.floor((l.left + l.cols * l.cellW) * dpr) - 1;
      const line = ctx.getImageData(x0, y, x1 - x0, 1).data;
      const at = (x) => {
        const i = (Math.floor(x) - x0) * 4;
        return `${line[i]},${line[i + 1]},${line[i + 2]}`;
      };
      const centres = Array.from({ length: l.cols }, (_, k) => at((l.left + (k + 0.5) * l.cellW) * dpr));
      let blended = 0;
      for (let x = x0; x < x1; x++) {
        const k = Math.min(l.cols - 1, Math.floor((x / dpr - l.left) / l.cellW));
        const near = [centres[k - 1], centres[k], centres[k + 1]];
        if (!near.includes(at(x))) blended++;
      }
      return { dpr, blended, distinct: new Set(centres).size };
    });
    assert.equal(r.dpr, 1.5);
    assert.ok(r.distinct > 5, 'the row has differently coloured cells');
    assert.equal(r.blended, 0, 'every device pixel has the colour of its cell or a neighbour');
    await page.close();
  });

  it('position labels: rotated, never overlapping, the substituted position always shown (600 px, by position)', async () => {
    const { page } = await open('theme=dark&source=exact&layers=12&heads=12', 600);
    await page
      .locator('ci-substitution-panel button.seg', { hasText: /^\s*z_by_pos/ })
      .first()
      .click();
    await page.waitForFunction(() => document.querySelector('ci-substitution-panel').shadowRoot.querySelector('ci-patch-heatmap').layout?.cols === 17);
    for (const h of await heatmapBoxes(page)) {
      assert.ok(h.columns.includes(12), `position 12 (param→arg) is labelled: ${h.columns}`);
      assert.ok(h.layout.rotated);
      const gaps = h.columns.slice(1).map((c, i) => (c - h.columns[i]) * h.layout.cellW * Math.sin(Math.PI / 3));
      assert.ok(Math.min(...gaps) >= 12, `rotated labels stand at least a line apart: ${gaps.map((g) => g.toFixed(1))}`);
      assert.ok(Math.abs(h.css - h.host) <= 2);
    }
  });

  for (const width of [1400, 600]) {
    it(`the head detail labels its keys and queries, the substituted position always (${width} px)`, async () => {
      const { page } = await open('theme=dark&source=exact', width);
      const canvas = page.locator('ci-patch-heatmap[data-direction="denoise"] canvas');
      await clickHeatmapCell(canvas, 3, 5);
      await page.locator('ci-patch-head-detail canvas').waitFor();
      const r = await page.locator('ci-patch-head-detail').evaluate((el) => {
        const c = el.shadowRoot.querySelector('canvas');
        const g = el.geo;
        // Ink in the key-label band above the first plot: pixels that differ from its top-left corner's.
        const dpr = c.width / c.getBoundingClientRect().width;
        const ctx = c.getContext('2d');
        const band = ctx.getImageData(Math.round(g.left * dpr), Math.round((g.top - 40) * dpr), Math.round(g.plot * dpr), Math.round(36 * dpr)).data;
        let ink = 0;
        for (let i = 0; i < band.length; i += 4) if (band[i] !== band[0] || band[i + 1] !== band[1] || band[i + 2] !== band[2]) ink++;
        return { labels: el.drawnLabels, perRow: g.perRow, cell: g.cell, css: c.getBoundingClientRect().width, host: el.clientWidth, ink };
      });
      assert.ok(r.labels.key.length >= 6, `key labels: ${r.labels.key}`);
      assert.ok(r.labels.key.includes(12) && r.labels.query.includes(12), 'param→arg labelled on both axes');
      assert.ok(r.ink > 50, `the key labels are drawn above the plot (${r.ink} inked pixels)`);
      assert.ok(r.cell >= 10, `cells stay readable (${r.cell.toFixed(1)} px)`);
      assert.equal(r.perRow, width === 1400 ? 3 : 2);
      assert.ok(r.css <= r.host + 1, `fits its ${r.host} px (${r.css})`);
    });
  }

  it("the head detail's PNG stands alone: white background, no hover outline, a title band above the plots", async () => {
    const { page } = await open('theme=dark&source=exact');
    const canvas = page.locator('ci-patch-heatmap[data-direction="denoise"] canvas');
    await clickHeatmapCell(canvas, 3, 5);
    const detail = page.locator('ci-patch-head-detail canvas');
    await detail.waitFor();
    await detail.hover({ position: await detail.evaluate((c) => ({ x: c.getRootNode().host.geo.left + 5, y: c.getRootNode().host.geo.top + 40 })) });
    const r = await page.locator('ci-patch-head-detail').evaluate(async (el) => {
      const c = el.shadowRoot.querySelector('canvas');
      const img = new Image();
      img.src = el.toPng();
      await img.decode();
      const off = document.createElement('canvas');
      off.width = img.width;
      off.height = img.height;
      const ctx = off.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const corner = Array.from(ctx.getImageData(1, 1, 1, 1).data).join(',');
      const screen = Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data).join(',');
      // The export's hover colour is black, which neither its text (31,31,31) nor its cells use.
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let black = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0) black++;
      return { corner, screen, black, ratio: img.height / 2 / c.getBoundingClientRect().height, hovered: el.hover !== null };
    });
    assert.equal(r.corner, '255,255,255,255', 'white in a dark theme');
    assert.notEqual(r.screen, '255,255,255,255', 'the view keeps the theme');
    assert.ok(r.ratio > 1, 'the title band adds height');
    assert.ok(r.hovered, 'a cell is hovered on screen');
    assert.equal(r.black, 0, 'no hover outline in the PNG');
    await page.locator('ci-substitution-panel section.head h2 button', { hasText: 'PNG' }).click();
    const last = (await posted(page)).at(-1);
    assert.deepEqual([last.method, last.params.name, last.params.dataUrl], ['exportPng', 'head-3.5-patterns', 'data:image/png;base64,']);
  });

  it('a literal <|endoftext|> is marked as a special token in both prompt rows', async () => {
    const { page } = await open('theme=dark&source=exact&special');
    const special = page.locator('ci-substitution-panel .tok.special');
    assert.deepEqual(await special.allInnerTexts(), ['<|endoftext|>', '<|endoftext|>']);
    assert.match(await special.first().getAttribute('title'), /special token <\|endoftext\|> \(id 50256\)/);
    assert.equal(await page.locator('ci-substitution-panel .tok.bos.special').count(), 0);
  });

  it('keyboard: arrows move over cells, Enter opens the head', async () => {
    const { page } = await open('theme=hc&source=exact');
    await page.locator('ci-patch-heatmap[data-direction="noise"] canvas').focus();
    for (const k of ['ArrowDown', 'ArrowRight', 'Enter']) await page.keyboard.press(k);
    await page.locator('ci-patch-head-detail canvas').waitFor();
    assert.match(await page.locator('ci-substitution-panel section.head h2').innerText(), /Head 1\.1/);
    assert.match(await page.locator('ci-patch-heatmap[data-direction="noise"] .tooltip').innerText(), /layer 1 · head 1\.1/);
  });
});
