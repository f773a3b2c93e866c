// Screenshots of the substitution panel in the int8 mode (the logits error under the header, a
// table checked against fp32: close and notable, running), in the dark, light and high-contrast
// themes, written to docs/screenshots/int8/substitution-*.png. Exits non-zero on page errors or
// CSP violations.
//
//   node test/webview/substitutionInt8Screenshot.mjs [--only=dark-close,...] [--out=DIR]
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, collectErrors, reportShot, serve } from './harnessServer.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? join(ROOT, 'docs', 'screenshots', 'int8');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** Presses "Check against fp32" under a direction's table and waits for what the fake host answers. */
async function checkTable(page, direction, wait) {
  const el = page.locator(`ci-substitution-panel ci-table-check[data-direction="${direction}"]`);
  await el.locator('vscode-button', { hasText: 'Check against fp32' }).click();
  await el.locator(wait).waitFor();
}

const SCENARIOS = [
  ...['dark', 'light', 'hc'].map((theme) => ({
    name: `${theme}-check`,
    query: `theme=${theme}&source=exact&int8=close`,
    act: async (page) => checkTable(page, 'noise', '.result'),
  })),
  ...['dark', 'light'].map((theme) => ({
    name: `${theme}-notable`,
    query: `theme=${theme}&source=exact&int8=notable`,
    act: async (page) => checkTable(page, 'denoise', '.result.notable'),
  })),
  { name: 'dark-running-600', query: 'theme=dark&source=exact&int8=running', width: 600, act: async (page) => checkTable(page, 'denoise', 'progress') },
  { name: 'dark-sweeping', query: 'theme=dark&source=mixed&sweeping&int8=close', act: async () => {} },
];

await mkdir(OUT, { recursive: true });
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
    await page.locator('ci-patch-heatmap canvas').first().waitFor();
    await s.act(page);
    await page.waitForTimeout(200);
    const file = join(OUT, `substitution-${s.name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    if (!(await reportShot(page, '__ciSubstitutionHarness', file, errors))) failed++;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
