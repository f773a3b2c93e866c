// UI test of Compare Token Substitution in a real VS Code (code-server + Chromium): the palette
// command, its three QuickPicks (token at the cursor, typed replacement, default metric), then the
// panel: both heatmaps painted, exact after the sweeps, a head's clean/corrupt patterns on click,
// screenshots into $ART. Env: CS_URL, WS, ART.
import { startUi } from './uiSession.mjs';

const FILE = 'docstring_example.py';
const EXT_ID = 'circuit-inspector.circuit-inspector';
const ui = await startUi('patching-ui', 'http://127.0.0.1:8093');
const { page, lap, check, shot } = ui;
const quickInput = page.locator('.quick-input-widget');
const qiInput = quickInput.locator('input');
const qiTitle = () => quickInput.locator('.quick-input-title').textContent();

/**
 * Runs the command with the cursor `before.length` characters into line `line` (1-based, after its
 * indentation), takes the token at the cursor, waits for the ranked suggestions, shoots the
 * QuickPick (whole window and the widget alone) and returns every suggestion row's text (the list
 * is virtual: it is paged through). Escape closes it, running nothing.
 */
async function suggestionsAt(line, before, name) {
  await page.keyboard.press('Escape');
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Home'); // first non-blank
  for (let i = 0; i < before.length; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('F1');
  await qiInput.waitFor();
  await qiInput.fill('>Circuit Inspector: Compare Token Substitution');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Compare Token Substitution' }).first().waitFor();
  await page.keyboard.press('Enter');
  await waitTitle(/token to replace/);
  await page.keyboard.press('Enter');
  const title = await waitTitle(/replace ‘/);
  await page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')];
      return rows.length > 1 && rows.every((r) => /differs by/.test(r.textContent ?? ''));
    },
    null,
    { timeout: 60_000 },
  );
  await shot(`${name}.png`);
  await quickInput.screenshot({ path: `${ui.ART}/${name}-widget.png` });
  const rows = new Map();
  for (let i = 0; i < 8; i++) {
    for (const r of await quickInput.locator('.quick-input-list .monaco-list-row').all()) {
      rows.set(Number(await r.getAttribute('data-index')), ((await r.textContent()) ?? '').trim());
    }
    await page.keyboard.press('PageDown');
  }
  await page.keyboard.press('Escape');
  return { title: title.trim(), rows: [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t) };
}

/** The suggestion labels (‘word’) from suggestion rows. */
const words = (rows) => rows.map((r) => /‘([^’]*)’/.exec(r)?.[1] ?? r.slice(0, 12));

async function waitTitle(re, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const t = (await qiTitle().catch(() => '')) ?? '';
    if (re.test(t)) return t;
    if (Date.now() > end) throw new Error(`no QuickPick titled ${re} (last: "${t}")`);
    await page.waitForTimeout(100);
  }
}

try {
  await ui.openFile(FILE);
  lap('editor open');

  // Cursor inside `self` of `    def scale(self, factor):` (line 8): no selection, so the prompt is that line.
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Home'); // first non-blank: `def`
  for (let i = 0; i < 'def scale(se'.length; i++) await page.keyboard.press('ArrowRight');

  await page.keyboard.press('F1');
  await qiInput.waitFor();
  await qiInput.fill('>Circuit Inspector: Compare Token Substitution');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Compare Token Substitution' }).first().waitFor();
  await page.keyboard.press('Enter');

  const t1 = await waitTitle(/token to replace/);
  const first = (await quickInput.locator('.quick-input-list .monaco-list-row').first().textContent()) ?? '';
  check(/self/.test(first) && /at the cursor/.test(first), `1/3 ${t1.trim()}: first item is the token at the cursor ("${first.trim().slice(0, 50)}")`);
  await shot('patching-01-token.png');
  await page.keyboard.press('Enter');

  await waitTitle(/replace ‘self’ with/);
  // Wait for the ranked suggestions (the list grows when they arrive), then type our own.
  await page
    .waitForFunction(() => document.querySelectorAll('.quick-input-list .monaco-list-row').length > 1, null, { timeout: 60_000 })
    .catch(() => undefined);
  // Rows of suggestions (a group's separator may have a row of its own).
  const suggestions = (await quickInput.locator('.quick-input-list .monaco-list-row').allTextContents()).filter((s) => /‘/.test(s));
  check(
    suggestions.length > 0,
    `2/3 suggestions offered (${suggestions.length}): ${suggestions
      .slice(0, 3)
      .map((s) => s.trim().slice(0, 40))
      .join(' | ')}`,
  );
  check(
    suggestions.length > 0 && suggestions.every((s) => /differs by \d\.\d{3} on average/.test(s)),
    `2/3 each suggestion says its distance with the unit ("${(suggestions[0] ?? '').trim().slice(0, 80)}")`,
  );
  const fragments = suggestions.filter((s) => /^\s*‘(ct|ed|A|ername|·n|·p|·b)’/.test(s));
  check(fragments.length === 0, `2/3 no word pieces among the suggestions (${fragments.map((s) => s.trim().slice(0, 12)).join(', ')})`);
  await shot('patching-02-suggestions.png');
  await qiInput.fill('x');
  // Enter takes the typed text, even where a suggestion (‘X’) also matches what was typed.
  const typed = quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'your text' }).first();
  await typed.waitFor();
  const firstRow = (await quickInput.locator('.quick-input-list .monaco-list-row').first().textContent()) ?? '';
  check(/your text/.test(firstRow), `2/3 the typed text is the first row: "${firstRow.trim().slice(0, 40)}"`);
  await shot('patching-02b-typed.png');
  await page.keyboard.press('Enter');

  const t3 = await waitTitle(/metric/);
  const metricItem = (await quickInput.locator('.quick-input-list .monaco-list-row').first().textContent()) ?? '';
  check(/Logit difference/.test(metricItem), `3/3 ${t3.trim()}: default "${metricItem.trim().slice(0, 60)}"`);
  await shot('patching-03-metric.png');
  await page.keyboard.press('Enter');

  const wv = page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXT_ID}"]`).frameLocator('iframe#active-frame');
  const maps = wv.locator('ci-patch-heatmap canvas');
  await maps.nth(1).waitFor({ timeout: 120_000 });
  lap('panel shows both heatmaps');
  await wv.locator('ci-substitution-panel header .run', { hasText: 'Exact' }).waitFor({ timeout: 120_000 });
  lap('all tables exact');
  check((await maps.count()) === 2, 'two heatmaps: denoising and noising');
  const labels = await maps.evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
  check(
    /Denoising/.test(labels[0]) && /exact/.test(labels[0]) && /Noising/.test(labels[1]) && /exact/.test(labels[1]),
    `labelled and exact: ${labels.map((l) => l.slice(0, 50)).join(' | ')}`,
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
  const diffTok = await wv.locator('ci-substitution-panel .tok.diff').allTextContents();
  check(diffTok.join(' ') === 'self x', `token diff marks the substituted token: ${JSON.stringify(diffTok)}`);
  await shot('patching-04-panel.png');

  // Click a head (layer 1, head 1) in the denoising z heatmap: both runs' patterns appear.
  const canvas = maps.first();
  const pos = await canvas.evaluate((c) => {
    const l = c.getRootNode().host.layout;
    return { x: l.left + 1.5 * l.cellW, y: l.top + 1.5 * l.cellH };
  });
  await canvas.click({ position: pos });
  await wv.locator('ci-patch-head-detail canvas').waitFor({ timeout: 60_000 });
  const headTitle = (await wv.locator('ci-substitution-panel section.head h2').textContent()) ?? '';
  check(/Head 1\.1/.test(headTitle), `head detail: "${headTitle.trim().slice(0, 40)}"`);
  const d = await wv.locator('ci-patch-head-detail').evaluate((el) => {
    const c = el.shadowRoot.querySelector('canvas');
    return { w: c.getBoundingClientRect().width, h: c.height, host: el.clientWidth, perRow: el.geo.perRow, keys: el.drawnLabels.key.length };
  });
  check(
    d.h > 0 && d.w <= d.host + 1 && d.keys >= 3,
    `clean, corrupt and difference plots drawn, ${d.perRow} a row in ${d.host} px (${Math.round(d.w)} px wide), ${d.keys} key labels`,
  );
  await wv.locator('ci-patch-head-detail').scrollIntoViewIfNeeded();
  await shot('patching-05-head.png');

  // The suggestions for an identifier, `param` in `:param self: the rectangle to scale` (line 11)...
  const param = await suggestionsAt(11, ':par', 'patching-06-suggestions-param');
  lap(`${param.title}: ${words(param.rows).join(', ')}`);
  check(param.rows.length > 0 && /replace ‘param’/.test(param.title), `suggestions for param (${param.rows.length})`);
  // ...and for an English word, ` low` in a line of prose typed on the empty last line (20) of the file (not saved).
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('# When the battery is low, the phone saves power.');
  await page.keyboard.press('Escape');
  const low = await suggestionsAt(20, '# When the battery is lo', 'patching-07-suggestions-low');
  lap(`${low.title}: ${words(low.rows).join(', ')}`);
  check(low.rows.length > 0 && /replace ‘·low’/.test(low.title), `suggestions for ·low (${low.rows.length})`);
} catch (e) {
  await ui.fail(e);
} finally {
  await ui.end();
}
