/**
 * extensionTestsPath entry: runs the bundled suites (suite/*.js) with mocha inside the extension
 * host. The bundle is copied into the installed extension's folder (so `require('vscode')` is that
 * extension's API); mocha comes from the repository, by the absolute path baked in at build time.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

declare const __MOCHA_PATH__: string;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha: typeof import('mocha') = require(__MOCHA_PATH__);

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  const dir = path.join(__dirname, 'suite');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort())
    mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
