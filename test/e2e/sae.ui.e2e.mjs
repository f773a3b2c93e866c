// UI test of Inspect Features in a real VS Code (code-server + Chromium), with the shipped model and
// its shipped SAE: the palette command on a selection, the token strip with each token's features,
// a feature picked from a chip and painted over the source in the editor, the ablated text, the
// workspace scan and an example opened with the feature painted, the light and high-contrast
// themes; screenshots into $ART. Env: CS_URL, WS, ART.
import { join } from 'node:path';
import { startUi } from './uiSession.mjs';

const FILE = 'docstring_example.py';
const EXT_ID = 'circuit-inspector.circuit-inspector';
const ui = await startUi('sae-ui', 'http://127.0.0.1:8094');
const { page, lap, check, shot, ART, palette, theme } = ui;

try {
  const editor = await ui.openFile(FILE);
  await theme('Dark Modern', 'vs-dark'); // an earlier UI test may have left another theme
  const decoCount = () => page.locator('.view-overlays .cdr[class*="ced-"]').count();

  // Lines 1–6: the class, its docstring, __init__ and its first assignments.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await palette('Circuit Inspector: Inspect Features');

  const wv = page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXT_ID}"]`).frameLocator('iframe#active-frame');
  const panel = wv.locator('ci-sae-panel');
  await panel.locator('ci-feature-strip .chip').first().waitFor({ timeout: 120_000 });
  lap('the strip shows each token’s features');
  await panel
    .getByText(/variance explained/i)
    .first()
    .waitFor({ timeout: 60_000 });
  const chips = await panel.locator('ci-feature-strip .chip:not(.none)').count();
  check(chips > 10, `feature chips under the tokens (${chips})`);
  await shot('sae-01-panel-dark.png');

  // Pick a feature from a chip of a later token: its card appears and it is painted in the editor.
  const before = await decoCount();
  const chip = panel.locator('ci-feature-strip .chip:not(.none)').nth(Math.min(chips - 1, 12));
  const picked = await chip.getAttribute('data-f');
  await chip.click();
  await panel.locator('ci-feature-card').getByText(`#${picked}`).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(800);
  const painted = await decoCount();
  check(painted > before, `feature ${picked} is painted over the source (${painted} decorations, ${before} before)`);
  await shot('sae-02-feature-dark.png');
  await page.mouse.move(5, 500);
  await editor.screenshot({ path: join(ART, 'sae-02b-editor-dark.png') });

  // Ablated text: one row of painted tokens up to the target.
  await panel.locator('ci-feature-card vscode-button.ablate').click();
  await panel
    .locator('ci-ablated-text')
    .getByText(/clean activation/i)
    .first()
    .waitFor({ timeout: 60_000 });
  lap('ablated text shown');
  await shot('sae-03-ablated-dark.png');

  // Scan the workspace (the sample and two more Python files) for the feature's examples.
  await panel.locator('ci-feature-card vscode-button.scan').click();
  await panel.locator('ci-feature-examples .summary').first().waitFor({ timeout: 120_000 });
  const examples = await panel.locator('ci-feature-examples .ex').count();
  check(examples > 0, `the scan found examples (${examples})`);
  await shot('sae-04-examples-dark.png');
  const ex = panel.locator('ci-feature-examples .examples.top .ex').first();
  const where = (await ex.locator('.file').textContent())?.trim() ?? '';
  await ex.click();
  const file = where.split(':')[0];
  await page
    .locator(`.tab.active`, { hasText: file.split('/').pop() })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.waitForTimeout(800);
  const exPainted = await decoCount();
  check(exPainted > 0, `the example ${where} opens with the feature painted (${exPainted} decorations)`);
  await shot('sae-05-example-opened-dark.png');

  await theme('Light Modern', 'vs');
  await shot('sae-06-light.png');
  await theme('Dark High Contrast', 'hc-black');
  await shot('sae-07-hc.png');
} catch (e) {
  await ui.fail(e);
} finally {
  await ui.end();
}
