// Helpers shared by the Inspect Features component tests and screenshots: open the harness and
// drive the panel the way a user does.

/** Waits until the strip has drawn its tokens (or, with `empty`, the empty message). */
export async function waitForSae(page, query = '') {
  if (query.includes('empty')) await page.locator('ci-sae-panel .empty').waitFor();
  else await page.locator('ci-feature-strip .tok').first().waitFor();
}

/** Clicks token `i` of the strip and waits for its feature table. */
export async function clickToken(page, i) {
  await page.locator(`ci-feature-strip .tok[data-i="${i}"] .text`).click();
  await page.locator(`ci-sae-panel table.features`).waitFor();
}

/** Clicks the first chip of feature `f` in the strip and waits for its card. */
export async function pickFeature(page, f) {
  await page.locator(`ci-feature-strip .chip[data-f="${f}"]`).first().click();
  await page.locator(`ci-feature-card .fid`).waitFor();
}

/** Runs the ablated text from the card and waits for it. */
export async function ablate(page) {
  await page.locator('ci-feature-card vscode-button.ablate').click();
  await page.locator('ci-ablated-text .ptok').first().waitFor();
}

/** Starts a scan from the card. */
export async function scan(page) {
  await page.locator('ci-feature-card vscode-button.scan').click();
}
