// Builds the harness bundles into .tmp/webview-harness and serves the repository on 127.0.0.1.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const OUT = join(ROOT, '.tmp', 'webview-harness');

/** The Inspect Attention webview and its harness script. */
const ATTENTION_ENTRIES = { attention: 'webview/attention/main.ts', harness: 'test/webview/harness.ts' };

/**
 * Bundles a webview and its harness script (bundle name → path from the repository root) with the
 * same options as tools/build.mjs uses for webviews.
 */
export async function buildHarness(entries = ATTENTION_ENTRIES) {
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(ROOT, path)])),
    outdir: OUT,
    bundle: true,
    sourcemap: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.png': 'image/png' };

/** Serves ROOT read-only on 127.0.0.1 (an ephemeral port); resolves to { url, close }. */
export function serve() {
  const server = createServer(async (req, res) => {
    try {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = join(ROOT, path);
      if (!file.startsWith(ROOT + '/')) throw new Error('outside the repository');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      ok({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

export const CHROMIUM_OPTIONS = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** The page's uncaught errors and console errors, collected from now on. */
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/** After a screenshot: logs what the harness page (`window[harness]`) posted, its CSP violations and errors; true when it had none. */
export async function reportShot(page, harness, file, errors) {
  const violations = await page.evaluate((g) => window[g].violations, harness);
  const posted = await page.evaluate((g) => window[g].posted.map((m) => m.method), harness);
  console.log(`${file}  posted=${posted.join(',')}  violations=${violations.length}  errors=${errors.length}`);
  for (const e of [...errors, ...violations]) console.log(`  ! ${e}`);
  return !errors.length && !violations.length;
}

/** A new page at `url` that collects the page's uncaught errors and console errors in `errors`. */
export async function openPage(browser, url, viewport) {
  const page = await browser.newPage({ viewport });
  const errors = collectErrors(page);
  await page.goto(url);
  return { page, errors };
}

/** Opens the harness and waits until the grid has painted (data-first-paint-ms is set). */
export async function openHarness(browser, baseUrl, query = '', viewport = { width: 1400, height: 1000 }) {
  const { page, errors } = await openPage(browser, `${baseUrl}/test/webview/harness.html${query ? `?${query}` : ''}`, viewport);
  if (!query.includes('noinspect')) {
    await page.waitForSelector('ci-attention-panel[data-first-paint-ms]', { timeout: 30000 });
  }
  return { page, errors };
}

/** Canvas-relative centre of cell (row, col) of a ci-patch-heatmap, from its canvas locator (the host's `layout`). */
export function heatmapCellCentre(canvas, row, col) {
  return canvas.evaluate(
    (c, [r, k]) => {
      const l = c.getRootNode().host.layout;
      return { x: l.left + (k + 0.5) * l.cellW, y: l.top + (r + 0.5) * l.cellH };
    },
    [row, col],
  );
}

/** Clicks cell (row, col) of a ci-patch-heatmap, from its canvas locator; resolves to the point clicked. */
export async function clickHeatmapCell(canvas, row, col) {
  const pos = await heatmapCellCentre(canvas, row, col);
  await canvas.click({ position: pos });
  return pos;
}
