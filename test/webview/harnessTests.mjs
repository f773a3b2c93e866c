// What every component test file sets up: the harness bundles, one server and one Chromium for
// the file (closed after it), and pages that collect what the webview logs as errors.
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_OPTIONS, serve } from './harnessServer.mjs';

/**
 * Registers the file's `before` (runs `build`, starts the server and Chromium) and `after`; the
 * returned object holds `server` and `browser` once `before` has run.
 */
export function useHarness(build) {
  const h = { server: undefined, browser: undefined };
  before(async () => {
    await build();
    h.server = await serve();
    h.browser = await chromium.launch(CHROMIUM_OPTIONS);
  });
  after(async () => {
    await h.browser?.close();
    await h.server?.close();
  });
  return h;
}
