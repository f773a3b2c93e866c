// Screenshots of the prompt-set (dataset) webview in the harness: 50 pairs on a 12-layer × 12-head
// model with 40 positions, in dark, light and high-contrast themes (a head's distribution over
// pairs open, a cell hovered with its per-pair strip); estimate with progress; z by position; a
// partial run; a zero gap; pairs of different lengths; narrow; the exported PNGs. Written to
// --out=DIR, else .tmp/screenshots/dataset; `--docs` writes the README's few to
// docs/screenshots/dataset. Exits non-zero on page errors or CSP violations.
//
//   node test/webview/datasetScreenshot.mjs [--only=dark-wide,...] [--out=DIR] [--docs]
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, clickHeatmapCell, collectErrors, heatmapCellCentre, reportShot, serve } from './harnessServer.mjs';
import { buildDatasetHarness } from './datasetBuild.mjs';

const DOCS = process.argv.includes('--docs');
const OUT = DOCS
  ? join(ROOT, 'docs', 'screenshots', 'dataset')
  : (process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? join(ROOT, '.tmp', 'screenshots', 'dataset'));
const DOC_SHOTS = ['dark-wide', 'light-wide', 'hc-wide', 'dark-hover', 'dark-partial', 'dark-zero-gap', 'export'];
const only = DOCS
  ? DOC_SHOTS
  : process.argv
      .find((a) => a.startsWith('--only='))
      ?.slice(7)
      .split(',');

const canvasOf = (page, direction) => page.locator(`ci-patch-heatmap[data-direction="${direction}"] canvas`);

/** Opens head 9.6's distribution over pairs from the denoising heatmap. */
async function openHead(page, row = 9, col = 6) {
  await clickHeatmapCell(canvasOf(page, 'denoise'), row, col);
  await page.locator('ci-pair-distribution canvas').waitFor();
}

/** Hovers cell (row, col) of a direction's heatmap: its tooltip with the per-pair strip. */
async function hoverCell(page, direction, row, col) {
  const canvas = canvasOf(page, direction);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const pos = await heatmapCellCentre(canvas, row, col);
  await page.mouse.move(box.x + pos.x, box.y + pos.y);
  await page.locator(`ci-patch-heatmap[data-direction="${direction}"] ci-pair-strip`).waitFor();
}

const tab = (page, name) =>
  page
    .locator('ci-dataset-panel button.seg', { hasText: new RegExp(`^\\s*${name}\\s*[✓≈½]?\\s*$`) })
    .first()
    .click();

const SCENARIOS = [
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-wide`,
    query: `theme=${theme}&source=exact`,
    act: async (page) => {
      await openHead(page);
      await hoverCell(page, 'noise', 5, 1);
    },
  })),
  { name: 'dark-hover', query: 'theme=dark&source=exact', viewport: true, act: async (page) => hoverCell(page, 'denoise', 3, 0) },
  { name: 'dark-narrow', query: 'theme=dark&source=exact', width: 620, act: async (page) => openHead(page) },
  { name: 'dark-estimate-progress', query: 'theme=dark&source=attribution&sweeping', act: async () => {} },
  { name: 'dark-resid', query: 'theme=dark&source=exact', act: async (page) => tab(page, 'resid_pre') },
  { name: 'light-z_by_pos', query: 'theme=light&source=exact', act: async (page) => tab(page, 'z_by_pos') },
  { name: 'dark-partial', query: 'theme=dark&source=exact&partial', act: async (page) => openHead(page) },
  { name: 'dark-zero-gap', query: 'theme=dark&source=exact&zerogap', act: async () => {} },
  { name: 'dark-noisy-gap', query: 'theme=dark&source=exact&noisygap', act: async () => {} },
  { name: 'light-noisy-gap', query: 'theme=light&source=exact&noisygap', act: async () => {} },
  { name: 'dark-mixed-lengths', query: 'theme=dark&source=exact&mixed', act: async () => {} },
  { name: 'hc-few-pairs', query: 'theme=hc&source=exact&pairs=4&layers=6&heads=8', act: async (page) => openHead(page, 3, 0) },
  { name: 'light-waiting', query: 'theme=light&nosummary', act: async () => {} },
  { name: 'light-empty', query: 'theme=light&empty', act: async () => {} },
  {
    name: 'export',
    query: 'theme=dark&source=exact',
    // Only the exported PNGs: the page itself is dark-wide's.
    pageShot: false,
    act: async (page) => {
      await openHead(page);
      for (const d of ['denoise', 'noise']) {
        const url = await page.locator(`ci-patch-heatmap[data-direction="${d}"]`).evaluate((h) => h.toPng());
        await writeFile(join(OUT, `export-z-${d}.png`), Buffer.from(url.split(',')[1], 'base64'));
      }
      const dist = await page.locator('ci-pair-distribution').evaluate((h) => h.toPng());
      await writeFile(join(OUT, 'export-distribution.png'), Buffer.from(dist.split(',')[1], 'base64'));
    },
  },
];

await mkdir(OUT, { recursive: true });
await buildDatasetHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
let failed = 0;
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const page = await browser.newPage({ viewport: { width: s.width ?? 1400, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/webview/datasetHarness.html?${s.query}`);
    if (!/empty|nosummary/.test(s.query)) await page.locator('ci-patch-heatmap canvas').first().waitFor();
    else await page.locator('ci-dataset-panel').waitFor();
    await s.act(page);
    await page.waitForTimeout(200);
    const file = join(OUT, `${s.name}.png`);
    if (s.pageShot !== false) await page.screenshot({ path: file, fullPage: !s.viewport });
    if (!(await reportShot(page, '__ciDatasetHarness', file, errors))) failed++;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
