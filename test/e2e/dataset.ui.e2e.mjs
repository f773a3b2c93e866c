// UI test of dataset mode in a real VS Code (code-server + Chromium), with the shipped model: the
// sample's `scale` method and its docstring up to `:param` selected, Generate Prompt Set from the
// palette through its five steps (the suggested slot plus `self`, the docstring corruption, N = 16, seed, the
// answer `factor`, the default wrong answer), the written *.prompts.jsonl opened, Run Prompt Set on
// it, then the panel: the set's header, both mean heatmaps painted and exact, a cell's hover with
// its standard error and per-pair strip, a head's distribution over the pairs, a pair opened as a
// single comparison, light and high-contrast themes; screenshots into $ART. Env: CS_URL, WS, ART.
import { startUi } from './uiSession.mjs';

const FILE = 'docstring_example.py';
const N = 16;
const ui = await startUi('dataset-ui', 'http://127.0.0.1:8095');
const { page, lap, check, shot, palette, theme } = ui;
const quickInput = page.locator('.quick-input-widget');
const qiInput = quickInput.locator('input');

async function waitTitle(re, timeout = 90_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const t =
      (await quickInput
        .locator('.quick-input-title')
        .textContent()
        .catch(() => '')) ?? '';
    if (re.test(t) && (await quickInput.isVisible())) return t.trim();
    if (Date.now() > end) throw new Error(`no QuickPick titled ${re} (last: "${t}")`);
    await page.waitForTimeout(100);
  }
}

/** The webview frame whose document holds `selector` (the dataset and substitution panels are both webviews). */
async function frameWith(selector, timeout = 120_000) {
  const end = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      if (
        await f
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return f;
    }
    if (Date.now() > end) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(250);
  }
}

try {
  await ui.openFile(FILE);
  await theme('Dark Modern', 'vs-dark'); // an earlier UI test may have left another theme
  lap('editor open');

  // The template: `def scale(self, factor):` (line 8) through `:param` of line 12, where ` factor` comes next.
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Home'); // first non-blank: `def`
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Shift+Home'); // line 12's first non-blank
  for (let i = 0; i < ':param'.length; i++) await page.keyboard.press('Shift+ArrowRight');
  await palette('Circuit Inspector: Generate Prompt Set');

  const t1 = await waitTitle(/slots/);
  const slotRows = (await quickInput.locator('.quick-input-list .monaco-list-row').allTextContents()).map((s) => s.trim());
  check(
    slotRows.some((r) => /^factor/.test(r)),
    `${t1}: the signature's arguments are suggested (${slotRows.map((r) => r.slice(0, 30)).join(' | ')})`,
  );
  await shot('dataset-01-slots.png');
  // Keep the suggestions and add `self` (the docstring task names both arguments) through "Other words…".
  if (!slotRows.some((r) => /^self/.test(r))) {
    await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'Other words' }).first().click();
    await page.keyboard.press('Enter');
    await waitTitle(/other slots/);
    await qiInput.fill('self');
  }
  await page.keyboard.press('Enter');

  const t2 = await waitTitle(/corruption/);
  await qiInput.fill('The docstring');
  await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'The docstring' }).first().waitFor();
  lap(t2);
  await page.keyboard.press('Enter');

  await waitTitle(/How many pairs/);
  await qiInput.fill(String(N));
  await page.keyboard.press('Enter');
  await waitTitle(/Seed/);
  await page.keyboard.press('Enter'); // the default seed

  const t4 = await waitTitle(/the answer/);
  await qiInput.fill('factor');
  await quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'factor' }).first().waitFor();
  lap(t4);
  await page.keyboard.press('Enter');
  await waitTitle(/wrong answer/);
  await page.keyboard.press('Enter'); // Default: the answer slot's corrupt word

  // The set is written beside the sample and opened.
  const tab = page.locator('.tab.active', { hasText: '.prompts.jsonl' });
  const failed = page.locator('.notifications-toasts .notification-toast', { hasText: /failed/i });
  await Promise.race([
    tab.first().waitFor({ timeout: 180_000 }),
    failed
      .first()
      .waitFor({ timeout: 180_000 })
      .then(async () => {
        throw new Error(`Generate Prompt Set: ${(await failed.first().textContent())?.trim()}`);
      }),
  ]);
  const tabName = ((await tab.first().textContent()) ?? '').trim();
  lap(`set written and opened: ${tabName}`);
  const lines = await page.locator('.editor-instance .monaco-editor .view-line').count();
  check(lines >= Math.min(N, 10), `the set's editor shows its lines (${lines} rendered)`);
  await shot('dataset-02-set.png');

  await palette('Circuit Inspector: Run Prompt Set');
  const wv = await frameWith('ci-dataset-panel');
  const panel = wv.locator('ci-dataset-panel');
  const maps = panel.locator('ci-patch-heatmap canvas');
  await maps.nth(1).waitFor({ timeout: 180_000 });
  lap('panel shows both mean heatmaps');
  await panel.locator('header .run.done').waitFor({ timeout: 300_000 });
  lap('all tables exact');

  const header = (await panel.locator('header').innerText()).replace(/\s+/g, ' ');
  check(new RegExp(`${N} pairs`).test(header) && /\.prompts\.jsonl/.test(header), `header: "${header.slice(0, 120)}"`);
  const metric = (await panel.locator('.metric').innerText()).replace(/\s+/g, ' ');
  check(
    /mean clean -?[\d.]+ · mean corrupt -?[\d.]+/.test(metric) && /clean beats corrupt in \d+ of \d+ pairs/.test(metric),
    `metric: "${metric.slice(-110)}"`,
  );
  const beats = /in (\d+) of (\d+) pairs/.exec(metric);
  if (beats && Number(beats[1]) / Number(beats[2]) < 0.5) {
    const banner = (
      await panel
        .locator('.banner.reversed')
        .innerText()
        .catch(() => '')
    ).replace(/\s+/g, ' ');
    check(/Clean beats corrupt in only/.test(banner), `corrupt beats clean on most pairs, and the panel says so: "${banner.slice(0, 90)}"`);
  }
  check((await maps.count()) === 2, 'two mean heatmaps: denoising and noising');
  const labels = await maps.evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
  check(
    labels.length === 2 && labels.every((l) => new RegExp(`mean over \\d+ pairs exact`).test(l)) && /^Denoising/.test(labels[0]) && /^Noising/.test(labels[1]),
    `labelled, mean over the pairs, exact: ${labels.map((l) => l.slice(0, 60)).join(' | ')}`,
  );
  const painted = await maps.evaluateAll((cs) =>
    cs.map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 5) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      return seen.size;
    }),
  );
  check(
    painted.every((n) => n > 5),
    `both heatmaps painted (${painted.join(', ')} colours)`,
  );
  const resolution = (await panel.locator('.resolution').innerText()).replace(/\s+/g, ' ');
  check(/Standard error per cell over \d+ pairs/.test(resolution), `standard errors stated: "${resolution.slice(0, 100)}"`);
  await shot('dataset-03-panel.png');

  // Hover a cell (layer 1, head 1 of the z sweep): mean ± SE, n and one tick per pair.
  const canvas = maps.first();
  const cell = await canvas.evaluate((c) => {
    const l = c.getRootNode().host.layout;
    return { x: l.left + 1.5 * l.cellW, y: l.top + 1.5 * l.cellH };
  });
  await canvas.hover({ position: cell });
  const tip = panel.locator('ci-patch-heatmap[data-direction="denoise"] .tooltip');
  await tip.locator('ci-pair-strip').waitFor({ timeout: 15_000 });
  const tipText = await tip.innerText();
  const ticks = await tip.locator('ci-pair-strip svg line.tick').count();
  const n = Number(/n = (\d+) pairs/.exec(tipText)?.[1] ?? NaN);
  check(
    /head 1\.1/.test(tipText) && /± [\d.]+ \(SE\)/.test(tipText) && ticks === n && n > 1,
    `hover: "${tipText.split('\n').slice(0, 2).join(' / ')}", ${ticks} ticks`,
  );
  await shot('dataset-04-hover.png');

  // Click it: the head's distribution over the pairs.
  await canvas.click({ position: cell });
  const dist = panel.locator('ci-pair-distribution');
  await dist.locator('canvas').waitFor({ timeout: 15_000 });
  const rows = await dist.evaluate((el) => ({ n: el.values.length, layout: el.layout, order: el.order }));
  check(rows.n === n, `distribution over the pairs: ${rows.n} rows`);
  await dist.scrollIntoViewIfNeeded();
  await shot('dataset-05-distribution.png');

  // Click the top pair: it opens as a single comparison (Compare Token Substitution with its prompts).
  await dist.locator('canvas').click({ position: { x: rows.layout.left + rows.layout.plotW / 2, y: rows.layout.top + rows.layout.rowH / 2 } });
  const opened = await frameWith('ci-substitution-panel', 120_000).catch(() => undefined);
  let maps2 = 0;
  if (opened) {
    await opened
      .locator('ci-substitution-panel ci-patch-heatmap canvas')
      .nth(1)
      .waitFor({ timeout: 120_000 })
      .catch(() => undefined);
    maps2 = await opened.locator('ci-substitution-panel ci-patch-heatmap canvas').count();
  }
  check(maps2 === 2, `pair ${rows.order[0] + 1} opened as a single comparison (${maps2} heatmaps)`);
  await shot('dataset-06-pair-opened.png');

  // Back to the set's panel in the other themes (the keys go to the workbench: focus the set's editor first).
  await page.locator('.tab', { hasText: 'Prompt Set' }).first().click();
  await page.locator('.tab', { hasText: '.prompts.jsonl' }).first().click();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await panel.locator('header').scrollIntoViewIfNeeded();
  await theme('Light Modern', 'vs');
  await shot('dataset-07-light.png');
  await theme('Dark High Contrast', 'hc-black');
  await shot('dataset-08-hc.png');
  await theme('Dark Modern', 'vs-dark');
} catch (e) {
  await ui.fail(e);
} finally {
  await ui.end();
}
