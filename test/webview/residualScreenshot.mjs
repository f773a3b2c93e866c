// Screenshots of the Inspect Residual Stream webview in the harness: dark, light and high-contrast
// themes at 30 and 512 tokens, narrow (600 px) and wide (1400 px), plus a hovered lens cell with a
// selected head, the cached-scale lens, a document run, caveats, a record before its lens
// (partial), and the exported PNGs. Written to --out=DIR, else $SHOTS (default
// .tmp/screenshots/residual). Exits non-zero on page errors or CSP violations.
//
//   node test/webview/residualScreenshot.mjs [--only=dark-30-wide,...] [--out=DIR]
import { chromium } from 'playwright-core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, collectErrors, serve } from './harnessServer.mjs';
import { buildResidualHarness } from './residualBuild.mjs';
import { clickHead, lensCell, waitForResidualPlots } from './residualPage.mjs';

const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? process.env.SHOTS ?? join(ROOT, '.tmp', 'screenshots', 'residual');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** Hovers the lens cell (row, col), scrolled into view. */
async function hoverLens(page, row, col) {
  const pos = await lensCell(page, row, col);
  const box = await page.locator('ci-logit-lens canvas').boundingBox();
  await page.mouse.move(box.x + pos.x, box.y + pos.y);
}

const SCENARIOS = [];
for (const theme of ['dark', 'light', 'hc']) {
  for (const n of [30, 512]) {
    for (const [size, width] of [
      ['narrow', 600],
      ['wide', 1400],
    ]) {
      SCENARIOS.push({ name: `${theme}-${n}-${size}`, query: `theme=${theme}&n=${n}`, width, act: async () => {} });
    }
  }
}
SCENARIOS.push(
  {
    name: 'dark-30-wide-hover',
    query: 'theme=dark&n=30',
    width: 1400,
    hover: true,
    act: async (page) => hoverLens(page, 8, 20),
  },
  {
    name: 'dark-30-wide-head',
    query: 'theme=dark&n=30',
    width: 1400,
    act: async (page) => {
      await clickHead(page, 9, 6);
      await page.locator('ci-source-strip .strip').waitFor();
    },
  },
  {
    name: 'light-30-narrow-head',
    query: 'theme=light&n=30',
    width: 600,
    act: async (page) => {
      await clickHead(page, 9, 6);
      await page.locator('ci-source-strip .strip').waitFor();
    },
  },
  {
    name: 'light-512-wide-readable',
    query: 'theme=light&n=512',
    width: 1400,
    hover: true,
    act: async (page) => {
      await page.locator('ci-residual-panel button[data-zoom="read"]').click();
      await page.locator('ci-logit-lens .scroller').evaluate((s) => (s.scrollLeft = 4000));
      await page.waitForTimeout(100);
      await hoverLens(page, 11, 75);
    },
  },
  { name: 'dark-1024-wide', query: 'theme=dark&n=1024', width: 1400, act: async () => {} },
  { name: 'dark-30-wide-partial', query: 'theme=dark&n=30&partial', width: 1400, act: async () => {} },
  { name: 'light-30-narrow-partial', query: 'theme=light&n=30&partial', width: 600, act: async () => {} },
  { name: 'hc-30-wide-partial', query: 'theme=hc&n=30&partial', width: 1400, act: async () => {} },
  { name: 'dark-30-wide-cached', query: 'theme=dark&n=30&cached', width: 1400, act: async () => {} },
  { name: 'dark-doc-wide', query: 'theme=dark&doc', width: 1400, act: async () => {} },
  { name: 'hc-4-narrow-caveats', query: 'theme=hc&n=4&tiny&nowrong&stale&notes', width: 600, act: async () => {} },
  { name: 'dark-30-wide-badsum', query: 'theme=dark&n=30&badsum&running', width: 1400, act: async () => {} },
  { name: 'light-empty', query: 'theme=light&empty', width: 900, act: async () => {} },
  {
    name: 'dark-export',
    query: 'theme=dark&n=30',
    width: 1400,
    act: async (page) => {
      await clickHead(page, 9, 6);
      const shots = {
        lens: () => document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-logit-lens').toPng(),
        norms: () => document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-norm-growth').toPng('resid'),
        sublayers: () => document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-norm-growth').toPng('sublayers'),
        heads: () => document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-dla').toPng('heads'),
        bars: () => document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-dla').toPng('bars'),
      };
      for (const [name, fn] of Object.entries(shots)) {
        const url = await page.evaluate(fn);
        await writeFile(join(OUT, `export-${name}.png`), Buffer.from(url.split(',')[1], 'base64'));
      }
    },
  },
);

// A record from the real analysis on the shipped model (npx tsx test/webview/residualRealRecord.ts), when present.
const REAL = join(ROOT, '.tmp', 'residual-real.json');
if (existsSync(REAL)) {
  const json = await readFile(REAL, 'utf8');
  const sendReal = (page) =>
    page.evaluate((text) => {
      const typed = (v) =>
        Array.isArray(v)
          ? v.map(typed)
          : v && typeof v === 'object'
            ? '$f32' in v
              ? Float32Array.from(v.$f32)
              : '$i32' in v
                ? Int32Array.from(v.$i32)
                : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)]))
            : v;
      const record = typed(JSON.parse(text));
      window.__ciResidualHarness.send({ method: 'residualStream', params: { record, stale: false, notes: [], answerText: '', wrongText: ' value' } });
    }, json);
  for (const [theme, size, width] of [
    ['dark', 'wide', 1400],
    ['light', 'narrow', 600],
    ['hc', 'wide', 1400],
  ]) {
    SCENARIOS.push({
      name: `real-${theme}-${size}`,
      query: `theme=${theme}&empty`,
      width,
      act: async (page) => {
        await sendReal(page);
        await page.locator('ci-logit-lens canvas').waitFor();
        await clickHead(page, 1, 2);
      },
    });
  }
}

await mkdir(OUT, { recursive: true });
await buildResidualHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
let failed = 0;
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const page = await browser.newPage({ viewport: { width: s.width, height: 900 }, deviceScaleFactor: s.name.includes('narrow') ? 2 : 1 });
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/webview/residualHarness.html?${s.query}`);
    await waitForResidualPlots(page, s.query);
    await s.act(page);
    await page.waitForTimeout(250);
    const file = join(OUT, `${s.name}.png`);
    // A hover shows only in a viewport screenshot (a full-page one resizes the page and drops it).
    await page.screenshot({ path: file, fullPage: !s.hover });
    const violations = await page.evaluate(() => window.__ciResidualHarness.violations);
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
