/** Where an SAE comes from: the setting `circuitInspector.sae` and the CLI's --sae. No vscode. */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { packageRoot, shippedModelDir } from '../shippedModel';
import { SaeError } from './saeError';

export const SHIPPED_SAE_HOOK = 'blocks.1.hook_resid_pre';

/** '' → the SAE shipped with the model; 'hf:owner/repo:subfolder' (or 'hf:owner/repo@revision:subfolder') → the hub; anything else → a local folder. */
export type SaeSource =
  | { readonly kind: 'shipped' }
  | { readonly kind: 'folder'; readonly folder: string }
  | { readonly kind: 'hub'; readonly repo: string; readonly subfolder: string; readonly revision?: string };

const BARE_HUB = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(@[^:]+)?:[^:]+$/;

/**
 * Parses a source string; relative folders resolve against `baseDir` (default: the current
 * directory). The CLI's bare `owner/repo:subfolder` (no `hf:`) is read as the hub too, unless a
 * local path of that name exists.
 */
export function parseSaeSource(source: string, baseDir = process.cwd()): SaeSource {
  const s = source.trim();
  if (s === '') return { kind: 'shipped' };
  const bareHub = !s.startsWith('hf:') && BARE_HUB.test(s) && !existsSync(resolve(baseDir, s));
  if (s.startsWith('hf:') || bareHub) {
    const rest = bareHub ? s : s.slice(3);
    const colon = rest.indexOf(':');
    const repoPart = colon < 0 ? rest : rest.slice(0, colon);
    const subfolder = colon < 0 ? '' : rest.slice(colon + 1).replace(/^\/+|\/+$/g, '');
    const [repo, revision] = repoPart.split('@', 2);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
      throw new SaeError(
        'not-found',
        `'${source}': expected hf:<owner>/<repo>:<subfolder>, e.g. hf:jbloom/GPT2-Small-SAEs-Reformatted:blocks.8.hook_resid_pre`,
      );
    }
    if (subfolder.split('/').some((p) => p === '..' || p === '.'))
      throw new SaeError('not-found', `'${source}': the subfolder may not contain '.' or '..' segments`);
    return { kind: 'hub', repo, subfolder, ...(revision ? { revision } : {}) };
  }
  return { kind: 'folder', folder: isAbsolute(s) ? s : resolve(baseDir, s) };
}

/** The SAE shipped with the shipped model: models/gpt2-python-mini/sae/blocks.1.hook_resid_pre (it may not exist yet). */
export function shippedSaeFolder(): string {
  let modelDir: string;
  try {
    modelDir = shippedModelDir();
  } catch {
    modelDir = join(packageRoot(), 'models', 'gpt2-python-mini');
  }
  return join(modelDir, 'sae', SHIPPED_SAE_HOOK);
}

/** The shipped SAE's folder, or SaeError 'not-found' when the package lacks it. */
export function requireShippedSaeFolder(): string {
  const folder = shippedSaeFolder();
  if (!existsSync(folder))
    throw new SaeError(
      'not-found',
      `no SAE is shipped with the model (expected ${folder}); set circuitInspector.sae to a folder or hf:<owner>/<repo>:<subfolder>`,
    );
  return folder;
}
