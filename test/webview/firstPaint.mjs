// Measures the head grid's first paint (performance.now() from receiving the `inspection` message
// to the end of the first grid paint, as the panel reports in data-first-paint-ms) in headless
// Chromium, for BENCHMARKS.md. Also times locking a head at 1024 tokens (request → zoom drawn).
//
//   node test/webview/firstPaint.mjs [--runs=5] [--tokens=256,1024]
import { chromium } from 'playwright-core';
import { CHROMIUM_OPTIONS, buildHarness, openHarness, serve } from './harnessServer.mjs';

const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const runs = Number(arg('runs', '5'));
const sizes = arg('tokens', '256,1024').split(',').map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await buildHarness();
const server = await serve();
const browser = await chromium.launch(CHROMIUM_OPTIONS);
try {
  console.log(`chromium ${browser.version()} (headless, --disable-gpu), 12 layers × 12 heads, ${runs} runs each`);
  for (const n of sizes) {
    const paints = [];
    const locks = [];
    for (let r = 0; r < runs; r++) {
      const { page } = await openHarness(browser, server.url, `tokens=${n}`);
      paints.push(Number(await page.locator('ci-attention-panel').getAttribute('data-first-paint-ms')));
      // Lock a head and time until its full pattern is drawn in the zoom.
      const t = await page.evaluate(async () => {
        const grid = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-grid');
        const canvas = grid.shadowRoot.querySelector('canvas');
        const box = canvas.getBoundingClientRect();
        const t0 = performance.now();
        const cell = Number(grid.dataset.cell);
        const mid = 5 * (cell + Number(grid.dataset.gap)) + cell / 2; // head 5.5
        canvas.dispatchEvent(new MouseEvent('click', { clientX: box.left + mid, clientY: box.top + mid, bubbles: true }));
        const zoom = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom');
        while (!zoom.shadowRoot.querySelector('canvas')) await new Promise((ok) => setTimeout(ok, 1));
        await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)));
        return performance.now() - t0;
      });
      locks.push(t);
      await page.close();
    }
    const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `${n} tokens: grid first paint median ${median(paints).toFixed(1)} ms [${fmt(paints)}]; lock → zoom drawn median ${median(locks).toFixed(1)} ms [${fmt(locks)}]`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
