// Screenshots of the Inspect Attention webview in the harness, in VS Code's dark, light and
// high-contrast themes, written to .tmp/screenshots/ (or --out=DIR). Also prints the grid's
// first-paint time. The `zoom-*` scenarios show the head grid and the zoomed pattern at 30, 125,
// 512 and 1024 tokens in a narrow (600 px) and a maximised (1600 px) panel.
//
//   node test/webview/screenshot.mjs [--only=dark-locked,...] [--out=DIR]
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, buildHarness, openHarness, serve } from './harnessServer.mjs';

const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? join(ROOT, '.tmp', 'screenshots');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** Centre of a head's thumbnail on the grid canvas (the grid reports its cell size and gap). */
async function headPoint(page, layer, head) {
  const [cell, gap] = await page.locator('ci-head-grid').evaluate((g) => [Number(g.dataset.cell), Number(g.dataset.gap)]);
  return { x: head * (cell + gap) + cell / 2, y: layer * (cell + gap) + cell / 2 };
}

/** Locks head 0.2 on ` param` (direction "to") through the special-token list, like a user would. */
async function lockParamHead(page) {
  await page.locator('ci-special-tokens button', { hasText: '0.2' }).first().click();
  await page.locator('ci-head-zoom canvas').waitFor();
}

/** Moves the pointer over the zoomed pattern's cell (q, k), in view at the current zoom and scroll. */
async function hoverZoomCell(page, q, k) {
  const scroller = page.locator('ci-head-zoom .scroller');
  const pos = await scroller.evaluate(
    (s, [q, k]) => {
      const l = s.getRootNode().host.layout;
      return { x: (k + 0.5) * l.cell - s.scrollLeft, y: (q + 0.5) * l.cell - s.scrollTop };
    },
    [q, k],
  );
  await scroller.hover({ position: pos });
}

/** Hovers query 612 and the nearest earlier ` param` (head 0.2 attends to it), until the readout names them. */
async function hoverParam(page) {
  const key = await page.evaluate(() => window.__ciHarness.tokenTexts.findLastIndex((t, i) => i < 612 && t.trim() === 'param'));
  const readout = page.locator('ci-head-zoom .readout', { hasText: `query #612 ` });
  for (let i = 0; i < 3; i++) {
    await hoverZoomCell(page, 612, key);
    if (
      await readout.waitFor({ timeout: 2000 }).then(
        () => true,
        () => false,
      )
    )
      return;
  }
}

const NARROW = { width: 600, height: 1000 };
const WIDE = { width: 1600, height: 1000 };

/** Grid and zoom at a prompt length and panel width: head 5.1 (induction-like) locked, a late token focused. */
const zoomScenario = (n, viewport, label) => ({
  name: `zoom-${n}-${label}`,
  query: `theme=dark&tokens=${n}`,
  viewport,
  act: async (page) => {
    await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 5, 1) });
    await page.locator(`ci-token-strip .tok[data-i="${n - 3}"]`).click();
    await page.locator('ci-head-zoom canvas').waitFor();
    await hoverZoomCell(page, n - 3, Math.floor(n / 2));
  },
});

const SCENARIOS = [
  ...[30, 125, 512].flatMap((n) => [zoomScenario(n, NARROW, 'narrow'), zoomScenario(n, WIDE, 'wide')]),
  {
    name: 'zoom-1024-wide-hover',
    query: 'theme=dark&tokens=1024',
    viewport: WIDE,
    // The full-page shot relayouts the page; hover again before the close-ups.
    beforeCloseUps: (page) => hoverParam(page),
    act: async (page) => {
      await page.locator('ci-special-tokens button', { hasText: '0.2' }).first().click();
      await page.locator('ci-head-zoom canvas').waitFor();
      await hoverParam(page);
    },
  },
  {
    name: 'zoom-1024-wide-zoomed',
    query: 'theme=dark&tokens=1024',
    viewport: WIDE,
    act: async (page) => {
      await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 5, 1) });
      await page.locator('ci-head-zoom canvas').waitFor();
      // Ctrl+wheel over the middle of the pattern zooms about the pointer.
      await page.locator('ci-head-zoom .scroller').scrollIntoViewIfNeeded();
      const box = await page.locator('ci-head-zoom .scroller').boundingBox();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.75);
      await page.keyboard.down('Control');
      for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
      await page.keyboard.up('Control');
      await page.waitForTimeout(100);
      await page.mouse.move(box.x + box.width * 0.6 + 3, box.y + box.height * 0.75 + 3);
    },
  },
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-locked`,
    query: `theme=${theme}`,
    act: async (page) => {
      await lockParamHead(page);
      // Hover a cell of the zoomed pattern so the tooltip shows.
      const zoom = page.locator('ci-head-zoom canvas');
      const box = await zoom.boundingBox();
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.8);
    },
  })),
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-preview-from`,
    query: `theme=${theme}`,
    act: async (page) => {
      // Lock 5.1 (induction-like), focus a later ` param` token (direction from), then preview 0.1.
      const grid = page.locator('ci-head-grid canvas');
      await grid.click({ position: await headPoint(page, 5, 1) });
      await page.locator('ci-token-strip .tok[data-i="60"]').click();
      await grid.hover({ position: await headPoint(page, 0, 1) });
      await page.locator('ci-head-zoom canvas').waitFor();
    },
  })),
  // A literal <|endoftext|> in the prompt, read as the special token: the strip marks it.
  { name: 'dark-special', query: 'theme=dark&special', act: async (page) => page.locator('ci-token-strip .tok.special').hover() },
  { name: 'dark-empty-running', query: 'theme=dark&noinspect&running', act: async () => {} },
  { name: 'dark-stale', query: 'theme=dark&stale', act: async () => {} },
  { name: 'dark-hostile', query: 'theme=dark&hostile', act: async () => {} },
  {
    name: 'dark-256-tokens',
    query: 'theme=dark&tokens=256',
    act: async (page) => {
      await page.locator('ci-head-grid canvas').click({ position: await headPoint(page, 5, 5) });
      await page.locator('ci-token-strip .tok[data-i="200"]').click();
      await page.locator('ci-head-zoom canvas').waitFor();
    },
  },
];

await mkdir(OUT, { recursive: true });
await buildHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const { page, errors } = await openHarness(browser, server.url, s.query, s.viewport);
    await s.act(page);
    await page.waitForTimeout(150);
    const file = join(OUT, `${s.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    // Close-ups at device resolution, to judge text and thumbnails.
    await s.beforeCloseUps?.(page);
    for (const part of ['ci-head-grid', 'ci-head-zoom', 'ci-token-strip']) {
      const el = page.locator(part);
      if (await el.count()) await el.screenshot({ path: join(OUT, `${s.name}.${part.slice(3)}.png`) });
    }
    const info = await page.evaluate(() => ({
      firstPaintMs: document.querySelector('ci-attention-panel')?.dataset.firstPaintMs,
      violations: window.__ciHarness.violations,
      fixtureMs: Math.round(window.__ciHarness.fixtureMs),
    }));
    console.log(`${s.name}: ${file} · first paint ${info.firstPaintMs ?? '—'} ms · fixture ${info.fixtureMs} ms`);
    if (info.violations.length) console.log('  CSP violations:', info.violations);
    if (errors.length) console.log('  page errors:', errors);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
