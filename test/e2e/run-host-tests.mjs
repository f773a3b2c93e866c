// Runs the extension-host mocha tests inside code-server's Node extension host, driven by Chromium:
// the @vscode/test-web contract (URL `payload` with extensionDevelopmentPath/extensionTestsPath;
// the workbench calls window.codeAutomationExit(code) when the run ends).
// Env: CS_URL, EXT_DEV (extension folder), EXT_TESTS (bundled runner exporting run()), WS (folder).
import { chromium } from 'playwright-core';

const BASE = process.env.CS_URL ?? 'http://127.0.0.1:8091';
const { EXT_DEV, EXT_TESTS, WS } = process.env;
if (!EXT_DEV || !EXT_TESTS || !WS) throw new Error('EXT_DEV, EXT_TESTS and WS are required');
const TIMEOUT_MS = Number(process.env.HOST_TESTS_TIMEOUT_MS ?? 240_000);
const authority = new URL(BASE).host; // code-server's remote authority is host:port
const remote = (p) => `vscode-remote://${authority}${p}`;
const payload = [
  ['extensionDevelopmentPath', remote(EXT_DEV)],
  ['extensionTestsPath', remote(EXT_TESTS)],
];
const url = `${BASE}/?folder=${encodeURIComponent(WS)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

const t0 = Date.now();
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
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
let done;
const finished = new Promise((r) => (done = r));
await page.exposeFunction('codeAutomationLog', (_type, args) => console.log(...args)); // the extension host's console: mocha's report
await page.exposeFunction('codeAutomationExit', (code) => done(code));
page.on('pageerror', (e) => console.error('pageerror:', e.message));
await page.goto(url);
const code = await Promise.race([finished, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
console.log(`extension-host tests exit code: ${code} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (code !== 0 && process.env.ART) await page.screenshot({ path: `${process.env.ART}/host-tests-failure.png` }).catch(() => undefined);
await browser.close();
process.exit(code === 0 ? 0 : 1);
