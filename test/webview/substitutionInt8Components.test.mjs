// Component tests of the substitution panel's int8 mode in Chromium, against its harness (fake
// host, fixture comparison, strict CSP): the logits error under the header, "Check against fp32"
// under each exact table (not in the exact mode, disabled on an estimate or while sweeping), its
// progress and Cancel, and the finished check. Run: node --test test/webview/substitutionInt8Components.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const h = useHarness(buildSubstitutionHarness);

async function open(query, width = 1400) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/substitutionHarness.html?${query}`, { width, height: 1000 });
  await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
  return { page, errors };
}

const check = (page, direction) => page.locator(`ci-substitution-panel ci-table-check[data-direction="${direction}"]`);
const posted = (page) => page.evaluate(() => window.__ciSubstitutionHarness.posted.filter((m) => /TableCheck|checkTable/.test(m.method)).map((m) => m));

describe('Compare Token Substitution webview, int8 mode', () => {
  it('the exact mode shows no logits error and no Check against fp32', async () => {
    const { page, errors } = await open('theme=dark&source=exact');
    assert.equal(await page.locator('ci-substitution-panel ci-table-check').count(), 0);
    assert.equal(await page.locator('ci-substitution-panel .precision').count(), 0);
    assert.deepEqual(errors, []);
  });

  it('int8: the clean prompt’s logits error under the header, and the badge’s tooltip carries it', async () => {
    const { page, errors } = await open('theme=dark&source=exact&int8=close');
    const line = await page.locator('ci-substitution-panel .precision').innerText();
    assert.match(
      line,
      /^int8 vs fp32 logits: max \|Δ\| 0\.412, mean 0\.061 \(logit range 17\.8\); top-1 agrees at 16\/17 positions[^]*, on the clean prompt\./,
    );
    const tip = await page.locator('ci-substitution-panel ci-model-name').locator('.badge').getAttribute('title');
    assert.match(tip, /On this prompt, int8 vs fp32 logits: max \|Δ\| 0\.412/);
    assert.deepEqual(errors, []);
  });

  it('Check against fp32 posts the table, shows progress, then max |Δ|, its share of the gap and the strongest cells shared', async () => {
    const { page, errors } = await open('theme=dark&source=exact&int8=close');
    await check(page, 'noise').locator('vscode-button', { hasText: 'Check against fp32' }).click();
    const msgs = await posted(page);
    assert.deepEqual(msgs, [{ method: 'checkTable', params: { runId: 'fixture-run', sweep: 'z', direction: 'noise' } }]);
    const result = check(page, 'noise').locator('.result');
    await result.waitFor();
    const text = await result.innerText();
    assert.match(text, /int8 vs fp32\s+max \|Δ\| [0-9.]+ \([0-9.]+% of the fp32 gap\) · (\d) of \1 strongest cells shared/);
    assert.match(text, /int8 reads this table as fp32 does/);
    assert.match(text, /unpatched: fp32 clean/);
    assert.equal(await result.evaluate((e) => e.classList.contains('notable')), false);
    // The other direction's table is untouched: its action is still there.
    assert.equal(await check(page, 'denoise').locator('vscode-button', { hasText: 'Check against fp32' }).count(), 1);
    assert.deepEqual(errors, []);
  });

  it('a check whose strongest cells differ says so and names them', async () => {
    const { page } = await open('theme=light&source=exact&int8=notable');
    await check(page, 'denoise').locator('vscode-button', { hasText: 'Check against fp32' }).click();
    const result = check(page, 'denoise').locator('.result.notable');
    await result.waitFor();
    const text = await result.innerText();
    assert.match(text, /[0-4] of 5 strongest cells shared/);
    assert.match(text, /strongest in fp32 only: L\d H\d/);
    assert.match(text, /in int8 only: L\d H\d/);
    assert.match(text, /The strongest cells differ between int8 and fp32/);
  });

  it('running: progress and Cancel; the other table waits; Cancel posts and the table reads as it was', async () => {
    const { page } = await open('theme=dark&source=exact&int8=running');
    await check(page, 'denoise').locator('vscode-button', { hasText: 'Check against fp32' }).click();
    await check(page, 'denoise').locator('progress').waitFor();
    assert.equal(await check(page, 'denoise').locator('.pct').innerText(), '40%');
    assert.equal(await check(page, 'noise').locator('vscode-button').getAttribute('disabled'), '');
    assert.match(await check(page, 'noise').locator('.row').innerText(), /another table is being checked/);
    await check(page, 'denoise').locator('vscode-button', { hasText: 'Cancel' }).click();
    assert.deepEqual((await posted(page)).at(-1), { method: 'cancelTableCheck', params: { runId: 'fixture-run' } });
    await check(page, 'denoise').locator('.message.cancelled').waitFor();
    assert.equal(await check(page, 'denoise').locator('vscode-button', { hasText: 'Check against fp32' }).count(), 1, 'can run again');
  });

  it('disabled on an estimate and while the sweeps run, with the reason', async () => {
    const { page } = await open('theme=dark&source=attribution&sweeping&int8=close');
    await page
      .locator('ci-substitution-panel button.seg', { hasText: /^\s*mlp_out/ })
      .first()
      .click();
    const c = check(page, 'denoise');
    assert.equal(await c.locator('vscode-button').getAttribute('disabled'), '');
    assert.match(await c.locator('.row').innerText(), /available once the exact sweep has replaced this estimate/);
    await c.locator('vscode-button').click({ force: true });
    assert.deepEqual(await posted(page), [], 'a disabled action posts nothing');
  });

  it('a failed check shows its error and can run again', async () => {
    const { page } = await open('theme=dark&source=exact&int8=error');
    await check(page, 'noise').locator('vscode-button', { hasText: 'Check against fp32' }).click();
    await check(page, 'noise').locator('.message.error', { hasText: 'out of memory' }).waitFor();
    assert.equal(await check(page, 'noise').locator('vscode-button', { hasText: 'Check against fp32' }).count(), 1);
  });
});
