/** Where the model the project ships lives, relative to the package root (dist/.. when bundled, src/model/../.. from source). */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHIPPED_MODEL_NAME = 'gpt2-python-mini';

export function packageRoot(): string {
  // Bundled: dist/*.js → ..; from source: src/model/*.ts → ../..
  for (const up of ['..', '../..']) {
    const root = resolve(__dirname, up);
    if (existsSync(join(root, 'package.json')) && existsSync(join(root, 'models'))) return root;
  }
  return resolve(__dirname, '..');
}

/** The shipped model folder, or the first model folder under models/ when the name changed. */
export function shippedModelDir(): string {
  const models = join(packageRoot(), 'models');
  const named = join(models, SHIPPED_MODEL_NAME);
  if (existsSync(join(named, 'config.json'))) return named;
  const any = existsSync(models) ? readdirSync(models).find((d) => existsSync(join(models, d, 'config.json'))) : undefined;
  if (!any) throw new Error(`no shipped model found under ${models}; pass --model DIR`);
  return join(models, any);
}
