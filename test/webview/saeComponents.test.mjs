// Component tests of the Inspect Features webview in Chromium, against its harness (fake host,
// fixtures shaped like the shipped 2-layer model's SAE output, strict CSP).
// Run: node --test test/webview/saeComponents.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { buildSaeHarness } from './saeBuild.mjs';
import { ablate, clickToken, pickFeature, scan, waitForSae } from './saePage.mjs';

const h = useHarness(buildSaeHarness);

async function open(query = '', width = 1400) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/saeHarness.html?${query}`, { width, height: 1000 });
  await waitForSae(page, query);
  return { page, errors };
}

/** Messages the webview posted to the (fake) host; a PNG data URL is cut to its prefix. */
const posted = (page) =>
  page.evaluate(() =>
    window.__ciSaeHarness.posted.map((m) => {
      const params = { ...m.params };
      if (typeof params.dataUrl === 'string') params.dataUrl = params.dataUrl.slice(0, 22);
      return { method: m.method, params };
    }),
  );
const last = async (page, method) => (await posted(page)).filter((m) => m.method === method).pop();

/** The fixture's dense activation of feature `f` at every position. */
const fixtureActs = (page, f) =>
  page.evaluate((f) => {
    const fx = window.__ciSaeHarness.fx;
    return fx.tokens.map((_, p) => fx.acts[p * 1024 + f]);
  }, f);

/** Computed background of an element as [r, g, b, a] (a = 0 for transparent). */
const background = (locator) =>
  locator.evaluate((e) => {
    const m = getComputedStyle(e)
      .backgroundColor.match(/[\d.]+/g)
      .map(Number);
    return m.length === 3 ? [...m, 1] : m;
  });

const OPEN = 11; // the ' open' token of the fixture prompt (BOS at 0)

describe('Inspect Features webview', () => {
  it('handshakes, draws every token with its top features, says which SAE and input transform, breaks no CSP rule', async () => {
    const { page, errors } = await open('theme=dark');
    const msgs = await posted(page);
    assert.deepEqual(msgs[0], { method: 'ready', params: { protocolVersion: 1 } });
    assert.equal(await page.locator('ci-feature-strip .tok').count(), 46);
    assert.equal((await page.locator(`ci-feature-strip .tok[data-i="${OPEN}"] .text`).innerText()).trim(), '·open');
    const top2 = await page.evaluate((p) => window.__ciSaeHarness.fx.features.top[p].slice(0, 2).map((f) => String(f.feature)), OPEN);
    assert.equal(top2[0], '311');
    assert.deepEqual(await page.locator(`ci-feature-strip .tok[data-i="${OPEN}"] .chip`).evaluateAll((cs) => cs.map((c) => c.dataset.f)), top2);
    const info = await page.locator('ci-sae-panel .sae-info').innerText();
    assert.match(info, /blocks\.1\.hook_resid_pre/);
    assert.match(info, /d_sae 1,024/);
    assert.match(info, /input transform: none — cfg\.json has no model_from_pretrained_kwargs/);
    assert.deepEqual(await page.evaluate(() => window.__ciSaeHarness.violations), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('clicking a token lists every feature active there, sortable by column', async () => {
    const { page } = await open('theme=dark');
    await clickToken(page, OPEN);
    assert.deepEqual(await last(page, 'selectToken'), { method: 'selectToken', params: { inspectionId: 'fixture-sae', position: OPEN } });
    const expected = await page.evaluate((p) => {
      const fx = window.__ciSaeHarness.fx;
      const out = [];
      for (let f = 0; f < 1024; f++) if (fx.acts[p * 1024 + f] > 0) out.push([f, fx.acts[p * 1024 + f]]);
      return out.sort((a, b) => b[1] - a[1]).map((x) => `#${x[0]}`);
    }, OPEN);
    const ids = () => page.locator('ci-sae-panel table.features tbody tr td:first-child').allInnerTexts();
    assert.ok(expected.length > 5);
    assert.deepEqual(await ids(), expected, 'all active features, by activation');
    assert.match(await page.locator('ci-sae-panel .token-features h2').innerText(), new RegExp(`Active at\\s+#${OPEN} '·open'\\s+${expected.length} features`));
    assert.equal(await page.locator(`ci-feature-strip .tok[data-i="${OPEN}"]`).getAttribute('aria-selected'), 'true');
    await page.locator('ci-sae-panel button.sort[data-key="feature"]').click();
    const byId = (await ids()).map((s) => Number(s.slice(1)));
    assert.deepEqual(
      byId,
      [...byId].sort((a, b) => a - b),
    );
    assert.equal(await page.locator('ci-sae-panel th:has(button[data-key="feature"])').getAttribute('aria-sort'), 'ascending');
    await page.locator('ci-sae-panel button.sort[data-key="feature"]').click();
    assert.equal(await page.locator('ci-sae-panel th:has(button[data-key="feature"])').getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await page.evaluate(() => window.__ciSaeHarness.state()), { mode: 'chips', sortKey: 'feature', sortDir: 'desc' });
    await page.close();
  });

  it('the strip works from the keyboard: arrows move, Enter lists the features', async () => {
    const { page } = await open('theme=dark');
    await page.locator('ci-feature-strip .tok[data-i="0"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.locator('ci-sae-panel table.features').waitFor();
    assert.deepEqual((await last(page, 'selectToken')).params.position, 2);
    assert.match(await page.locator('ci-feature-strip .readout').innerText(), /^#2 '·load'/);
    await page.close();
  });

  it('picking a feature shows its card and paints its activation over the strip', async () => {
    const { page } = await open('theme=dark');
    await pickFeature(page, 311);
    assert.deepEqual(await last(page, 'selectFeature'), { method: 'selectFeature', params: { inspectionId: 'fixture-sae', feature: 311 } });
    const card = page.locator('ci-feature-card');
    assert.equal(await card.locator('.fid').innerText(), '#311');
    assert.match(await card.locator('.density').innerText(), /0\.41% · 1 in 244 tokens — from the SAE's sparsity\.safetensors/);
    assert.deepEqual(await card.locator('.top li .tok').allInnerTexts(), ['(', '·file', '·the', 'Path', '·os', '·self', '·f', '·filename', '·path', '·sys']);
    assert.equal(await card.locator('.bottom li').count(), 6);
    const acts = await fixtureActs(page, 311);
    const levels = await page.locator('ci-feature-strip .tok .text').evaluateAll((ts) => ts.map((t) => Number(t.dataset.level)));
    const max = Math.max(...acts);
    assert.deepEqual(
      levels.map((l) => l > 0),
      acts.map((a) => a > 0.02 * max),
      'painted exactly where the feature is active',
    );
    assert.equal(levels[OPEN], 6, 'the peak gets the strongest colour');
    assert.equal((await background(page.locator(`ci-feature-strip .tok[data-i="${OPEN}"] .text`)))[3] > 0, true);
    assert.equal((await background(page.locator('ci-feature-strip .tok[data-i="1"] .text')))[3], 0);
    assert.equal(await page.locator('ci-feature-strip .chip.picked[data-f="311"]').count(), 3);
    await page.close();
  });

  it('the ablated text is painted by the sign of the change, outlines the target and reads out on hover', async () => {
    const { page } = await open('theme=dark');
    await pickFeature(page, 311);
    await clickToken(page, OPEN);
    assert.match(await page.locator('ci-feature-card vscode-button.ablate').innerText(), /Ablate at #11 '·open'/);
    await ablate(page);
    assert.deepEqual(await last(page, 'runAblation'), { method: 'runAblation', params: { inspectionId: 'fixture-sae', feature: 311, position: OPEN } });
    const rows = await page
      .locator('ci-ablated-text .ptok')
      .evaluateAll((ts) =>
        ts.map((t) => ({ j: Number(t.dataset.j), v: Number(t.dataset.v), bg: getComputedStyle(t).backgroundColor, at: t.classList.contains('at') })),
      );
    const rgb = (s) => s.match(/[\d.]+/g).map(Number);
    const neg = rows.filter((r) => r.v < 0);
    const pos = rows.filter((r) => r.v > 0);
    assert.ok(neg.length >= 2 && pos.length >= 1, `negative ${neg.length}, positive ${pos.length}`);
    for (const r of neg) {
      const [red, , blue] = rgb(r.bg);
      assert.ok(blue > red, `token ${r.j}: a drop is blue (${r.bg})`);
    }
    for (const r of pos) {
      const [red, , blue] = rgb(r.bg);
      assert.ok(red > blue, `token ${r.j}: a rise is red (${r.bg})`);
    }
    const target = rows.find((r) => r.at);
    assert.equal(target?.j, OPEN);
    assert.equal(target?.v, -6, 'ablating the token itself drops it most');
    assert.match(await page.locator('ci-ablated-text .ptok.at').evaluate((e) => getComputedStyle(e).boxShadow), /0px 0px 0px 2px inset$/);
    assert.match(await page.locator('ci-ablated-text .legend').innerText(), /−6\.40[\s\S]*0[\s\S]*\+6\.40/);
    await page.locator(`ci-ablated-text .ptok[data-j="${OPEN - 1}"]`).hover();
    assert.match(await page.locator('ci-ablated-text .readout').innerText(), /^Ablating #10 '·with': feature 311 at #11 goes 7\.80 → 5\.07, −2\.73/);
    await page.close();
  });

  it('a scan shows progress and Cancel; a cancelled scan keeps its examples and says it is partial; an example opens', async () => {
    const { page } = await open('theme=dark&slowscan');
    await pickFeature(page, 311);
    await scan(page);
    assert.deepEqual(await last(page, 'scanWorkspace'), { method: 'scanWorkspace', params: { inspectionId: 'fixture-sae', feature: 311, scope: 'language' } });
    const ex = page.locator('ci-feature-examples');
    await ex.locator('.stats', { hasText: '17 of 42 files' }).waitFor();
    assert.match(await ex.locator('.stats').innerText(), /Scanning: 17 of 42 files · 35,921 tokens · 3,480 tokens\/s/);
    assert.equal(await page.locator('ci-feature-card vscode-button.scan').getAttribute('disabled'), '');
    await ex.locator('vscode-button.cancel').click();
    await ex.locator('.partial').waitFor();
    assert.ok(await last(page, 'cancelScan'));
    assert.match(await ex.locator('.partial').innerText(), /Partial — the scan stopped after 17 of 42 files/);
    assert.equal(await ex.locator('.progress').count(), 0);
    assert.equal(await ex.locator('.examples.top .ex').count(), 4);
    assert.equal(await ex.locator('.band').count(), 5);
    assert.deepEqual(await ex.locator('.band-label').allInnerTexts(), ['90–100%', '70–80%', '50–60%', '30–40%', '10–20%']);
    const peakLevel = await ex.locator('.examples.top .ex').first().locator('.ptok.peak').getAttribute('data-level');
    assert.equal(peakLevel, '6');
    const id = await ex.locator('.examples.top .ex').nth(1).getAttribute('data-id');
    await ex.locator('.examples.top .ex').nth(1).click();
    assert.deepEqual(await last(page, 'openExample'), { method: 'openExample', params: { exampleId: id } });
    await page.close();
  });

  it('a scan the host never starts (a folder picker closed) shows no progress; the header Cancel of a scan cancels the scan', async () => {
    const { page } = await open('theme=dark&slowscan');
    await pickFeature(page, 311);
    await page.locator('ci-feature-card button.scan-folder').click();
    assert.deepEqual((await last(page, 'scanWorkspace')).params.scope, 'folder');
    await page.waitForTimeout(100);
    assert.equal(await page.locator('ci-feature-examples').count(), 0, 'nothing pretends to scan');
    assert.equal(await page.locator('ci-feature-card vscode-button.scan').getAttribute('disabled'), null);
    await scan(page);
    await page.locator('ci-sae-panel .run.running vscode-button.cancel').click();
    await page.locator('ci-feature-examples .partial').waitFor();
    assert.ok(await last(page, 'cancelScan'), 'the header Cancel of a scan posts cancelScan');
    assert.equal(await last(page, 'cancel'), undefined);
    await page.close();
  });

  it('a finished scan has no partial banner; a cached one says so', async () => {
    const { page } = await open('theme=dark&cached');
    await pickFeature(page, 311);
    await scan(page);
    const ex = page.locator('ci-feature-examples');
    await ex.locator('.summary').waitFor();
    assert.equal(await ex.locator('.partial').count(), 0);
    assert.equal(await ex.locator('.cached').innerText(), 'from the cache');
    assert.equal(await ex.locator('.examples.top .ex').count(), 8);
    await page.close();
  });

  it('an error shows its message and leaves the features, the card and the paint on screen', async () => {
    const { page } = await open('theme=dark');
    await pickFeature(page, 311);
    await page.evaluate(() =>
      window.__ciSaeHarness.send({
        method: 'runState',
        params: { state: 'error', message: "cfg.json: unknown architecture 'batchtopk'", job: 'features' },
      }),
    );
    const run = page.locator('ci-sae-panel .run.error');
    await run.waitFor();
    assert.equal(await run.getAttribute('role'), 'alert');
    assert.match(await run.innerText(), /Failed\s+— cfg\.json: unknown architecture 'batchtopk'/);
    assert.equal(await page.locator('ci-feature-strip .tok').count(), 46);
    assert.equal(await page.locator('ci-feature-card .fid').innerText(), '#311');
    assert.equal(await page.locator(`ci-feature-strip .tok[data-i="${OPEN}"] .text`).getAttribute('data-level'), '6');
    await page.close();
  });

  it('a scan error shows in the examples section, the previous examples stay', async () => {
    const { page } = await open('theme=dark');
    await pickFeature(page, 311);
    await scan(page);
    await page.locator('ci-feature-examples .summary').waitFor();
    await page.evaluate(() => window.__ciSaeHarness.send({ method: 'runState', params: { state: 'error', message: 'tokenizer failed on a.py', job: 'scan' } }));
    await page.locator('ci-feature-examples .error').waitFor();
    assert.match(await page.locator('ci-feature-examples .error').innerText(), /Scan failed: tokenizer failed on a\.py/);
    assert.equal(await page.locator('ci-feature-examples .examples.top .ex').count(), 8);
    await page.close();
  });

  it('says the reconstruction is good with its numbers', async () => {
    const { page } = await open('theme=dark');
    const q = page.locator('ci-sae-panel section.quality');
    assert.match(await q.locator('.verdict.good').innerText(), /reconstructs this prompt well/);
    const nums = await q.locator('.nums').innerText();
    assert.match(nums, /variance explained\s+91\.2%\s+typical 96\.9%/);
    assert.match(nums, /1\.84 → 1\.93 nats\s+\(\+0\.09\)/);
    assert.match(nums, /top-1 kept\s+95\.0%/);
    assert.match(await q.locator('.worst').innerText(), /#20 .* KL 0\.42, error 0\.61/);
    await page.close();
  });

  it('warns plainly when the SAE explains the prompt badly, with the numbers', async () => {
    const { page } = await open('theme=dark&bad');
    const v = page.locator('ci-sae-panel .verdict.poor');
    assert.equal(await v.getAttribute('role'), 'alert');
    const text = await v.innerText();
    assert.match(text, /explains this prompt badly/);
    assert.match(text, /only 38% of the activations' variance is explained/);
    assert.match(text, /rises by 1\.18 nats/);
    assert.match(text, /top prediction changes at 42% of positions/);
    assert.equal(await page.locator('ci-sae-panel .verdict.good').count(), 0);
    await page.close();
  });

  it('gives no verdict on a prompt too short to judge', async () => {
    const { page } = await open('theme=dark&bad&n=5');
    assert.match(await page.locator('ci-sae-panel .verdict.short').innerText(), /Too few tokens to judge: 4 scored positions/);
    assert.equal(await page.locator('ci-sae-panel .verdict.poor').count(), 0);
    await page.close();
  });

  it('warns about an SAE for another model, and says densities are unknown without a sparsity file', async () => {
    const { page } = await open('theme=dark&other&nodensity');
    assert.match(await page.locator('ci-sae-panel .banner.warning').innerText(), /metadata\.model_name is 'gpt2-small'/);
    await pickFeature(page, 311);
    assert.match(await page.locator('ci-feature-card .density').innerText(), /unknown — no sparsity file: scan the workspace/);
    await page.close();
  });

  it('exports the painted strip as PNG, and JSON / CSV by name', async () => {
    const { page } = await open('theme=dark');
    assert.equal(await page.locator('ci-sae-panel vscode-button.png').getAttribute('disabled'), '');
    await pickFeature(page, 311);
    await page.locator('ci-sae-panel vscode-button.png').click();
    assert.deepEqual(await last(page, 'export'), {
      method: 'export',
      params: { inspectionId: 'fixture-sae', format: 'png', name: 'feature-311-strip', dataUrl: 'data:image/png;base64,' },
    });
    await page.locator('ci-sae-panel .exports vscode-button', { hasText: 'CSV' }).click();
    assert.deepEqual(await last(page, 'export'), { method: 'export', params: { inspectionId: 'fixture-sae', format: 'csv' } });
    await page.close();
  });

  it('the reconstruction quality arriving later for the same inspection keeps the card and the token list', async () => {
    const { page } = await open('theme=dark&noquality');
    assert.match(await page.locator('ci-sae-panel section.quality').innerText(), /Not computed yet/);
    await pickFeature(page, 311);
    await clickToken(page, OPEN);
    await page.evaluate(() => {
      const hs = window.__ciSaeHarness;
      const q = {
        rel_error_pos: new Float32Array(46).fill(0.2),
        kl_pos: new Float32Array(46).fill(0.02),
        varianceExplained: 0.9,
        ceClean: 1.8,
        ceSpliced: 1.85,
        top1Agreement: 0.96,
        nScored: 45,
      };
      hs.send({ method: 'features', params: { ...hs.fx.features, quality: q } });
      hs.send({ method: 'stale', params: { stale: true, reason: 'the document was edited' } });
    });
    await page.locator('ci-sae-panel .verdict.good').waitFor();
    assert.equal(await page.locator('ci-feature-card .fid').innerText(), '#311');
    assert.equal(await page.locator('ci-sae-panel table.features tbody tr').count(), 15);
    assert.match(await page.locator('ci-sae-panel .banner[role="alert"]').innerText(), /Stale — the document was edited/);
    await page.close();
  });

  it('a new inspection replaces the card; messages for another inspection are ignored', async () => {
    const { page } = await open('theme=dark');
    await pickFeature(page, 311);
    await page.evaluate(() => {
      const hs = window.__ciSaeHarness;
      hs.send({ method: 'featureCard', params: { ...hs.fx.features, inspectionId: 'other' } });
      hs.send({ method: 'features', params: { ...hs.fx.features, inspectionId: 'run-2' } });
    });
    await page.locator('ci-sae-panel .card-section .placeholder').waitFor();
    assert.equal(await page.locator('ci-feature-card').count(), 0);
    assert.equal(await page.locator('ci-feature-strip .tok .text[data-level="6"]').count(), 0, 'the old paint is gone');
    await page.close();
  });
});
