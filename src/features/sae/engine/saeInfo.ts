/** How the view names a loaded SAE, and the quality summary it shows, from the analysis's records. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReconstructionQuality as AnalysisQuality } from '../../../analysis/sae';
import type { LoadedSae } from '../../../model/sae';
import type { ReconstructionQuality, SaeInfo, SaeReference } from '../shared/protocol';

export function saeInfo(sae: LoadedSae, source: string): SaeInfo {
  const c = sae.config;
  return {
    label: sae.label,
    hookName: c.hookName,
    architecture: c.architecture === 'topk' && c.k !== undefined ? `topk (k = ${c.k})` : c.architecture,
    d_sae: c.dSae,
    d_in: c.dIn,
    inputTransform: c.inputTransform,
    inputTransformReason: c.inputTransformReason,
    densitySource: sae.logDensity ? 'sparsity file' : 'unknown',
    source,
    reference: saeReference(sae.folder),
  };
}

/**
 * The SAE's own evaluation, when its folder has an `evaluation.json` in the layout tools/sae writes
 * (the shipped SAE has one): what a typical prompt gets, shown beside this prompt's numbers.
 */
export function saeReference(folder: string): SaeReference | undefined {
  let e: Record<string, unknown>;
  try {
    const json = JSON.parse(readFileSync(join(folder, 'evaluation.json'), 'utf8')) as { evaluation?: Record<string, unknown> };
    if (!json.evaluation || typeof json.evaluation !== 'object') return undefined;
    e = json.evaluation;
  } catch {
    return undefined;
  }
  const num = (k: string) => (typeof e[k] === 'number' && Number.isFinite(e[k]) ? (e[k] as number) : undefined);
  const ve = num('variance_explained');
  const clean = num('ce_clean');
  const spliced = num('ce_spliced');
  const tokens = num('heldout_tokens');
  if (ve === undefined && (clean === undefined || spliced === undefined)) return undefined;
  return {
    varianceExplained: ve,
    deltaCe: clean !== undefined && spliced !== undefined ? spliced - clean : undefined,
    source: `evaluation.json${tokens ? ` (${Math.round(tokens).toLocaleString('en-US')} held-out tokens)` : ''}`,
  };
}

/** A feature's density from the SAE's sparsity file (log10 of the fraction of tokens), or null. */
export function fileDensity(sae: LoadedSae, feature: number): number | null {
  const d = sae.logDensity?.[feature];
  if (d === undefined || !Number.isFinite(d)) return d === -Infinity ? 0 : null;
  return Math.min(1, Math.max(0, 10 ** d));
}

/**
 * The view's summary: BOS is not scored (its residual is an outlier SAEs are not trained on), so
 * the means and the variance explained skip position 0 when it is BOS. Cross-entropy at position p
 * predicts token p + 1, so the last position has none.
 */
export function qualitySummary(q: AnalysisQuality): ReconstructionQuality {
  const pos = q.relativeError.length;
  const from = q.firstIsBos ? 1 : 0;
  const scored = Math.max(0, pos - from);
  const mean = (a: ArrayLike<number>, start: number, end: number) => {
    let s = 0;
    for (let i = start; i < end; i++) s += a[i];
    return end > start ? s / (end - start) : 0;
  };
  const ve = q.varianceExplainedExcludingBos;
  return {
    rel_error_pos: q.relativeError,
    varianceExplained: Number.isFinite(ve) ? ve : 0,
    kl_pos: q.klPerPosition,
    ceClean: mean(q.ceClean, from, q.ceClean.length),
    ceSpliced: mean(q.ceSpliced, from, q.ceSpliced.length),
    top1Agreement: mean(q.top1Agrees, from, pos),
    nScored: scored,
  };
}
