// Component tests of the Inspect Residual Stream webview in Chromium, against its harness (fake
// host, a synthetic record, strict CSP). Run: node --test test/webview/residualComponents.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { clickHead, lensCell, waitForResidualPlots } from './residualPage.mjs';
import { buildResidualHarness } from './residualBuild.mjs';

const h = useHarness(buildResidualHarness);

async function open(query = '', width = 1400) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/residualHarness.html?${query}`, { width, height: 900 });
  await waitForResidualPlots(page, query);
  return { page, errors };
}

/** Messages the webview posted to the (fake) host; a PNG data URL is cut to its prefix. */
const posted = (page) =>
  page.evaluate(() =>
    window.__ciResidualHarness.posted.map((m) => {
      const params = { ...m.params };
      if (typeof params.dataUrl === 'string') params.dataUrl = params.dataUrl.slice(0, 22);
      return { method: m.method, params };
    }),
  );
const last = async (page, method) => (await posted(page)).filter((m) => m.method === method).pop();

/** RGB of a canvas's pixel at CSS (x, y). */
const pixel = (page, selector, x, y) =>
  page.locator(selector).evaluate(
    (c, [x, y]) => {
      const d = window.devicePixelRatio || 1;
      return [...c.getContext('2d').getImageData(Math.round(x * d), Math.round(y * d), 1, 1).data].slice(0, 3);
    },
    [x, y],
  );

describe('Inspect Residual Stream webview', () => {
  it('handshakes, shows the three plots, breaks no CSP rule', async () => {
    const { page, errors } = await open('theme=dark&n=30');
    const msgs = await posted(page);
    assert.deepEqual(msgs[0], { method: 'ready', params: { protocolVersion: 2 } });
    assert.equal(await page.locator('ci-logit-lens canvas').count(), 1);
    assert.equal(await page.locator('ci-norm-growth canvas').count(), 2);
    assert.equal(await page.locator('ci-dla ci-patch-heatmap canvas').count(), 1);
    assert.equal(await page.locator('ci-dla canvas.bars').count(), 1);
    assert.match(await page.locator('ci-dla .check').innerText(), /components sum to 3\.645; model's logit difference 3\.645 ✓/);
    assert.deepEqual(await page.evaluate(() => window.__ciResidualHarness.violations), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the lens fills the panel width at 30 tokens and labels cells with their top token', async () => {
    const { page } = await open('theme=dark&n=30', 1400);
    const { canvasW, panelW, cellW } = await page.locator('ci-logit-lens canvas').evaluate((c) => ({
      canvasW: c.getBoundingClientRect().width,
      panelW: document.querySelector('ci-residual-panel').getBoundingClientRect().width,
      cellW: c.getRootNode().host.geometry.cellW,
    }));
    assert.ok(canvasW <= panelW + 1 && canvasW > 0.95 * panelW, `canvas ${canvasW} of ${panelW}`);
    assert.ok(cellW >= 40, `cells ${cellW}px wide`);
    assert.equal(await page.locator('ci-logit-lens .range').innerText(), '');
    await page.close();
  });

  it('at 512 tokens in a 600 px panel the page does not overflow: the lens scrolls and says which positions show', async () => {
    const { page } = await open('theme=dark&n=512', 600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page wider than the viewport by ${overflow}px`);
    const s = await page.locator('ci-logit-lens .scroller').evaluate((e) => ({ sw: e.scrollWidth, cw: e.clientWidth }));
    assert.ok(s.sw > s.cw * 2, 'the plot scrolls sideways');
    assert.match(await page.locator('ci-logit-lens .range').innerText(), /^positions 0–\d+ of 512 shown: scroll sideways/);
    // Scroll to the end: the last position's column shows and the hover names it.
    await page.locator('ci-logit-lens .scroller').evaluate((e) => (e.scrollLeft = e.scrollWidth));
    await page.waitForTimeout(50);
    assert.match(await page.locator('ci-logit-lens .range').innerText(), /^positions \d+–511 of 512/);
    await page.close();
  });

  it('readable cells show the top token text at 512 tokens', async () => {
    const { page } = await open('theme=light&n=512', 1400);
    assert.match(await page.locator('ci-logit-lens .range').innerText(), /too narrow for their token/);
    await page.locator('ci-residual-panel button[data-zoom="read"]').click();
    await page.waitForTimeout(50);
    const cellW = await page.locator('ci-logit-lens canvas').evaluate((c) => c.getRootNode().host.geometry.cellW);
    assert.ok(cellW >= 58);
    assert.doesNotMatch(await page.locator('ci-logit-lens .range').innerText(), /too narrow/);
    await page.close();
  });

  it('hovering a cell shows its hook, top tokens, entropy and the answer’s rank', async () => {
    const { page } = await open('theme=dark&n=30');
    const pos = await lensCell(page, 12, 29);
    await page.locator('ci-logit-lens canvas').hover({ position: pos });
    const tip = page.locator('ci-logit-lens .tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, /^blocks\.11\.hook_resid_post · position 29/);
    assert.match(text, /entropy [\d.]+ nats/);
    assert.match(text, /answer '·old': p [\d.e-]+, rank 1/);
    await page.close();
  });

  it('colouring by the answer changes the cells', async () => {
    const { page } = await open('theme=dark&n=30');
    const at = await lensCell(page, 3, 5);
    const before = await pixel(page, 'ci-logit-lens canvas', at.x - 8, at.y + 6);
    await page.locator('ci-residual-panel button[data-colour="answer"]').click();
    await page.waitForTimeout(50);
    const after = await pixel(page, 'ci-logit-lens canvas', at.x - 8, at.y + 6);
    assert.notDeepEqual(after, before);
    await page.close();
  });

  it('the variant toggle asks the host for the cached-scale lens and labels it as TransformerLens before PR#1180', async () => {
    const { page } = await open('theme=dark&n=30');
    await page.locator('ci-residual-panel button[data-variant="cached-scale"]').click();
    assert.deepEqual(await last(page, 'setVariant'), { method: 'setVariant', params: { inspectionId: 'fixture-residual', variant: 'cached-scale' } });
    await page.locator('ci-residual-panel .legacy-note').waitFor();
    assert.match(
      await page.locator('ci-residual-panel button[data-variant="cached-scale"]').innerText(),
      /TransformerLens before PR#1180: final layer's cached scale/,
    );
    assert.equal(await page.locator('ci-residual-panel button[data-variant="cached-scale"]').getAttribute('aria-pressed'), 'true');
    await page.close();
  });

  it('the answer and wrong token are sent as typed (· for a space); a refused answer says why', async () => {
    const { page } = await open('theme=dark&n=30');
    const answer = page.locator('ci-residual-panel vscode-textfield[name="answer"] input');
    await answer.fill('·self');
    await page.locator('ci-residual-panel vscode-button', { hasText: 'Apply' }).click();
    assert.deepEqual(await last(page, 'setAnswer'), { method: 'setAnswer', params: { inspectionId: 'fixture-residual', answer: ' self', wrong: ' value' } });
    await answer.fill('two words');
    await answer.press('Enter');
    const err = page.locator('ci-residual-panel .error[data-field="answer"]');
    await err.waitFor();
    assert.match(await err.innerText(), /several words/);
    await page.close();
  });

  it('clicking a lens column reads DLA at that position', async () => {
    const { page } = await open('theme=dark&n=30');
    const pos = await lensCell(page, 5, 12);
    await page.locator('ci-logit-lens canvas').click({ position: pos });
    assert.deepEqual(await last(page, 'setPosition'), { method: 'setPosition', params: { inspectionId: 'fixture-residual', position: 12 } });
    await page.waitForFunction(() =>
      /at position 12/.test(document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-dla').shadowRoot.querySelector('.check').textContent),
    );
    await page.close();
  });

  it('clicking a head selects it for the editor and paints its sources over the tokens; clicking again clears it', async () => {
    const { page } = await open('theme=dark&n=30');
    await clickHead(page, 9, 6);
    assert.deepEqual(await last(page, 'selectHead'), { method: 'selectHead', params: { inspectionId: 'fixture-residual', layer: 9, head: 6 } });
    const strip = page.locator('ci-source-strip .strip');
    await strip.waitFor();
    assert.match(await page.locator('ci-dla .sources p').innerText(), /^Head 9\.6 .*1\.850 in all; most through [\d.]+ via '·old'/);
    // The strongest source is tinted at the top level, BOS is marked, later tokens none (DLA is at the last).
    const levels = await strip.locator('.tok').evaluateAll((ts) => ts.map((t) => Number(t.dataset.v)));
    assert.equal(levels.length, 30);
    assert.equal(Math.max(...levels), 6);
    await clickHead(page, 9, 6);
    assert.ok(await last(page, 'clearHead'));
    await strip.waitFor({ state: 'detached' });
    await page.close();
  });

  it('a sum that does not match the logit difference is a visible warning', async () => {
    const { page } = await open('theme=dark&n=30&badsum');
    const check = page.locator('ci-dla .check');
    assert.equal(await check.getAttribute('role'), 'alert');
    assert.match(await check.innerText(), /components sum to 3\.645 but the model's logit difference is 4\.145/);
    await page.close();
  });

  it('with 3 non-BOS positions the growth factor is called thin; centred norms change the legend', async () => {
    const { page } = await open('theme=dark&n=4');
    assert.match(await page.locator('ci-residual-panel .verdicts').innerText(), /Fitted over 3 non-BOS positions: too few/);
    const raw = await page.locator('ci-residual-panel .growth').innerText();
    await page.locator('ci-residual-panel button[data-norm="centred"]').click();
    await page.waitForTimeout(50);
    const centred = await page.locator('ci-residual-panel .growth').innerText();
    assert.match(centred, /^×\d\.\d\d per layer/);
    assert.notEqual(centred, raw);
    await page.close();
  });

  it('PNG buttons send standalone figures; JSON and CSV are requests to the host', async () => {
    const { page } = await open('theme=dark&n=30');
    await page.locator('ci-residual-panel button.link', { hasText: /^PNG$/ }).click();
    await page.locator('ci-residual-panel button.link', { hasText: 'PNG bars' }).click();
    await page.locator('ci-residual-panel vscode-button', { hasText: 'JSON' }).click();
    await page.locator('ci-residual-panel vscode-button', { hasText: 'CSV' }).click();
    const msgs = (await posted(page)).filter((m) => m.method === 'exportPng' || m.method === 'exportResidual');
    assert.deepEqual(msgs, [
      { method: 'exportPng', params: { inspectionId: 'fixture-residual', name: 'logit-lens', dataUrl: 'data:image/png;base64,' } },
      { method: 'exportPng', params: { inspectionId: 'fixture-residual', name: 'dla-components', dataUrl: 'data:image/png;base64,' } },
      { method: 'exportResidual', params: { inspectionId: 'fixture-residual', format: 'json' } },
      { method: 'exportResidual', params: { inspectionId: 'fixture-residual', format: 'csv' } },
    ]);
    // The exported lens is on white whatever the theme.
    const corner = await page.locator('ci-logit-lens').evaluate(async (el) => {
      const img = new Image();
      img.src = el.toPng();
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return [...ctx.getImageData(img.width - 3, img.height - 3, 1, 1).data].slice(0, 3);
    });
    assert.deepEqual(corner, [255, 255, 255]);
    await page.close();
  });

  it('follows the theme: the plots are drawn on the editor background', async () => {
    for (const [theme, bg] of [
      ['dark', [31, 31, 31]],
      ['light', [255, 255, 255]],
      ['hc', [0, 0, 0]],
    ]) {
      const { page } = await open(`theme=${theme}&n=30`);
      assert.deepEqual(await pixel(page, 'ci-logit-lens canvas', 2, 2), bg, theme);
      assert.deepEqual(await pixel(page, 'ci-norm-growth canvas[data-kind="resid"]', 2, 60), bg, theme);
      await page.close();
    }
  });

  it('a document run shows its norms in windows, without lens or DLA', async () => {
    const { page } = await open('theme=dark&doc');
    assert.match(await page.locator('ci-residual-panel header').innerText(), /Residual norms.*param_store\.py · 597 tokens in 3 windows of ≤ 200/s);
    assert.equal(await page.locator('ci-logit-lens').count(), 0);
    assert.equal(await page.locator('ci-dla').count(), 0);
    assert.match(await page.locator('ci-norm-growth canvas[data-kind="resid"]').getAttribute('aria-label'), /598 positions/);
    await page.close();
  });

  it('keeps the view’s choices across the webview being shown again', async () => {
    const { page } = await open('theme=dark&n=30&saved');
    for (const sel of ['button[data-colour="answer"]', 'button[data-zoom="read"]', 'button[data-norm="centred"]']) {
      assert.equal(await page.locator(`ci-residual-panel ${sel}`).getAttribute('aria-pressed'), 'true', sel);
    }
    await page.locator('ci-residual-panel button[data-zoom="fit"]').click();
    assert.deepEqual(await page.evaluate(() => window.__ciResidualHarness.state()), { colourBy: 'answer', zoom: 'fit', normMode: 'centred' });
    await page.close();
  });

  it('the editor’s hover link brings a position into view and marks its column', async () => {
    const { page } = await open('theme=dark&n=512', 600);
    await page.evaluate(() => window.__ciResidualHarness.send({ method: 'focusPosition', params: { inspectionId: 'fixture-residual', position: 400 } }));
    await page.waitForFunction(() =>
      /positions (\d+)–(\d+) of 512/.test(
        document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-logit-lens').shadowRoot.querySelector('.range').textContent,
      ),
    );
    const [first, lastShown] = (await page.locator('ci-logit-lens .range').innerText())
      .match(/positions (\d+)–(\d+)/)
      .slice(1)
      .map(Number);
    assert.ok(first <= 400 && 400 <= lastShown, `400 not in ${first}–${lastShown}`);
    assert.equal(await page.locator('ci-logit-lens').evaluate((e) => e.focusColumn), 400);
    await page.close();
  });

  it('hovering a row label names its hook', async () => {
    const { page } = await open('theme=dark&n=30');
    const canvas = page.locator('ci-logit-lens canvas');
    const pos = await canvas.evaluate((c) => {
      const g = c.getRootNode().host.geometry;
      return { x: g.left - 12, y: g.top + 3.5 * g.cellH };
    });
    await canvas.hover({ position: pos });
    const tip = page.locator('ci-logit-lens .tooltip');
    await tip.waitFor({ state: 'visible' });
    assert.match(await tip.innerText(), /^blocks\.3\.hook_resid_pre\nthe residual stream entering layer 3/);
    await page.close();
  });

  it('with nothing inspected it says how to start, and no stray "Done"', async () => {
    const { page } = await open('theme=light&empty');
    const empty = page.locator('ci-residual-panel .empty');
    await empty.waitFor();
    assert.match(await empty.innerText(), /run Circuit Inspector: Inspect Residual Stream/);
    assert.equal(await page.locator('ci-residual-panel .run').count(), 0, 'the host said done, with nothing to show');
    await page.close();
  });

  it('a BOS-only prompt draws without errors and claims no growth factor', async () => {
    const { page, errors } = await open('theme=dark&n=1', 900);
    assert.equal(await page.locator('ci-residual-panel .growth').innerText(), 'no growth factor (0 non-BOS positions)');
    assert.match(await page.locator('ci-residual-panel .verdicts').innerText(), /Fitted over 0 non-BOS positions: too few/);
    // The lens canvas leaves room for its title even with one column.
    assert.ok((await page.locator('ci-logit-lens canvas').boundingBox()).width >= 500);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('before its lens: norms and DLA drawn, the lens section shows the run’s percentage, then the whole record draws the heatmap', async () => {
    const { page, errors } = await open('theme=dark&n=30&partial');
    assert.equal(await page.locator('ci-norm-growth canvas').count(), 2, 'norms drawn');
    assert.equal(await page.locator('ci-dla canvas.bars').count(), 1, 'DLA drawn');
    assert.match(await page.locator('ci-dla .check').innerText(), /components sum to 3\.645/);
    assert.equal(await page.locator('ci-logit-lens canvas').count(), 0, 'no empty heatmap');
    const pending = page.locator('ci-logit-lens .pending');
    assert.match(await pending.innerText(), /^Computing the logit lens… 42%$/);
    assert.equal(await pending.locator('progress').evaluate((p) => p.value), 0.42);
    const h = await pending.evaluate((e) => e.getBoundingClientRect().height);
    assert.ok(h > 13 * 22, `the placeholder is as tall as the heatmap will be (${h}px)`);
    // The answer's default comes from DLA's direction; exports wait for the lens; no lens hint or PNG button.
    assert.equal(await page.locator('ci-residual-panel vscode-textfield[name="answer"]').getAttribute('placeholder'), "default: '·old'");
    assert.equal(await page.locator('ci-residual-panel .exports vscode-button[disabled]').count(), 3);
    assert.equal(await page.locator('ci-residual-panel .lens .hint').count(), 0);
    assert.equal(await page.locator('ci-residual-panel .lens h2 button', { hasText: 'PNG' }).count(), 0);
    assert.equal(await page.locator('ci-residual-panel button[data-variant="recompute"]').getAttribute('aria-pressed'), 'true');
    // Progress moves; then the lens arrives and the heatmap replaces the placeholder.
    await page.evaluate(() => window.__ciResidualHarness.sendPartial(0.85));
    await page.waitForFunction(() =>
      /85%/.test(document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-logit-lens').shadowRoot.querySelector('.pending')?.textContent ?? ''),
    );
    await page.evaluate(() => window.__ciResidualHarness.finishLens());
    await page.locator('ci-logit-lens canvas').waitFor();
    assert.equal(await page.locator('ci-logit-lens .pending').count(), 0);
    assert.equal(await page.locator('ci-residual-panel .exports vscode-button[disabled]').count(), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.__ciResidualHarness.violations), []);
    await page.close();
  });

  it('a new prompt’s partial record never shows the previous prompt’s lens; cancelled, the lens section says it was not computed', async () => {
    const { page } = await open('theme=dark&n=30');
    assert.equal(await page.locator('ci-logit-lens canvas').count(), 1);
    await page.evaluate(() => {
      const h = window.__ciResidualHarness;
      h.send({ method: 'runState', params: { state: 'running', message: 'Logit lens 0/143 rows…', progress: 0, cancellable: true } });
      h.send({
        method: 'residualStream',
        params: { record: h.makeResidualPartial({ nTokens: 11, inspectionId: 'other' }), stale: false, notes: [], answerText: '', wrongText: '' },
      });
    });
    await page.locator('ci-logit-lens .pending').waitFor();
    assert.equal(await page.locator('ci-logit-lens canvas').count(), 0, 'the old heatmap is gone');
    assert.equal(await page.locator('ci-logit-lens').evaluate((e) => e.geometry), undefined);
    assert.match(await page.locator('ci-logit-lens .pending').innerText(), /Computing the logit lens… 0%/);
    assert.match(await page.locator('ci-residual-panel header').innerText(), /11 tokens/);
    await page.locator('ci-residual-panel .run vscode-button', { hasText: 'Cancel' }).click();
    assert.ok(await last(page, 'cancelRun'));
    await page.waitForFunction(() =>
      /not computed: the run was cancelled/.test(
        document.querySelector('ci-residual-panel').shadowRoot.querySelector('ci-logit-lens').shadowRoot.querySelector('.pending')?.textContent ?? '',
      ),
    );
    assert.equal(await page.locator('ci-logit-lens .pending progress').count(), 0);
    assert.equal(await page.locator('ci-dla canvas.bars').count(), 1, 'DLA stays');
    await page.close();
  });

  it('a cancellable run shows progress and posts cancelRun', async () => {
    const { page } = await open('theme=dark&n=30&running');
    assert.match(await page.locator('ci-residual-panel .run').innerText(), /Running… 40%/);
    await page.locator('ci-residual-panel .run vscode-button', { hasText: 'Cancel' }).click();
    assert.ok(await last(page, 'cancelRun'));
    await page.close();
  });
});
