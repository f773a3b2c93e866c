// Component tests of Compare Token Substitution's SAE features section (ci-feature-attribution in
// ci-substitution-panel) in Chromium, against the substitution harness (fake host, strict CSP).
// Run: node --test test/webview/saeFeaturesComponents.test.mjs
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './harnessServer.mjs';
import { useHarness } from './harnessTests.mjs';
import { buildSubstitutionHarness } from './substitutionBuild.mjs';

const h = useHarness(buildSubstitutionHarness);

async function open(query, width = 1200) {
  const { page, errors } = await openPage(h.browser, `${h.server.url}/test/webview/substitutionHarness.html?${query}`, { width, height: 1000 });
  await page.locator('ci-patch-heatmap canvas').nth(1).waitFor();
  return { page, errors };
}

const section = (page) => page.locator('ci-feature-attribution');
const posted = (page) =>
  page.evaluate(() => window.__ciSubstitutionHarness.posted.filter((m) => m.method !== 'ready').map((m) => ({ method: m.method, params: m.params })));
const violations = (page) => page.evaluate(() => window.__ciSubstitutionHarness.violations);
const rows = (page) => section(page).locator('tbody tr:not(.note)');

describe('Compare Token Substitution: SAE features that carry the substitution', () => {
  it('without an SAE: one line, and Select SAE… asks the host to choose one', async () => {
    const { page, errors } = await open('theme=dark&source=exact&sae=no-sae');
    const s = section(page);
    await s.getByRole('button', { name: 'Select SAE…' }).waitFor();
    assert.equal(await s.locator('table').count(), 0);
    assert.equal(await s.locator('h2').count(), 0, 'no section heading, only the hint');
    assert.match(await s.locator('p').innerText(), /Select SAE… to see which SAE features carry this substitution/);
    await s.getByRole('button', { name: 'Select SAE…' }).click();
    assert.deepEqual(await posted(page), [{ method: 'selectSae', params: { runId: 'fixture-run' } }]);
    assert.deepEqual(errors, []);
    assert.deepEqual(await violations(page), []);
  });

  it('lists the features strongest first with estimate and exact in both directions, verdicts, the sign note, and opens a feature', async () => {
    const { page, errors } = await open('theme=dark&source=exact&sae=done');
    const r = rows(page);
    await r.first().waitFor();
    assert.equal(await r.count(), 10);
    const first = await r.first().innerText();
    assert.match(first, /#412/);
    assert.match(first, /12 param→arg/, 'where the attribution peaks');
    assert.match(first, /≈ \+48%[\s\S]*\+41%[\s\S]*≈ \+44%[\s\S]*\+52%/, 'estimate then exact, denoising then noising');
    const s = section(page);
    assert.equal(await s.locator('.verdict.carries').count(), 3);
    assert.equal(await s.locator('.verdict.negligible').count(), 2);
    // #23: +19% estimated, −6% exact: flagged, no verdict, and explained in a note row
    const f23 = r.filter({ hasText: '#23' });
    assert.match(await f23.innerText(), /sign differs/);
    assert.equal(await f23.locator('.verdict').count(), 0);
    assert.match(await s.locator('tr.note').innerText(), /Denoising: the estimate \(\+19%\) and the exact patch \(-6%\) disagree in sign/);
    // bars: filled (exact) and hollow (estimate), signed by colour class
    assert.equal(await r.first().locator('.track.exact .bar.pos').count(), 2);
    assert.equal(await r.filter({ hasText: '#655' }).locator('.track.exact .bar.neg').count(), 2);
    const width = await r
      .first()
      .locator('.track.exact .bar')
      .first()
      .evaluate((b) => b.style.width);
    assert.equal(width, '20.5%', 'a 41% share fills 41% of the half track');
    await s.getByRole('button', { name: '#901' }).click();
    assert.deepEqual(await posted(page), [{ method: 'inspectFeature', params: { runId: 'fixture-run', feature: 901 } }]);
    assert.deepEqual(errors, []);
    assert.deepEqual(await violations(page), []);
  });

  it('while the exact patches run: the estimate, progress, pending exact cells, and Cancel', async () => {
    const { page } = await open('theme=dark&source=attribution&sweeping&sae=exact');
    const s = section(page);
    await rows(page).first().waitFor();
    const p = s.locator('progress');
    assert.deepEqual(await p.evaluate((e) => [e.value, e.max]), [6, 20]);
    assert.match(await rows(page).first().innerText(), /≈ \+48%\s*…/);
    assert.equal(await s.locator('.verdict').count(), 0, 'no verdict before the exact patch');
    await s.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await posted(page), [{ method: 'cancelSaeFeatures', params: { runId: 'fixture-run' } }]);
  });

  it('a small gap: raw changes, no verdicts; a message for another run is ignored; a new comparison clears the section', async () => {
    const { page } = await open('theme=dark&source=exact&smallgap&sae=done');
    const s = section(page);
    await rows(page).first().waitFor();
    assert.match(await s.locator('thead').innerText(), /denoising: change/);
    assert.match(await rows(page).first().innerText(), /nats/);
    assert.equal(await s.locator('.verdict').count(), 0);
    await page.evaluate(() =>
      window.__ciSubstitutionHarness.send({
        method: 'saeFeatures',
        params: { runId: 'another-run', state: 'no-sae', message: 'x', features: [], warnings: [] },
      }),
    );
    assert.equal(await rows(page).count(), 10);
    await page.evaluate(() => {
      const c = document.querySelector('ci-substitution-panel').comparison;
      window.__ciSubstitutionHarness.send({ method: 'comparison', params: { ...c, runId: 'next-run' } });
    });
    await section(page).waitFor({ state: 'detached' });
  });
});
