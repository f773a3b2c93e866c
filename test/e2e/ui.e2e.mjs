// UI tests in a real VS Code (code-server) driven by Chromium through playwright-core.
// Env: CS_URL, WS (workspace folder), ART (screenshots dir), MODEL_DIR (for the expected tokens,
// "" = shipped model), ROOT (the repository).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startUi } from './uiSession.mjs';

const ROOT = process.env.ROOT ?? process.cwd();
const MODEL_DIR = process.env.MODEL_DIR ?? '';
const FILE = 'docstring_example.py';
const EXT_ID = 'circuit-inspector.circuit-inspector';

/** The webview's own rendering of token text (webview/lib/tokenText.ts visibleText). */
function visibleText(text) {
  const glyphs = { ' ': '·', '\t': '→', '\n': '⏎', '\r': '␍' };
  let out = '';
  for (const ch of text) {
    if (glyphs[ch] !== undefined) out += glyphs[ch];
    else {
      const c = ch.codePointAt(0);
      out += c < 0x20 ? String.fromCodePoint(0x2400 + c) : c === 0x7f ? '␡' : ch;
    }
  }
  return out;
}

/** Tokens as the CLI (same tokenizer, same model folder) produces them. */
function expectedTokens(text) {
  const args = [join(ROOT, 'dist/cli.js'), 'inspect', '--text', text, ...(MODEL_DIR ? ['--model', MODEL_DIR] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT })).tokens;
}

const ui = await startUi('ui', 'http://127.0.0.1:8091');
const { page, lap, check, shot, ART, palette } = ui;

let editor;
// Decoration types made through the extension API render as overlay divs with a `ced-*` class.
const decoCount = () => editor.locator('.view-overlays .cdr[class*="ced-"]').count();

try {
  editor = await ui.openFile(FILE);

  // --- 1. select `self.width = width` (line 5), run from the palette ------------------------
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home'); // to the first non-blank character
  const selected = 'self.width = width';
  await palette('Circuit Inspector: Inspect Attention');
  lap('command run');

  const wv = page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXT_ID}"]`).frameLocator('iframe#active-frame');
  const grid = wv.locator('ci-head-grid canvas');
  await grid.waitFor({ timeout: 120_000 });
  lap('panel shows the head grid');
  const facts = (await wv.locator('ci-panel-header .facts').textContent()) ?? '';
  const m = /(\d+) tokens · (\d+) layers × (\d+) heads/.exec(facts);
  check(m !== null, `header facts "${facts.trim()}"`);
  const [nTok, nLayers, nHeads] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  check((await wv.locator('ci-head-grid .rows span').count()) === nLayers, `${nLayers} layer labels`);
  check((await wv.locator('ci-head-grid .cols span').count()) === nHeads, `${nHeads} head labels`);
  const label = (await grid.getAttribute('aria-label')) ?? '';
  check(label.includes(`${nLayers} layers × ${nHeads} heads`), `grid is ${nLayers} × ${nHeads} thumbnails: "${label.slice(0, 60)}…"`);
  const colours = await grid.evaluate((c) => {
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return { w: c.width, h: c.height, distinct: seen.size };
  });
  check(colours.w > 0 && colours.h > 0 && colours.distinct > 3, `grid canvas ${colours.w}×${colours.h} has ${colours.distinct} colours (painted)`);

  const expected = expectedTokens(selected);
  const strip = wv.locator('ci-token-strip span[data-i]');
  const shown = await strip.allTextContents();
  const titles = await strip.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  check(shown.length === expected.length && nTok === expected.length, `${shown.length} tokens in the strip, ${expected.length} from the tokenizer`);
  check(
    shown.every((s, i) => s === visibleText(expected[i]?.text ?? '')),
    `strip text matches the tokenizer: ${JSON.stringify(shown)} vs ${JSON.stringify(expected.map((t) => visibleText(t.text)))}`,
  );
  check(
    titles.every((t, i) => t.includes(`id ${expected[i]?.id}`)),
    'strip token ids match the tokenizer',
  );
  const watched = await wv.locator('ci-token-strip span.watched').count();
  check(
    watched === expected.filter((t) => !t.isBos && /^ ?self$/.test(t.text)).length && watched > 0,
    `watch token "self" highlighted in the strip (${watched})`,
  );
  await shot('01-inspect.png');

  // --- 2. lock a head, focus a token: decorations in the editor -----------------------------
  const before = await decoCount();
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter'); // lock head 0.1
  await strip.nth(shown.length - 1).click(); // focus the last token: colours its keys
  await page.waitForTimeout(800);
  const after = await decoCount();
  check(after > before, `attention decorations painted in the editor (${before} → ${after} overlay ranges)`);
  await shot('02-focus-decorations.png');
  await editor.screenshot({ path: join(ART, '02b-editor-decorations.png') });

  // --- 3. hover over a token in the editor ----------------------------------------------------
  // the middle of the last `width` on the selected line, found through the rendered text nodes
  const box = await editor
    .locator('.view-line', { hasText: 'self.width' })
    .first()
    .evaluate((line) => {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let hit;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = (n.textContent ?? '').lastIndexOf('width');
        if (i >= 0) hit = [n, i];
      }
      const r = document.createRange();
      r.setStart(hit[0], hit[1] + 1);
      r.setEnd(hit[0], hit[1] + 4);
      const b = r.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    });
  const hover = page.locator('.monaco-hover:visible', { hasText: 'Circuit Inspector' });
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    try {
      await hover.first().waitFor({ timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
  const hoverText = (await hover.first().textContent()) ?? '';
  check(/token \d+ · id \d+/.test(hoverText), 'hover names the token and its id');
  check(/(From|To) it:/.test(hoverText), 'hover lists the most active heads');
  check(/L0/.test(hoverText), 'hover has the layer × head mini-map');
  await shot('03-hover.png');
  await hover.first().screenshot({ path: join(ART, '03b-hover-widget.png') });
  // the head link in the hover focuses this token (and locks that head) in the panel
  const hoveredIndex = Number(/token (\d+)/.exec(hoverText)?.[1] ?? -1);
  const headLink = hover
    .first()
    .locator('a', { hasText: /^\d+\.\d+$/ })
    .first();
  const headName = (await headLink.textContent()) ?? '';
  await headLink.click();
  await wv
    .locator(`ci-token-strip span[data-i="${hoveredIndex}"].locked`)
    .waitFor({ timeout: 10_000 })
    .then(
      () => check(true, `hover link focused token ${hoveredIndex} in the panel`),
      () => check(false, `hover link focused token ${hoveredIndex} in the panel`),
    );
  const [hl, hh] = headName.split('.');
  await wv
    .locator('ci-head-zoom')
    .getByText(`L${hl} H${hh}`)
    .first()
    .waitFor({ timeout: 10_000 })
    .then(
      () => check(true, `hover link locked head ${headName} in the panel`),
      () => check(false, `hover link locked head ${headName} in the panel`),
    );
  await shot('03c-hover-link-focus.png');
  await page.keyboard.press('Escape'); // closes the hover if still open

  // --- 4. Escape clears the decorations -------------------------------------------------------
  await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.waitForTimeout(500);
  check((await decoCount()) <= before, 'Escape cleared the decorations');

  // --- 5. the docstring with `self` and `:param`, via the keybinding ---------------------------
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Control+Alt+KeyI');
  const dialog = page.locator('.monaco-dialog-box');
  const truncateButton = dialog.locator('.monaco-button', { hasText: 'Truncate to the first' });
  const outcome = await Promise.race([
    truncateButton.waitFor({ timeout: 60_000 }).then(() => 'dialog'),
    wv
      .locator('ci-panel-header .facts', { hasNotText: `${nTok} tokens` })
      .waitFor({ timeout: 60_000 })
      .then(() => 'shown'),
  ]);
  if (outcome === 'dialog') {
    await shot('04-truncate-dialog.png');
    await truncateButton.click();
    await wv.locator('ci-panel-header', { hasText: 'Truncated' }).waitFor({ timeout: 60_000 });
    check(true, 'long selection: truncation offered, and the panel says it was truncated');
  } else {
    check(true, 'docstring fits the model context: inspected without truncation');
    const w = await wv.locator('ci-token-strip span.watched').allTextContents();
    check(w.some((t) => t.includes('self')) && w.some((t) => t.includes('param')), `watch tokens self and param highlighted: ${JSON.stringify(w)}`);
  }
  await page.waitForTimeout(500);
  await shot('05-docstring.png');

  // --- 6. stale after an edit -----------------------------------------------------------------
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# edited\n');
  await wv.locator('ci-panel-header', { hasText: 'Stale' }).waitFor({ timeout: 15_000 });
  check(true, 'editing the document marks the panel stale');
  await shot('06-stale.png');
  await palette('File: Revert File');
  await page.waitForTimeout(500);

  // --- 6b. Select Model: the QuickPick (shipped, downloaded, hub, browse) -------------------
  await palette('Circuit Inspector: Select Model');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'openai-community/gpt2' }).first().waitFor({ timeout: 10_000 });
  const labels = await rows.allTextContents();
  check(
    labels.some((l) => l.includes('gpt2-python-mini')) && labels.some((l) => l.includes('Browse folder')),
    'Select Model lists the shipped model, hub models and Browse folder…',
  );
  await shot('06b-select-model.png');
  await page.keyboard.press('Escape');

  // --- 7. light theme -------------------------------------------------------------------------
  await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T'); // the colour theme picker
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor();
  await page.keyboard.type('Light Modern');
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Light Modern' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-workbench.vs').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(1000);
  await shot('07-light-theme.png');
  // re-inspect line 5 and focus a token: decorations in the light theme
  await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Control+Alt+KeyI');
  await wv.locator('ci-panel-header .facts', { hasText: `${nTok} tokens` }).waitFor({ timeout: 60_000 });
  await wv
    .locator('ci-panel-header .banner')
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  await grid.focus();
  await page.keyboard.press('Enter');
  await strip.nth(shown.length - 1).click();
  await page.waitForTimeout(800);
  check((await decoCount()) > 0, 'decorations painted again after re-inspecting (light theme)');
  await shot('08-light-decorations.png');
  await editor.screenshot({ path: join(ART, '08b-editor-light-decorations.png') });
} catch (e) {
  await ui.fail(e);
} finally {
  await ui.end();
}
