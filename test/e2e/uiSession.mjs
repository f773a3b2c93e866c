// What both UI tests in a real VS Code (code-server + Chromium via playwright-core) start with: the
// browser and page, timed log lines, checks that count failures, screenshots into $ART, opening a
// workspace file, and the end (close, summary, exit code). Env: CS_URL, WS, ART.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export async function startUi(tag, defaultUrl) {
  const BASE = process.env.CS_URL ?? defaultUrl;
  const WS = process.env.WS;
  const ART = process.env.ART ?? '.tmp/screenshots';
  mkdirSync(ART, { recursive: true });
  const t0 = Date.now();
  const lap = (m) => console.log(`[${tag} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
  let failures = 0;
  const check = (ok, what) => {
    console.log(`  ${ok ? '✔' : '✘'} ${what}`);
    if (!ok) failures++;
  };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(BASE)) console.log('external request failed:', r.url());
  });
  const shot = async (name) => {
    const path = join(ART, name);
    await page.screenshot({ path });
    lap(`screenshot ${path}`);
  };
  return {
    BASE,
    WS,
    ART,
    page,
    lap,
    check,
    shot,
    /** Opens the workbench on WS and `file` in an editor; resolves to the editor, focused. */
    async openFile(file) {
      await page.goto(`${BASE}/?folder=${encodeURIComponent(WS)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file });
      await row.waitFor({ timeout: 90_000 });
      lap('workbench ready');
      await row.dblclick();
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.locator('.view-lines').waitFor();
      await editor.locator('.view-lines').click();
      return editor;
    },
    /** Runs `command` from the command palette (F1), once its row is listed. */
    async palette(command) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(`>${command}`);
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: command.replace(/^Circuit Inspector: /, '') })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
    },
    /** Switches the colour theme to `name` and waits for the workbench's `bodyClass` (vs, vs-dark, hc-black). */
    async theme(name, bodyClass) {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+T');
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
      await page.keyboard.type(name);
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator(`.monaco-workbench.${bodyClass}`).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(1200);
    },
    /** An exception ended the test: it counts as a failure, with a screenshot of the moment. */
    async fail(e) {
      failures++;
      console.error('FAILED:', e);
      await page.screenshot({ path: join(ART, `${tag}-failure.png`) }).catch(() => undefined);
    },
    /** Closes the browser, prints the summary and exits 1 when any check failed. */
    async end() {
      await browser.close();
      lap(failures ? `${failures} check(s) failed` : 'all UI checks passed');
      process.exit(failures ? 1 : 0);
    },
  };
}
