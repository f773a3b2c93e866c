/** The repository's root folder, for tests that read its files (goldens, models, package.json). */
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');
