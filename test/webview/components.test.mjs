// Component tests of the Inspect Attention webview in Chromium, against the harness (fake host,
// fixture inspection, strict CSP). Run: node --test test/webview/components.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarness, openHarness } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';

/** Lit renders asynchronously: poll a locator's count until it is `n` (fails after `timeout` ms). */
async function expectCount(locator, n, timeout = 5000) {
  const end = Date.now() + timeout;
  let count = await locator.count();
  while (count !== n && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    count = await locator.count();
  }
  assert.equal(count, n);
}

/** The grid's geometry as it reports it (its thumbnails are sized to its width). */
async function gridGeometry(page) {
  const grid = page.locator('ci-head-grid');
  await grid.locator('canvas').waitFor();
  const [cell, gap] = await grid.evaluate((g) => [Number(g.dataset.cell), Number(g.dataset.gap)]);
  assert.ok(cell > 0 && gap >= 0, `data-cell=${cell} data-gap=${gap}`);
  return { cell, gap, pitch: cell + gap };
}

/** The middle of a head's thumbnail, in canvas coordinates. */
async function headPoint(page, layer, head) {
  const { cell, pitch } = await gridGeometry(page);
  return { x: head * pitch + cell / 2, y: layer * pitch + cell / 2 };
}

const h = useHarness(buildHarness);

async function open(query = '') {
  const { page, errors } = await openHarness(h.browser, h.server.url, query);
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return { page, errors, dialogs };
}

/** Messages the webview posted to the (fake) host. */
const posted = (page) =>
  page.evaluate(() =>
    structuredClone(window.__ciHarness.posted).map((m) => ({ ...m, params: m.params && { ...m.params, weights_token: m.params.weights_token?.length } })),
  );
const zoomTitle = (page) => page.locator('ci-head-zoom .title').innerText();

describe('Inspect Attention webview', () => {
  it('handshakes, paints the grid, reports first paint, and breaks no CSP rule', async () => {
    const { page, errors } = await open();
    const msgs = await posted(page);
    assert.equal(msgs[0].method, 'ready');
    assert.equal(msgs[0].params.protocolVersion, 1);
    const timing = msgs.find((m) => m.method === 'timing');
    assert.ok(timing, 'a timing message is posted');
    assert.equal(timing.params.name, 'gridFirstPaint');
    const attr = await page.locator('ci-attention-panel').getAttribute('data-first-paint-ms');
    assert.ok(Number.isFinite(Number(attr)), `data-first-paint-ms=${attr}`);
    assert.deepEqual(await page.evaluate(() => window.__ciHarness.violations), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('grid shows n_layers × n_heads labelled thumbnails, each drawn in its cell', async () => {
    for (const [layers, heads] of [
      [12, 12],
      [3, 5],
    ]) {
      const { page } = await open(`layers=${layers}&heads=${heads}`);
      const cols = await page.locator('ci-head-grid .cols span').allInnerTexts();
      const rows = await page.locator('ci-head-grid .rows span').allInnerTexts();
      assert.deepEqual(
        cols,
        Array.from({ length: heads }, (_, h) => `H${h}`),
      );
      assert.deepEqual(
        rows,
        Array.from({ length: layers }, (_, l) => `L${l}`),
      );
      // Every thumbnail's top-left pixel is pattern[0, 0] = 1: the theme's heat colour (#3794FF).
      const { cell, pitch } = await gridGeometry(page);
      const corners = await page.locator('ci-head-grid canvas').evaluate(
        (canvas, [nl, nh, pitch]) => {
          const ctx = canvas.getContext('2d');
          const dpr = canvas.width / canvas.getBoundingClientRect().width;
          const out = [];
          for (let l = 0; l < nl; l++) {
            for (let h = 0; h < nh; h++) {
              const [r, g, b] = ctx.getImageData(Math.floor((h * pitch + 0.5) * dpr), Math.floor((l * pitch + 0.5) * dpr), 1, 1).data;
              out.push([r, g, b]);
            }
          }
          return { out, width: canvas.getBoundingClientRect().width, height: canvas.getBoundingClientRect().height };
        },
        [layers, heads, pitch],
      );
      assert.equal(corners.width, heads * pitch - (pitch - cell));
      assert.equal(corners.height, layers * pitch - (pitch - cell));
      assert.equal(corners.out.length, layers * heads);
      for (const rgb of corners.out) assert.deepEqual(rgb, [0x37, 0x94, 0xff]);
      await page.close();
    }
  });

  it('sizes the thumbnails to the panel width, crisp at the device pixel ratio', async () => {
    for (const [layers, heads, viewport] of [
      [12, 12, { width: 1400, height: 1000 }],
      [12, 12, { width: 700, height: 1000 }],
      [2, 4, { width: 1400, height: 1000 }],
    ]) {
      const { page } = await openHarness(h.browser, h.server.url, `layers=${layers}&heads=${heads}`, viewport);
      const { cell } = await gridGeometry(page);
      const m = await page.evaluate(() => {
        const grid = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-grid');
        const canvas = grid.shadowRoot.querySelector('canvas');
        const r = canvas.getBoundingClientRect();
        const zoom = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom');
        const between = zoom.getBoundingClientRect().left - r.right;
        return { host: grid.getBoundingClientRect().width, canvas: r.width, bw: canvas.width, dpr: devicePixelRatio, between };
      });
      const label = `${layers}×${heads} at ${viewport.width} px: cell ${cell}, canvas ${m.canvas} of ${m.host}`;
      assert.ok(cell >= 24 && cell <= 96, label);
      assert.ok(m.canvas <= m.host, `no overflow: ${label}`);
      assert.equal(m.bw, Math.round(m.canvas * m.dpr), 'the backing store follows the device pixel ratio');
      if (heads === 12) assert.ok(m.canvas > 0.8 * m.host, `the 12-head grid fills its width: ${label}`);
      else {
        assert.equal(cell, 96, `a 4-head grid stops at the largest thumbnail: ${label}`);
        assert.ok(m.between < 120, `the zoom sits next to a small grid, not across an empty gap: ${m.between} px`);
      }
      if (heads === 12 && viewport.width === 1400) assert.ok(cell > 36, `wider than the old fixed 36 px: ${label}`);
      await page.close();
    }
    // Resizing the panel resizes the thumbnails (1000 px still fits the grid beside the zoom).
    const { page } = await openHarness(h.browser, h.server.url, '', { width: 1400, height: 1000 });
    const wide = (await gridGeometry(page)).cell;
    await page.setViewportSize({ width: 1000, height: 1000 });
    await page.waitForFunction((w) => Number(document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-grid').dataset.cell) < w, wide);
    await page.close();
  });

  it('hover previews a head, click locks it, Escape unlocks', async () => {
    const { page } = await open();
    const grid = page.locator('ci-head-grid canvas');
    assert.match(await page.locator('ci-head-zoom .placeholder').innerText(), /Hover or click a head/);

    await grid.hover({ position: await headPoint(page, 0, 1) });
    assert.match(await zoomTitle(page), /L0 H1\s+preview/);

    await grid.click({ position: await headPoint(page, 5, 1) });
    assert.match(await zoomTitle(page), /L5 H1\s+locked/);
    await page.locator('ci-head-zoom canvas').waitFor();
    // The host hears about the lock (reports are coalesced, so wait for it rather than for a time).
    await page.waitForFunction(() =>
      window.__ciHarness.posted.some((m) => m.method === 'focusChanged' && m.params.layer === 5 && m.params.head === 1 && m.params.locked),
    );

    // Another hover previews on top of the lock; leaving the grid goes back to the lock.
    await grid.hover({ position: await headPoint(page, 2, 2) });
    assert.match(await zoomTitle(page), /L2 H2\s+preview/);
    assert.match(await page.locator('ci-head-grid .status').innerText(), /locked: L5 H1/);
    await page.mouse.move(2, 2);
    assert.match(await zoomTitle(page), /L5 H1\s+locked/);

    // Clicking the locked head again unlocks it.
    await grid.click({ position: await headPoint(page, 5, 1) });
    assert.match(await zoomTitle(page), /L5 H1\s+preview/);
    await grid.click({ position: await headPoint(page, 5, 1) });
    assert.match(await zoomTitle(page), /L5 H1\s+locked/);

    await page.mouse.move(2, 2);
    await grid.focus();
    await page.keyboard.press('Escape');
    assert.match(await page.locator('ci-head-zoom .placeholder').innerText(), /Hover or click a head/);

    await page.waitForFunction(() => window.__ciHarness.posted.at(-1)?.method === 'clearFocus');
    const msgs = await posted(page);
    const requests = msgs.filter((m) => m.method === 'requestHeadPattern');
    assert.ok(
      requests.some((m) => m.params.layer === 5 && m.params.head === 1),
      'requested the locked head',
    );
    assert.equal(new Set(requests.map((m) => m.id)).size, requests.length, 'request ids are unique');
    const focus = msgs.filter((m) => m.method === 'focusChanged');
    assert.ok(focus.some((m) => m.params.layer === 5 && m.params.head === 1 && m.params.locked));
    assert.equal(msgs.at(-1).method, 'clearFocus');
    await page.close();
  });

  it('arrow keys move a previewing cursor, Enter locks', async () => {
    const { page } = await open();
    await page.locator('ci-head-grid canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.match(await zoomTitle(page), /L2 H1\s+preview/);
    await page.keyboard.press('Enter');
    assert.match(await zoomTitle(page), /L2 H1\s+locked/);
    await page.keyboard.press('End');
    assert.match(await zoomTitle(page), /L2 H11\s+preview/);
    await page.keyboard.press('Escape');
    assert.match(await page.locator('ci-head-zoom .placeholder').innerText(), /Hover or click a head/);
    await page.close();
  });

  it('token strip shows exactly the fixture tokens, whitespace visible, BOS and watched tokens marked', async () => {
    const { page } = await open();
    const expected = await page.evaluate(() => window.__ciHarness.tokenTexts);
    const shown = await page.locator('ci-token-strip .tok').allTextContents();
    const unglyph = (s) => s.replace(/·/g, ' ').replace(/→/g, '\t').replace(/⏎/g, '\n').replace(/␍/g, '\r');
    assert.equal(shown.length, expected.length);
    assert.deepEqual(shown.map(unglyph), expected);
    assert.ok(
      shown.some((s) => s.includes('⏎')),
      'newlines are visible',
    );
    assert.equal(await page.locator('ci-token-strip .tok.bos').count(), 1);
    const watched = await page.locator('ci-token-strip .tok.watched').allTextContents();
    assert.ok(watched.length > 0);
    for (const w of watched) assert.match(unglyph(w), /^ ?(self|param)$/);
    // Tokens are keyboard focusable with a roving tabindex.
    assert.equal(await page.locator('ci-token-strip .tok[tabindex="0"]').count(), 1);
    await page.close();
  });

  it('focusing a token colours the strip by the locked head', async () => {
    const { page } = await open();
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 1) }); // previous-token head
    await page.locator('ci-token-strip .tok[data-i="10"]').click();
    await page.locator('ci-token-strip .tok[data-i="9"][data-w="10"]').waitFor();
    // With direction "to", the token after the focused one lights up instead.
    await page.locator('ci-token-strip vscode-radio[value="to"]').click();
    await page.locator('ci-token-strip .tok[data-i="11"][data-w="10"]').waitFor();
    await page.waitForFunction(() =>
      window.__ciHarness.posted.some((m) => m.method === 'focusChanged' && m.params.direction === 'to' && m.params.weights_token),
    );
    const last = (await posted(page)).filter((m) => m.method === 'focusChanged').at(-1);
    assert.equal(last.params.direction, 'to');
    assert.equal(last.params.tokenIndex, 10);
    assert.equal(last.params.weights_token, await page.evaluate(() => window.__ciHarness.tokenTexts.length));
    await page.close();
  });

  it('a new inspection of different text drops the token focus and scrolls to the top', async () => {
    const { page } = await open('tokens=256');
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 1) });
    await page.locator('ci-token-strip .tok[data-i="10"]').click(); // " param"
    await page.waitForFunction(() => window.__ciHarness.posted.some((m) => m.method === 'focusChanged' && m.params.tokenIndex === 10));
    await page.mouse.move(2, 2); // a token under the pointer would be a (legitimate) hover focus
    await page.evaluate(() => window.scrollTo(0, 400));
    assert.ok((await page.evaluate(() => document.scrollingElement.scrollTop)) > 0, 'the page scrolls');
    const mark = await page.evaluate(() => window.__ciHarness.posted.length);

    await page.evaluate(() => window.__ciHarness.inspectOther()); // token 10 is now "):"
    await page
      .locator('ci-panel-header')
      .filter({ hasText: 'fixture-other' })
      .or(page.locator('ci-token-strip .tok[data-i="10"]', { hasText: '):' }))
      .first()
      .waitFor();
    await expectCount(page.locator('ci-token-strip .tok.locked'), 0);
    assert.match(await zoomTitle(page), /L0 H1\s+locked/, 'the head stays');
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0);
    // The host hears the head without a token, and never the old index.
    await page.waitForFunction((n) => window.__ciHarness.posted.slice(n).some((m) => m.method === 'focusChanged'), mark);
    const after = (await posted(page)).slice(mark).filter((m) => m.method === 'focusChanged');
    assert.ok(
      after.every((m) => m.params.tokenIndex === undefined && m.params.weights_token === undefined),
      JSON.stringify(after),
    );
    await page.close();
  });

  it('keeps markup in tokens inert', async () => {
    const { page, dialogs } = await open('hostile');
    const shown = await page.locator('ci-token-strip .tok').allTextContents();
    const expected = await page.evaluate(() => window.__ciHarness.tokenTexts);
    assert.ok(expected.includes('<script>alert(1)</script>') && expected.includes('</div>'));
    const unglyph = (s) => s.replace(/·/g, ' ').replace(/⏎/g, '\n');
    assert.deepEqual(shown.map(unglyph), expected);
    const found = await page.evaluate(() => {
      const tags = new Set();
      const walk = (root) => {
        for (const el of root.querySelectorAll('*')) {
          tags.add(el.localName);
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      walk(document);
      return [...tags];
    });
    // Token text never became elements: no <img>/<b> anywhere, no <script> inside the components.
    assert.ok(!found.includes('img') && !found.includes('b'), `unexpected elements: ${found}`);
    assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 2, 'only the harness scripts');
    assert.equal(await page.locator('ci-attention-panel script').count(), 0);
    // Token titles and the zoom labels are text too; nothing ran.
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 2) });
    await page.locator('ci-head-zoom canvas').waitFor();
    assert.deepEqual(dialogs, []);
    await page.close();
  });

  it('sorts and filters the head table', async () => {
    const { page } = await open();
    const firstHead = () => page.locator('ci-head-table tbody tr').first().getAttribute('data-head');
    const header = (name) => page.locator('ci-head-table th', { hasText: name });
    assert.equal(await firstHead(), '0.0');

    await header('Prev-token').locator('button').click();
    assert.equal(await header('Prev-token').getAttribute('aria-sort'), 'descending');
    const prev = (await page.locator('ci-head-table tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
    assert.deepEqual(
      prev,
      [...prev].sort((a, b) => b - a),
    );
    assert.ok(['0.1', '2.2', '4.11'].includes(await firstHead()), 'a previous-token head comes first');

    await header('Prev-token').locator('button').click();
    assert.equal(await header('Prev-token').getAttribute('aria-sort'), 'ascending');
    const prevAsc = (await page.locator('ci-head-table tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
    assert.deepEqual(
      prevAsc,
      [...prevAsc].sort((a, b) => a - b),
    );

    await header('Induction').locator('button').click();
    assert.ok(['5.1', '5.5', '6.9'].includes(await firstHead()), 'an induction head comes first');

    const filter = page.locator('ci-head-table vscode-textfield input');
    await filter.fill('L5');
    await expectCount(page.locator('ci-head-table tbody tr'), 12);
    await filter.fill('ind>0.5');
    assert.deepEqual((await page.locator('ci-head-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.head))).sort(), ['5.1', '5.5', '6.9']);
    await filter.fill('nonsense!');
    assert.match(await page.locator('ci-head-table .toolbar').innerText(), /cannot read/);

    // Clicking a row locks its head.
    await filter.fill('4.11');
    await page.locator('ci-head-table tbody tr').first().click();
    assert.match(await zoomTitle(page), /L4 H11\s+locked/);
    await page.close();
  });

  it('lists special tokens and jumps to the responsible head', async () => {
    const { page } = await open();
    const items = page.locator('ci-special-tokens ol li');
    assert.ok((await items.count()) >= 1);
    assert.match(await items.first().innerText(), /head 0\.2 attends to `param` \d+(\.\d)?× more than to other identifier tokens/);
    await items.first().locator('button', { hasText: '0.2' }).click();
    assert.match(await zoomTitle(page), /L0 H2\s+locked/);
    assert.equal(await page.locator('ci-token-strip vscode-radio[value="to"]').evaluate((r) => r.checked), true);
    await expectCount(page.locator('ci-token-strip .tok.locked'), 1);
    await page.close();
  });

  it('gives every watched token a line, found or not, and says what a ratio compares', async () => {
    const { page } = await open();
    const self = page.locator('ci-special-tokens .watched li[data-watched="self"]');
    assert.match(await self.innerText(), /^self \(\d+× in prompt\): no head treats it specially on this prompt$/);
    const param = page.locator('ci-special-tokens .watched li[data-watched="param"]');
    assert.match(await param.innerText(), /head 0\.2 attends to `param` \d+(\.\d)?× more than to other identifier tokens/);
    const explain = await page.locator('ci-special-tokens .explain').innerText();
    assert.match(explain, /same query rows/);
    assert.match(explain, /whole-word tokens of its kind/);
    assert.match(explain, /two or more positions back/);
    assert.match(explain, /seen only once/);
    assert.match(explain, /\(query, key\) pairs/);
    assert.match(await page.locator('ci-special-tokens ol li button').first().innerText(), /^0\.2 · \d+(\.\d)?× · n=\d+$/);
    await page.close();
    const { page: absent } = await open('watch=self,zebra');
    assert.equal(await absent.locator('ci-special-tokens .watched li[data-watched="zebra"]').innerText(), 'zebra not in this prompt');
    await absent.close();
  });

  it('shows the stale banner and the run state', async () => {
    const { page } = await open('stale');
    assert.match(await page.locator('ci-panel-header .banner').innerText(), /Stale/);
    const { page: running } = await open('noinspect&running');
    await running.locator('ci-panel-header .run').waitFor();
    assert.match(await running.locator('ci-panel-header header').innerText(), /Running… 40%/);
    await running.evaluate(() => window.__ciHarness.send({ method: 'stale', params: { stale: true } }));
    await running.locator('ci-panel-header .banner').waitFor();
    await page.close();
    await running.close();
  });
});

/** The zoomed pattern's geometry as the element lays it out (its canvas, viewport and scroll). */
const zoomState = (page) =>
  page.locator('ci-head-zoom').evaluate((z) => {
    const canvas = z.shadowRoot.querySelector('canvas');
    const scroller = z.shadowRoot.querySelector('.scroller');
    const l = z.layout;
    return {
      host: z.clientWidth,
      canvasCss: canvas.getBoundingClientRect().width,
      canvasBacking: canvas.width,
      plot: l.plot,
      cell: l.cell,
      zoom: Number(z.dataset.zoom),
      scroll: { x: scroller.scrollLeft, y: scroller.scrollTop },
      n: l.nTokens,
    };
  });

/** Hovers the zoomed pattern's cell (q, k), which must be in view. */
async function hoverCell(page, q, k) {
  const { cell, scroll } = await zoomState(page);
  await page.locator('ci-head-zoom .scroller').hover({ position: { x: (k + 0.5) * cell - scroll.x, y: (q + 0.5) * cell - scroll.y } });
}

const unglyph = (s) => s.replace(/·/g, ' ').replace(/→/g, '\t').replace(/⏎/g, '\n');

describe('Inspect Attention webview: the zoomed pattern', () => {
  it('fills the width the panel gives it, wide or narrow, without overflowing', async () => {
    for (const width of [1400, 600]) {
      const { page } = await openHarness(h.browser, h.server.url, 'tokens=125', { width, height: 1000 });
      await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 5, 1) });
      await page.locator('ci-head-zoom canvas').waitFor();
      const z = await zoomState(page);
      const label = `${width} px panel: canvas ${z.canvasCss} of ${z.host}`;
      assert.ok(z.canvasCss <= z.host, `no overflow: ${label}`);
      assert.ok(z.canvasCss >= z.host - 4, `the canvas takes the element's width: ${label}`);
      if (width === 1400) assert.ok(z.host > 500 && z.plot > 420, `the zoom takes its share of a wide panel: ${label}, plot ${z.plot}`);
      await page.close();
    }
  });

  it('at 1024 tokens, hovering names the query and key tokens, also after zooming in', async () => {
    const { page } = await openHarness(h.browser, h.server.url, 'tokens=1024&layers=2&heads=4', { width: 1400, height: 1000 });
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 2) });
    await page.locator('ci-head-zoom canvas').waitFor();
    const texts = await page.evaluate(() => window.__ciHarness.tokenTexts);
    const readout = page.locator('ci-head-zoom .readout');
    const expectReadout = async (q, k) => {
      await hoverCell(page, q, k);
      const m = /^query #(\d+) ‘(.+)’ → key #(\d+) ‘(.+)’: (\d\.\d{3})$/.exec(await readout.innerText());
      assert.ok(m, await readout.innerText());
      assert.deepEqual([Number(m[1]), unglyph(m[2]), Number(m[3]), unglyph(m[4])], [q, texts[q], k, texts[k]]);
      const value = await page.locator('ci-head-zoom').evaluate((z, [q, k, n]) => z.pattern[q * n + k], [q, k, texts.length]);
      assert.equal(m[5], value.toFixed(3));
    };
    assert.equal((await zoomState(page)).zoom, 1);
    await expectReadout(612, 3);
    // Ctrl+wheel zooms about the pointer; the cell under it stays under it.
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await page.waitForFunction(() => Number(document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom').dataset.zoom) > 2);
    const z = await zoomState(page);
    assert.ok(z.scroll.y > 0, 'zoomed about the pointer, not the top-left corner');
    const q = Math.floor((z.scroll.y + z.plot / 2) / z.cell);
    await expectReadout(q, 3 + Math.floor(z.scroll.x / z.cell));
    // Zoomed in, a token locked in the strip brings its row into view (direction "from") ...
    await page.locator('ci-token-strip .tok[data-i="900"]').click();
    await page.waitForFunction(() => {
      const z = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom');
      const s = z.shadowRoot.querySelector('.scroller');
      const row = 900 * z.layout.cell;
      return row >= s.scrollTop && row + z.layout.cell <= s.scrollTop + s.clientHeight;
    });
    // ... and clicking a cell locks its query without scrolling sideways to that token's column.
    const before = await zoomState(page);
    await hoverCell(page, 901, Math.floor(before.scroll.x / before.cell) + 2);
    await page.locator('ci-head-zoom .scroller').click({ position: { x: 2.5 * before.cell, y: 901.5 * before.cell - before.scroll.y } });
    await page.locator('ci-token-strip .tok[data-i="901"].locked').waitFor();
    assert.equal((await zoomState(page)).scroll.x, before.scroll.x);
    // The keyboard fits the whole pattern again.
    await page.locator('ci-head-zoom .scroller').press('0');
    await page.waitForFunction(() => Number(document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom').dataset.zoom) === 1);
    await page.close();
  });

  it('reads cells from the keyboard, locks a token with Enter, and says when a cell is masked', async () => {
    const { page } = await openHarness(h.browser, h.server.url, 'tokens=60', { width: 1400, height: 1000 });
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 1) });
    await page.locator('ci-token-strip .tok[data-i="20"]').click();
    await page.locator('ci-head-zoom canvas').waitFor();
    const texts = await page.evaluate(() => window.__ciHarness.tokenTexts);
    const readout = page.locator('ci-head-zoom .readout');
    const scroller = page.locator('ci-head-zoom .scroller');
    await scroller.focus();
    // The cursor starts on the focused token's row; End goes to the query itself, ← one key back.
    for (const key of ['ArrowDown', 'End', 'ArrowLeft']) await scroller.press(key);
    await page.waitForFunction(() =>
      /^query #20 /.test(
        document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom').shadowRoot.querySelector('.readout').textContent,
      ),
    );
    const m = /^query #20 ‘(.+)’ → key #19 ‘(.+)’: (\d\.\d{3})$/.exec(await readout.innerText());
    assert.ok(m, await readout.innerText());
    assert.deepEqual([unglyph(m[1]), unglyph(m[2])], [texts[20], texts[19]]);
    assert.ok(Number(m[3]) > 0.5, `head 0.1 is a previous-token head: ${m[3]}`);
    // Direction "from": Enter locks the cursor's query token.
    await scroller.press('PageDown');
    const q = Number(/^query #(\d+)/.exec(await readout.innerText())[1]);
    assert.ok(q > 20);
    await scroller.press('Enter');
    await page.locator(`ci-token-strip .tok[data-i="${q}"].locked`).waitFor();
    // The pointer over the upper triangle reads "masked", not a weight.
    const { cell } = await zoomState(page);
    await scroller.hover({ position: { x: 40.5 * cell, y: 2.5 * cell } });
    assert.match(await readout.innerText(), /Above the diagonal: masked/);
    await page.close();
  });

  it('redraws the grid and the zoom at a new device pixel ratio', async () => {
    // Headless Chromium changes the ratio under CDP emulation but does not report it to
    // (resolution) media queries, as a real window moved to another monitor does: record the
    // queries the page makes, and fire the one that stopped matching.
    const page = await h.browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.addInitScript(() => {
      const made = (window.__mediaQueries = []);
      const original = window.matchMedia.bind(window);
      window.matchMedia = (q) => {
        const m = original(q);
        made.push(m);
        return m;
      };
    });
    await page.goto(`${h.server.url}/test/webview/harness.html?tokens=60`);
    await page.waitForSelector('ci-attention-panel[data-first-paint-ms]', { timeout: 30000 });
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 0, 1) });
    await page.locator('ci-head-zoom canvas').waitFor();
    const backing = () =>
      page.evaluate(() => {
        const root = document.querySelector('ci-attention-panel').shadowRoot;
        return ['ci-head-grid', 'ci-head-zoom'].map((tag) => {
          const c = root.querySelector(tag).shadowRoot.querySelector('canvas');
          return c.width / c.getBoundingClientRect().width;
        });
      });
    for (const r of await backing()) assert.ok(Math.abs(r - 1) < 0.01, `at ratio 1: ${r}`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1200, height: 900, deviceScaleFactor: 2, mobile: false });
    await page.waitForFunction(() => devicePixelRatio === 2);
    const fired = await page.evaluate(() => {
      const stale = window.__mediaQueries.filter((m) => /resolution/.test(m.media) && !m.matches);
      for (const m of stale) m.dispatchEvent(new Event('change'));
      return stale.length;
    });
    assert.ok(fired >= 2, `the grid and the zoom each listen for a change of resolution: ${fired}`);
    const end = Date.now() + 5000;
    let ratios = await backing();
    while (ratios.some((r) => Math.abs(r - 2) > 0.01) && Date.now() < end) {
      await new Promise((ok) => setTimeout(ok, 50));
      ratios = await backing();
    }
    for (const r of ratios) assert.ok(Math.abs(r - 2) < 0.01, `both canvases are drawn at ratio 2: ${ratios}`);
    await page.close();
  });
});

describe('Inspect Attention webview: special tokens in the text', () => {
  it('marks a literal <|endoftext|> read as the special token, apart from BOS', async () => {
    const { page } = await open('special');
    const special = page.locator('ci-token-strip .tok.special');
    await expectCount(special, 1);
    assert.equal(await special.textContent(), '<|endoftext|>');
    assert.match(await special.getAttribute('title'), /special token <\|endoftext\|> \(id 50256\), as TransformerLens reads it/);
    assert.equal(await page.locator('ci-token-strip .tok.bos.special').count(), 0, 'the prepended BOS is marked as BOS only');
    const { page: plain } = await open();
    await expectCount(plain.locator('ci-token-strip .tok.special'), 0);
    await page.close();
    await plain.close();
  });
});

describe('Inspect Attention webview: the int8 approximate mode', () => {
  it('labels an int8 run next to the model name, says how far its logits are from fp32, and labels nothing in the exact mode', async () => {
    const { page, errors } = await open('int8');
    const name = page.locator('ci-panel-header ci-model-name');
    await name.locator('.name').waitFor();
    assert.equal(await name.locator('.name').textContent(), 'gpt2-python-mini', 'the name without the label');
    const badge = name.locator('.badge');
    assert.equal(await badge.textContent(), 'int8 approximate');
    const tip = await badge.getAttribute('title');
    assert.match(tip, /differ from Hugging Face and TransformerLens/);
    assert.match(tip, /max \|Δ\| 0\.791/);
    const line = page.locator('ci-panel-header .precision');
    assert.match(await line.innerText(), /int8 vs fp32 logits: max \|Δ\| 0\.791, mean 0\.140 \(logit range 19\.6\); top-1 agrees at 41\/42 positions/);
    assert.match(await line.innerText(), /Hook values are approximate too/);
    assert.ok(await line.isVisible());
    assert.deepEqual(await page.evaluate(() => window.__ciHarness.violations), []);
    assert.deepEqual(errors, []);

    const { page: exact } = await open();
    await exact.locator('ci-panel-header ci-model-name .name').waitFor();
    assert.equal(await exact.locator('ci-panel-header ci-model-name .badge').count(), 0);
    assert.equal(await exact.locator('ci-panel-header .precision').count(), 0);
    await page.close();
    await exact.close();
  });
});
