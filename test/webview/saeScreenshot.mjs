// Screenshots of the Inspect Features webview in the harness: the whole flow (a feature picked, a
// token's features listed, the ablated text, a finished scan) in dark, light and high-contrast
// themes, wide (1400 px) and narrow (600 px); a prompt the SAE explains badly; a partial scan; a
// short prompt; an error over the previous view; the compact strip; the exported PNGs. Written to
// --out=DIR, else $SHOTS (default .tmp/screenshots/sae); `--docs` writes the few kept in the
// repository to docs/screenshots/sae. Exits non-zero on page errors or CSP violations.
//
//   node test/webview/saeScreenshot.mjs [--only=dark-wide,...] [--out=DIR] [--docs]
import { chromium } from 'playwright-core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_OPTIONS, ROOT, collectErrors, serve } from './harnessServer.mjs';
import { buildSaeHarness } from './saeBuild.mjs';
import { ablate, clickToken, pickFeature, scan, waitForSae } from './saePage.mjs';

const DOCS = process.argv.includes('--docs');
const OUT = DOCS
  ? join(ROOT, 'docs', 'screenshots', 'sae')
  : (process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? process.env.SHOTS ?? join(ROOT, '.tmp', 'screenshots', 'sae'));
/** The screenshots kept in docs/screenshots/sae (the README's). */
const DOC_SHOTS = ['dark-wide', 'light-wide', 'hc-wide', 'dark-bad-quality', 'dark-partial-scan', 'dark-hover-ablated', 'export', 'real-dark-1400'];
const only = DOCS
  ? DOC_SHOTS
  : process.argv
      .find((a) => a.startsWith('--only='))
      ?.slice(7)
      .split(',');

const OPEN = 11;

/** Pick the `open(` feature, list the features at ' open', ablate there, scan the workspace. */
async function fullFlow(page) {
  await pickFeature(page, 311);
  await clickToken(page, OPEN);
  await ablate(page);
  await scan(page);
  await page.locator('ci-feature-examples .summary').waitFor();
}

const SCENARIOS = [];
for (const theme of ['dark', 'light', 'hc']) {
  SCENARIOS.push({ name: `${theme}-wide`, query: `theme=${theme}`, width: 1400, act: fullFlow });
}
SCENARIOS.push(
  { name: 'dark-narrow', query: 'theme=dark', width: 600, act: fullFlow },
  { name: 'light-narrow', query: 'theme=light', width: 600, act: fullFlow },
  {
    name: 'dark-hover-ablated',
    query: 'theme=dark',
    width: 1400,
    viewport: true,
    act: async (page) => {
      await pickFeature(page, 311);
      await clickToken(page, OPEN);
      await ablate(page);
      await page.locator('ci-sae-panel section.ablation').scrollIntoViewIfNeeded();
      await page.locator(`ci-ablated-text .ptok[data-j="${OPEN - 1}"]`).hover();
    },
  },
  {
    name: 'dark-hover-strip',
    query: 'theme=dark',
    width: 1400,
    viewport: true,
    act: async (page) => {
      await page.locator('ci-feature-strip .tok[data-i="21"] .text').hover();
    },
  },
  { name: 'dark-bad-quality', query: 'theme=dark&bad&other', width: 1400, act: async () => {} },
  { name: 'hc-bad-quality', query: 'theme=hc&bad', width: 1400, act: async () => {} },
  { name: 'light-short', query: 'theme=light&n=5', width: 900, act: async () => {} },
  {
    name: 'dark-partial-scan',
    query: 'theme=dark&slowscan&nodensity',
    width: 1400,
    act: async (page) => {
      await pickFeature(page, 311);
      await scan(page);
      await page.locator('ci-feature-examples .stats', { hasText: '17 of 42' }).waitFor();
      await page.locator('ci-feature-examples vscode-button.cancel').click();
      await page.locator('ci-feature-examples .partial').waitFor();
    },
  },
  {
    name: 'dark-scanning',
    query: 'theme=dark&slowscan',
    width: 1400,
    act: async (page) => {
      await pickFeature(page, 902);
      await scan(page);
      await page.locator('ci-feature-examples .stats', { hasText: '17 of 42' }).waitFor();
    },
  },
  {
    name: 'dark-error-keeps-view',
    query: 'theme=dark',
    width: 1400,
    act: async (page) => {
      await pickFeature(page, 640);
      await page.evaluate(() =>
        window.__ciSaeHarness.send({
          method: 'runState',
          params: { state: 'error', message: "blocks.1.hook_resid_pre: the SAE's d_in is 768 but the model's d_model is 64", job: 'features' },
        }),
      );
    },
  },
  {
    name: 'light-compact',
    query: 'theme=light',
    width: 1400,
    act: async (page) => {
      await page.locator('ci-sae-panel button[data-mode="compact"]').click();
      await pickFeature(page, 640).catch(async () => {
        await clickToken(page, 8);
        await page.locator('ci-sae-panel table.features button.pick', { hasText: '#640' }).click();
        await page.locator('ci-feature-card .fid').waitFor();
      });
    },
  },
  { name: 'dark-running', query: 'theme=dark&running&noquality', width: 1400, act: async () => {} },
  { name: 'light-empty', query: 'theme=light&empty', width: 900, act: async () => {} },
  {
    name: 'export',
    query: 'theme=dark',
    width: 1400,
    noPage: true,
    act: async (page) => {
      await fullFlow(page);
      const shots = {
        strip: () => document.querySelector('ci-sae-panel').shadowRoot.querySelector('ci-feature-strip').toPng('Feature 311 · gpt2-python-mini'),
        ablated: () => document.querySelector('ci-sae-panel').shadowRoot.querySelector('ci-ablated-text').toPng(),
      };
      for (const [name, fn] of Object.entries(shots)) {
        const url = await page.evaluate(fn);
        await writeFile(join(OUT, `export-${name}.png`), Buffer.from(url.split(',')[1], 'base64'));
      }
    },
  },
);

// Messages from the real analysis on the shipped model and SAE (npx tsx test/webview/saeRealRecord.ts), when present.
const REAL = join(ROOT, '.tmp', 'sae-real.json');
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
              : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)]))
            : v;
      const r = typed(JSON.parse(text));
      const send = window.__ciSaeHarness.send;
      send({ method: 'runState', params: { state: 'done', message: `${r.features.tokens.length} tokens · the shipped model and SAE` } });
      send({ method: 'features', params: r.features });
      send({ method: 'featureCard', params: r.card });
      send({ method: 'tokenFeatures', params: r.tokenFeatures });
      send({ method: 'ablation', params: r.ablation });
    }, json);
  for (const [theme, width] of [
    ['dark', 1400],
    ['light', 600],
    ['hc', 1400],
  ]) {
    SCENARIOS.push({
      name: `real-${theme}-${width}`,
      query: `theme=${theme}&empty`,
      width,
      act: async (page) => {
        await sendReal(page);
        await page.locator('ci-ablated-text .ptok').first().waitFor();
      },
    });
  }
}

await mkdir(OUT, { recursive: true });
await buildSaeHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
let failed = 0;
try {
  for (const s of SCENARIOS) {
    if (only && !only.includes(s.name)) continue;
    const page = await browser.newPage({ viewport: { width: s.width, height: 900 }, deviceScaleFactor: s.width <= 600 ? 2 : 1 });
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/webview/saeHarness.html?${s.query}`);
    await waitForSae(page, s.query);
    await s.act(page);
    await page.waitForTimeout(250);
    const file = join(OUT, `${s.name}.png`);
    // A hover shows only in a viewport screenshot (a full-page one resizes the page and drops it).
    if (!s.noPage) await page.screenshot({ path: file, fullPage: !s.viewport });
    const violations = await page.evaluate(() => window.__ciSaeHarness.violations);
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
