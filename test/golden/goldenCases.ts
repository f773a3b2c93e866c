/** The committed golden cases made by tools/reference (independent PyTorch, float64). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldenCase {
  readonly name: string;
  readonly checkpoint: string;
  readonly tokens: number[];
  readonly clean_tokens: number[];
  readonly corrupt_tokens: number[];
  readonly answer: number;
  readonly wrong: number;
  readonly layer_norm: 'as_configured' | 'identity';
  readonly goldenFile: string;
}

export const GOLDEN_DIR = join(__dirname, 'cases');

export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.json$/, '');
      const json = JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8'));
      return { ...json, name, checkpoint: join(__dirname, '..', '..', json.checkpoint), goldenFile: join(GOLDEN_DIR, `${name}.safetensors`) };
    });
}

/**
 * The tolerance of the parity tests: 1e-4 of the golden tensor's largest finite magnitude.
 * Infinite entries (masked attention scores) must match exactly.
 */
export function compareToGolden(actual: Float32Array, golden: Float32Array): { ok: boolean; maxErr: number; tol: number; where: number } {
  if (actual.length !== golden.length) return { ok: false, maxErr: Infinity, tol: 0, where: -1 };
  let scale = 0;
  for (const g of golden) if (Number.isFinite(g)) scale = Math.max(scale, Math.abs(g));
  const tol = 1e-4 * scale;
  let maxErr = 0;
  let where = -1;
  for (let i = 0; i < golden.length; i++) {
    const g = golden[i];
    const a = actual[i];
    const err = Number.isFinite(g) ? Math.abs(a - g) : a === g ? 0 : Infinity;
    if (!(err <= maxErr)) {
      maxErr = Number.isNaN(err) ? Infinity : err;
      where = i;
    }
  }
  return { ok: maxErr <= tol, maxErr, tol, where };
}
