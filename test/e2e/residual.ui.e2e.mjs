// UI test of Inspect Residual Stream in a real VS Code (code-server + Chromium): the palette command
// on a selection, the panel's three plots (logit lens, norm growth, DLA), a DLA head clicked and its
// per-source contributions painted over the source in the editor, the light and high-contrast
// themes; screenshots into $ART. Env: CS_URL, WS, ART.
import { join } from 'node:path';
import { startUi } from './uiSession.mjs';

const FILE = 'docstring_example.py';
const EXT_ID = 'circuit-inspector.circuit-inspector';
const ui = await startUi('residual-ui', 'http://127.0.0.1:8093');
const { page, lap, check, shot, ART, palette, theme } = ui;

/** The webview frame that has `selector` (and, when given, passes `also`), waiting up to two minutes. */
async function frameWith(selector, also) {
  for (let i = 0; i < 1200; i++) {
    for (const f of page.frames()) {
      if (
        (await f
          .locator(selector)
          .count()
          .catch(() => 0)) > 0 &&
        (!also || (await also(f).catch(() => 0)) > 0)
      )
        return f;
    }
    await page.waitForTimeout(100);
  }
  return undefined;
}

try {
  const editor = await ui.openFile(FILE);
  const decoCount = () => editor.locator('.view-overlays .cdr[class*="ced-"]').count();

  // Lines 5–6: `self.width = width` / `self.height = height`.
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await palette('Circuit Inspector: Inspect Residual Stream');

  const wv = page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXT_ID}"]`).frameLocator('iframe#active-frame');
  const panel = wv.locator('ci-residual-panel');
  await panel.locator('ci-logit-lens canvas').first().waitFor({ timeout: 120_000 });
  await panel.locator('ci-norm-growth canvas').first().waitFor({ timeout: 30_000 });
  await panel.locator('ci-dla ci-patch-heatmap canvas').first().waitFor({ timeout: 30_000 });
  lap('panel shows the three plots');
  await page.waitForTimeout(800);
  const painted = await panel.locator('canvas').evaluateAll((cs) =>
    cs
      .filter((c) => c.width > 0 && c.height > 0)
      .map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        return seen.size;
      }),
  );
  check(painted.length >= 3 && painted.every((n) => n > 3), `every plot canvas painted (${painted.join(', ')} colours)`);
  await shot('residual-01-panel-dark.png');

  // Click head 1.1 in the DLA heatmap: its per-source contributions appear in the strip and the editor.
  const heat = panel.locator('ci-dla ci-patch-heatmap canvas').first();
  await heat.scrollIntoViewIfNeeded();
  const pos = await heat.evaluate((c) => {
    const l = c.getRootNode().host.layout;
    return { x: l.left + 1.5 * l.cellW, y: l.top + 1.5 * l.cellH };
  });
  await heat.click({ position: pos });
  await panel.locator('ci-dla ci-source-strip').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(800);
  const n = await decoCount();
  check(n > 0, `the head's per-source DLA is painted over the source (${n} decorations)`);
  await shot('residual-02-head-dark.png');

  // The hover over an inspected token gains the logit lens line.
  await editor.locator('.view-line', { hasText: 'self.width = width' }).locator('span', { hasText: 'width' }).last().hover();
  const hover = page.locator('.monaco-hover', { hasText: 'Logit lens' });
  await hover.waitFor({ timeout: 15_000 });
  const hoverText = (await hover.textContent()) ?? '';
  check(/Logit lens: L0 .* → out .*open/.test(hoverText), `hover line: "${hoverText.replace(/\s+/g, ' ').slice(0, 120)}"`);
  await shot('residual-02c-hover-dark.png');
  await page.mouse.move(5, 500);
  await editor.screenshot({ path: join(ART, 'residual-02b-editor-dark.png') });

  // Over the document: the norms of the whole file, in windows.
  await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  await palette('Circuit Inspector: Inspect Residual Stream over the Document');
  await panel
    .getByText(/windows? of/)
    .first()
    .waitFor({ timeout: 120_000 });
  await page.waitForTimeout(800);
  await shot('residual-05-document-dark.png');

  // From the attention panel: inspect attention on lines 17–18, press its Residual Stream button.
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Control+Alt+KeyI');
  const att = await frameWith('ci-attention-panel ci-panel-header .run:has-text("Done")');
  check(att !== undefined, 'the attention panel shows its inspection');
  await shot('residual-06a-attention-header-dark.png');
  await att.locator('ci-panel-header vscode-button.residual').click();
  // The view showed the document's norms (no DLA): a DLA section means the new record arrived.
  const res = await frameWith('ci-residual-panel ci-dla');
  check(res !== undefined, 'the attention panel’s Residual Stream button opens the residual view on the same prompt');
  await page.waitForTimeout(800);
  await shot('residual-06-from-attention-dark.png');

  await theme('Light Modern', 'vs');
  await shot('residual-03-light.png');
  await theme('Dark High Contrast', 'hc-black');
  await shot('residual-04-hc.png');
} catch (e) {
  await ui.fail(e);
} finally {
  await ui.end();
}
