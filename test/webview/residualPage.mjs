// Driving the Inspect Residual Stream harness page, for its component tests and its screenshots.
import { clickHeatmapCell } from './harnessServer.mjs';

/** Waits until the plot the harness query draws first has painted (nothing for `empty`). */
export async function waitForResidualPlots(page, query) {
  if (query.includes('empty')) return;
  await page
    .locator(query.includes('doc') ? 'ci-norm-growth canvas' : query.includes('partial') ? 'ci-dla ci-patch-heatmap canvas' : 'ci-logit-lens canvas')
    .first()
    .waitFor();
}

/** Canvas-relative centre of lens cell (row, col), with the plot scrolled into view. */
export async function lensCell(page, row, col) {
  const canvas = page.locator('ci-logit-lens canvas');
  await canvas.scrollIntoViewIfNeeded();
  return canvas.evaluate(
    (c, [r, k]) => {
      const g = c.getRootNode().host.geometry;
      const s = c.getRootNode().querySelector('.scroller');
      return { x: g.left + (k + 0.5) * g.cellW - s.scrollLeft, y: g.top + (r + 0.5) * g.cellH };
    },
    [row, col],
  );
}

/** Clicks head (layer, head) in the DLA heatmap. */
export async function clickHead(page, layer, head) {
  await clickHeatmapCell(page.locator('ci-dla ci-patch-heatmap canvas'), layer, head);
}
