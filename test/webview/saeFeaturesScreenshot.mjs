// Screenshots of Compare Token Substitution's SAE features section in the harness (dark, light and
// high-contrast; exact done, estimate with exact running, a small gap, no SAE), cropped to the
// section, written to .tmp/screenshots/substitution-features-*.png (and with --docs, the ones the
// README shows into docs/screenshots/substitution/). Exits non-zero on page errors or CSP violations.
//
//   node test/webview/saeFeaturesScreenshot.mjs [--only=dark-done,...] [--docs]
import { chromium } from 'playwright-core';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, collectErrors, serve } from './harnessServer.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const OUT = join(ROOT, '.tmp', 'screenshots');
const DOCS = join(ROOT, 'docs', 'screenshots', 'substitution');
const docs = process.argv.includes('--docs');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

const SCENARIOS = [
  ...['dark', 'light', 'hc'].map((theme) => ({ name: `${theme}-done`, query: `theme=${theme}&source=exact&sae=done`, docs: theme === 'dark' })),
  { name: 'dark-exact-running', query: 'theme=dark&source=attribution&sweeping&sae=exact' },
  { name: 'dark-small-gap', query: 'theme=dark&source=exact&smallgap&sae=done' },
  { name: 'dark-cancelled', query: 'theme=dark&source=exact&sae=cancelled' },
  { name: 'dark-no-sae', query: 'theme=dark&source=exact&sae=no-sae', docs: true },
  { name: 'light-600-done', query: 'theme=light&source=exact&sae=done', width: 600 },
];

await mkdir(OUT, { recursive: true });
if (docs) await mkdir(DOCS, { recursive: true });
await buildSubstitutionHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
let failed = 0;
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const page = await browser.newPage({ viewport: { width: s.width ?? 1100, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/webview/substitutionHarness.html?${s.query}`);
    const section = page.locator('ci-feature-attribution');
    await section
      .locator(s.query.includes('no-sae') ? 'p' : 'section')
      .first()
      .waitFor();
    await page.waitForTimeout(150);
    const file = join(OUT, `substitution-features-${s.name}.png`);
    await section.screenshot({ path: file });
    if (docs && s.docs) await copyFile(file, join(DOCS, `features-${s.name}.png`));
    const violations = await page.evaluate(() => window.__ciSubstitutionHarness.violations);
    console.log(`${file}  violations=${violations.length}  errors=${errors.length}`);
    for (const e of [...errors, ...violations]) console.log(`  ! ${e}`);
    if (errors.length || violations.length) failed++;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
