// Measures the head grid's first paint (performance.now() from receiving the `inspection` message
// to the end of the first grid paint, as the panel reports in data-first-paint-ms) in headless
// Chromium, for BENCHMARKS.md. Also times locking a head (request → zoom drawn) and one hover
// redraw of the zoomed pattern (pointer move → readout and canvas updated), unzoomed and at ×8.
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
    const hovers1 = [];
    const hovers8 = [];
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
      // Hover redraws: pointer moves over distinct cells, each awaited until the element updated.
      for (const [zoom, into] of [
        [1, hovers1],
        [8, hovers8],
      ]) {
        const ms = await page.evaluate(async (zoom) => {
          const z = document.querySelector('ci-attention-panel').shadowRoot.querySelector('ci-head-zoom');
          const scroller = z.shadowRoot.querySelector('.scroller');
          if (zoom > 1) {
            z.zoom = zoom;
            await z.updateComplete;
          }
          const r = scroller.getBoundingClientRect();
          const times = [];
          for (let i = 0; i < 40; i++) {
            const t0 = performance.now();
            scroller.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + 10 + i * 7, clientY: r.top + r.height - 20 - i * 3, bubbles: true }));
            await z.updateComplete;
            times.push(performance.now() - t0);
          }
          return times.sort((a, b) => a - b)[times.length >> 1];
        }, zoom);
        into.push(ms);
      }
      await page.close();
    }
    const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `${n} tokens: grid first paint median ${median(paints).toFixed(1)} ms [${fmt(paints)}]; lock → zoom drawn median ${median(locks).toFixed(1)} ms [${fmt(locks)}]; ` +
        `zoom hover redraw median ${median(hovers1).toFixed(1)} ms unzoomed, ${median(hovers8).toFixed(1)} ms at ×8`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
