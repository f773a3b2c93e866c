/**
 * Loads an SAELens folder: cfg.json, sae_weights.safetensors and the optional sparsity.safetensors.
 * Tensors go through the project's safetensors reader (F32/F16/BF16 → float32); every name, shape and
 * value is checked before the SAE is returned, and each error names the file and tensor.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from '../checkpoint/checkpointError';
import { SafetensorsFile } from '../checkpoint/safetensors';
import { coordinatesOf, firstNonFiniteIndex, nonFiniteName } from '../finiteChecks';
import { errorMessage } from '../../shared/errors';
import { parseSaeConfig, SAE_CONFIG_FILE, SAE_SPARSITY_FILE, SAE_WEIGHTS_FILE } from './saeConfig';
import { SaeError } from './saeError';
import type { LoadedSae, SaeConfig, SaeWeights } from './saeTypes';

const PICKLE_EXTENSIONS = ['.pt', '.pth', '.bin', '.ckpt', '.pkl'];

/** How to turn a pickled SAE into the safetensors file this loader reads (shown in the error). */
export const PICKLE_CONVERSION_HINT =
  "convert it once with PyTorch: python -c \"import torch, safetensors.torch as st; sd = torch.load('sae_weights.pt', map_location='cpu'); " +
  "sd = sd.get('state_dict', sd); st.save_file({k: v.contiguous() for k, v in sd.items()}, 'sae_weights.safetensors')\" (pickle files can run code when loaded: only convert files you trust)";

/** Tensor names each architecture needs, with their shapes. */
function expectedTensors(c: SaeConfig): [string, number[]][] {
  const common: [string, number[]][] = [
    ['W_enc', [c.dIn, c.dSae]],
    ['W_dec', [c.dSae, c.dIn]],
    ['b_dec', [c.dIn]],
  ];
  switch (c.architecture) {
    case 'standard':
    case 'topk':
      return [...common, ['b_enc', [c.dSae]]];
    case 'jumprelu':
      return [...common, ['b_enc', [c.dSae]], ['threshold', [c.dSae]]];
    case 'gated': // SAELens's gated SAE has no b_enc: b_gate and b_mag take its place
      return [...common, ['b_gate', [c.dSae]], ['b_mag', [c.dSae]], ['r_mag', [c.dSae]]];
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function readChecked(file: SafetensorsFile, name: string, shape: readonly number[]): Promise<Float32Array> {
  const data = await file.readFloat32(name);
  const bad = firstNonFiniteIndex(data);
  if (bad >= 0) {
    throw new SaeError(
      'non-finite',
      `${file.path}: tensor '${name}' holds ${nonFiniteName(data[bad])} (first at ${coordinatesOf(bad, shape)} of [${shape.join(', ')}]); SAE weights must be finite numbers`,
    );
  }
  return data;
}

async function listFolder(folder: string): Promise<string[]> {
  let st;
  try {
    st = await stat(folder);
  } catch {
    throw new SaeError('not-found', `SAE folder ${folder} does not exist`);
  }
  if (!st.isDirectory())
    throw new SaeError('not-found', `${folder} is not a folder; an SAELens SAE is a folder with ${SAE_CONFIG_FILE} and ${SAE_WEIGHTS_FILE}`);
  return readdir(folder);
}

async function readConfig(folder: string, files: readonly string[]): Promise<SaeConfig> {
  const path = join(folder, SAE_CONFIG_FILE);
  if (!files.includes(SAE_CONFIG_FILE)) {
    throw new SaeError('missing-config', `${folder} has no ${SAE_CONFIG_FILE}: an SAELens SAE folder holds ${SAE_CONFIG_FILE} and ${SAE_WEIGHTS_FILE}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new SaeError('malformed-config', `${path} is not valid JSON: ${errorMessage(e)}`);
  }
  return parseSaeConfig(json, path);
}

async function readWeights(folder: string, config: SaeConfig): Promise<SaeWeights> {
  const path = join(folder, SAE_WEIGHTS_FILE);
  let file: SafetensorsFile;
  try {
    file = await SafetensorsFile.open(path);
  } catch (e) {
    throw new SaeError('missing-tensor', `could not read ${path}: ${errorMessage(e)}`);
  }
  try {
    const expected = expectedTensors(config);
    const missing = expected.filter(([n]) => !file.tensors.has(n) && !(n === 'threshold' && file.tensors.has('log_threshold')));
    if (missing.length) {
      throw new SaeError(
        'missing-tensor',
        `${path}: the ${config.architecture} SAE needs tensor(s) ${missing.map(([n]) => `'${n}'`).join(', ')}, which the file lacks (it holds ${[...file.tensors.keys()].join(', ') || 'nothing'})`,
      );
    }
    const out: Record<string, Float32Array> = {};
    for (const [name, shape] of expected) {
      const stored = name === 'threshold' && !file.tensors.has(name) ? 'log_threshold' : name;
      const info = file.tensors.get(stored)!;
      if (!sameShape(info.shape, shape)) {
        throw new SaeError(
          'tensor-shape',
          `${path}: tensor '${stored}' has shape [${info.shape.join(', ')}], but d_in ${config.dIn} and d_sae ${config.dSae} in ${SAE_CONFIG_FILE} need [${shape.join(', ')}]`,
        );
      }
      try {
        out[name] = await readChecked(file, stored, shape);
      } catch (e) {
        if (e instanceof CheckpointError) throw new SaeError('tensor-shape', errorMessage(e));
        throw e;
      }
      if (stored === 'log_threshold') out[name] = out[name].map(Math.exp);
    }
    const scaling = file.tensors.get('scaling_factor');
    if (scaling) {
      const s = await file.readFloat32('scaling_factor');
      if (s.some((v) => v !== 1)) {
        throw new SaeError(
          'unsupported-normalization',
          `${path}: a finetuning 'scaling_factor' other than 1 is not supported; fold it into W_dec (W_dec *= scaling_factor[:, None]) and save again`,
        );
      }
    }
    return {
      W_enc: out.W_enc,
      W_dec: out.W_dec,
      b_enc: out.b_enc ?? new Float32Array(config.dSae),
      b_dec: out.b_dec,
      ...(out.threshold ? { threshold: out.threshold } : {}),
      ...(out.b_gate ? { b_gate: out.b_gate, b_mag: out.b_mag, r_mag: out.r_mag } : {}),
    };
  } finally {
    await file.close();
  }
}

/** log10 feature density [d_sae] from sparsity.safetensors ('sparsity'), when the folder has one. */
async function readSparsity(folder: string, config: SaeConfig): Promise<Float32Array | undefined> {
  const path = join(folder, SAE_SPARSITY_FILE);
  const file = await SafetensorsFile.open(path);
  try {
    const info = file.tensors.get('sparsity');
    if (!info) throw new SaeError('missing-tensor', `${path}: no tensor 'sparsity' (log10 feature density)`);
    if (info.shape.reduce((a, b) => a * b, 1) !== config.dSae) {
      throw new SaeError('tensor-shape', `${path}: 'sparsity' has shape [${info.shape.join(', ')}], expected [${config.dSae}] (one log10 density per feature)`);
    }
    return await file.readFloat32('sparsity'); // -Inf is a legitimate value: a feature that never fired
  } finally {
    await file.close();
  }
}

function labelOf(folder: string, c: SaeConfig): string {
  const source = c.modelName ?? basename(dirname(folder));
  return `${source} · ${c.hookName} · ${c.dSae} features`;
}

/** Reads cfg.json, sae_weights.safetensors and the optional sparsity.safetensors of an SAELens folder. */
export async function loadSaeFolder(folder: string): Promise<LoadedSae> {
  const files = await listFolder(folder);
  const resolved = await realpath(folder);
  if (!files.includes(SAE_WEIGHTS_FILE)) {
    const pickles = files.filter((f) => PICKLE_EXTENSIONS.some((ext) => f.endsWith(ext)));
    if (pickles.length) {
      throw new SaeError(
        'pickle-only',
        `${folder} holds only pickled weights (${pickles.join(', ')}), which are not loaded (pickle can run code); ${PICKLE_CONVERSION_HINT}`,
      );
    }
  }
  const config = await readConfig(resolved, files);
  if (!files.includes(SAE_WEIGHTS_FILE)) throw new SaeError('missing-tensor', `${folder} has ${SAE_CONFIG_FILE} but no ${SAE_WEIGHTS_FILE}`);
  const weights = await readWeights(resolved, config);
  const logDensity = files.includes(SAE_SPARSITY_FILE) ? await readSparsity(resolved, config) : undefined;
  const stamps: string[] = [];
  for (const f of [SAE_CONFIG_FILE, SAE_WEIGHTS_FILE, SAE_SPARSITY_FILE].filter((n) => files.includes(n))) {
    const s = await stat(join(resolved, f));
    stamps.push(`${f}:${s.size}:${Math.round(s.mtimeMs)}`);
  }
  return {
    id: `${resolved}|${stamps.join('|')}`,
    label: labelOf(resolved, config),
    folder: resolved,
    config,
    weights,
    ...(logDensity ? { logDensity } : {}),
  };
}
