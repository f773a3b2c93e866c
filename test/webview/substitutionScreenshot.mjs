// Screenshots of the Compare Token Substitution webview in the harness (dark, light and
// high-contrast themes; estimate vs exact; progress; z by position; equal metrics; a small gap; narrow;
// 600 and 1400 px with a head's detail; a literal <|endoftext|>; the int8 mode's logits error and
// table checks, close, notable and running), written to .tmp/screenshots/substitution-*.png (the int8
// ones to docs/screenshots/int8/). Exits non-zero on page errors or CSP violations.
//
//   node test/webview/substitutionScreenshot.mjs [--only=dark-z,...] [--out=DIR]
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, clickHeatmapCell, collectErrors, heatmapCellCentre, reportShot, serve } from './harnessServer.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const outDir = (s) => OUT ?? (s.int8 ? join(ROOT, 'docs', 'screenshots', 'int8') : join(ROOT, '.tmp', 'screenshots'));
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** Clicks the centre of a cell (row, col) of a direction's heatmap. */
const clickCell = (page, direction, row, col) => clickHeatmapCell(page.locator(`ci-patch-heatmap[data-direction="${direction}"] canvas`), row, col);

const tab = (page, name) =>
  page
    .locator('ci-substitution-panel button.seg', { hasText: new RegExp(`^\\s*${name}\\s*[✓≈½]?\\s*$`) })
    .first()
    .click();

/** Opens head 3.5 from the denoising heatmap and waits for its detail. */
async function openHead(page) {
  await clickCell(page, 'denoise', 3, 5);
  await page.locator('ci-patch-head-detail canvas').waitFor();
}

/** Presses "Check against fp32" under a direction's table and waits for what the fake host answers. */
async function checkTable(page, direction, wait) {
  const el = page.locator(`ci-substitution-panel ci-table-check[data-direction="${direction}"]`);
  await el.locator('vscode-button', { hasText: 'Check against fp32' }).click();
  await el.locator(wait).waitFor();
}

const SCENARIOS = [
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-z`,
    query: `theme=${theme}&source=mixed`,
    act: async (page) => {
      await clickCell(page, 'denoise', 3, 5);
      await page.locator('ci-patch-head-detail canvas').waitFor();
      const canvas = page.locator('ci-patch-heatmap[data-direction="noise"] canvas');
      const box = await canvas.boundingBox();
      const pos = await heatmapCellCentre(canvas, 0, 2);
      await page.mouse.move(box.x + pos.x, box.y + pos.y);
    },
  })),
  // The plots at a narrow (600 px: stacked) and a wide (1400 px: side by side) panel, ` param` → ` arg` and a
  // near-zero gap, with a head's detail open (its key labels) and a by-position sweep (rotated token labels).
  ...['dark', 'light', 'hc'].flatMap((theme) =>
    [600, 1400].flatMap((width) => [
      { name: `${theme}-${width}-param-arg`, query: `theme=${theme}&source=exact`, width, act: async (page) => openHead(page) },
      { name: `${theme}-${width}-small-gap-resid`, query: `theme=${theme}&source=exact&smallgap`, width, act: async (page) => tab(page, 'resid_pre') },
    ]),
  ),
  ...[600, 1400].map((width) => ({ name: `dark-${width}-gpt2-small-z`, query: 'theme=dark&source=exact&layers=12&heads=12', width, act: async () => {} })),
  { name: 'dark-1400-special', query: 'theme=dark&source=exact&special', act: async (page) => openHead(page) },
  { name: 'dark-resid-estimate', query: 'theme=dark&source=attribution&sweeping', act: async (page) => tab(page, 'mlp_out') },
  { name: 'dark-z_by_pos', query: 'theme=dark&source=exact&layers=12&heads=12', act: async (page) => tab(page, 'z_by_pos') },
  ...['dark', 'light', 'hc'].map((theme) => ({ name: `${theme}-small-gap`, query: `theme=${theme}&source=exact&smallgap`, act: async () => {} })),
  { name: 'dark-equal', query: 'theme=dark&source=exact&equal', act: async () => {} },
  { name: 'dark-narrow', query: 'theme=dark&source=exact', width: 720, act: async (page) => tab(page, 'resid_pre') },
  {
    // The exported figure (what the PNG link saves), with a cell selected in a dark theme: it must not show.
    name: 'dark-export',
    query: 'theme=dark&source=exact',
    act: async (page) => {
      await clickCell(page, 'denoise', 3, 5);
      for (const d of ['denoise', 'noise']) {
        const url = await page.locator(`ci-patch-heatmap[data-direction="${d}"]`).evaluate((h) => h.toPng());
        await writeFile(join(outDir({}), `substitution-export-z-${d}.png`), Buffer.from(url.split(',')[1], 'base64'));
      }
      await page.locator('ci-patch-head-detail canvas').waitFor();
      const head = await page.locator('ci-patch-head-detail').evaluate((h) => h.toPng());
      await writeFile(join(outDir({}), 'substitution-export-head.png'), Buffer.from(head.split(',')[1], 'base64'));
    },
  },
  { name: 'light-empty', query: 'theme=light&empty', act: async () => {} },
  {
    name: 'dark-keyboard',
    query: 'theme=dark&source=exact',
    act: async (page) => {
      // Keyboard only: focus the noising heatmap, move to head 0.2, open it.
      await page.locator('ci-patch-heatmap[data-direction="noise"] canvas').focus();
      for (const k of ['ArrowRight', 'ArrowRight', 'Enter']) await page.keyboard.press(k);
      await page.locator('ci-patch-head-detail canvas').waitFor();
      const title = await page.locator('ci-substitution-panel section.head h2').textContent();
      if (!/Head 0\.2/.test(title ?? '')) throw new Error(`keyboard picked the wrong head: ${title}`);
    },
  },
  // The int8 mode (the logits error under the header, a table checked against fp32): docs/screenshots/int8/, the viewport only.
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-check`,
    query: `theme=${theme}&source=exact&int8=close`,
    int8: true,
    act: async (page) => checkTable(page, 'noise', '.result'),
  })),
  ...['dark', 'light'].map((theme) => ({
    name: `${theme}-notable`,
    query: `theme=${theme}&source=exact&int8=notable`,
    int8: true,
    act: async (page) => checkTable(page, 'denoise', '.result.notable'),
  })),
  {
    name: 'dark-running-600',
    query: 'theme=dark&source=exact&int8=running',
    width: 600,
    int8: true,
    act: async (page) => checkTable(page, 'denoise', 'progress'),
  },
  { name: 'dark-sweeping', query: 'theme=dark&source=mixed&sweeping&int8=close', int8: true, act: async () => {} },
];

await buildSubstitutionHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
let failed = 0;
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const page = await browser.newPage({ viewport: { width: s.width ?? 1400, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/webview/substitutionHarness.html?${s.query}`);
    if (!s.query.includes('empty')) await page.locator('ci-patch-heatmap canvas').first().waitFor();
    await s.act(page);
    await page.waitForTimeout(200);
    await mkdir(outDir(s), { recursive: true });
    const file = join(outDir(s), `substitution-${s.name}.png`);
    await page.screenshot({ path: file, fullPage: !s.int8 });
    if (!(await reportShot(page, '__ciSubstitutionHarness', file, errors))) failed++;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
