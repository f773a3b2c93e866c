/** Inspect Features' exports: the record as JSON, and every active feature per position as CSV. */
import { csvRows } from '../../shared/csv';
import type { CurrentFeatures } from './currentFeatures';
import type { ActivationsResult } from './shared/engineMethods';

/** The view's record: SAE, tokens, top features per position, norms, quality, and the card, ablation and scan shown. */
export function featuresJson(cur: CurrentFeatures, stale: boolean): string {
  const f = cur.features;
  const out = {
    format: 'circuit-inspector.features/1',
    model: f.modelName,
    sae: f.sae,
    stale,
    warnings: f.warnings,
    notes: f.notes,
    tokens: f.tokens.map((t, i) => ({ position: i, id: t.id, text: t.text, isBos: t.isBos })),
    k: f.k,
    top: f.top,
    l0: Array.from(f.l0_pos),
    residNorm: Array.from(f.resid_norm_pos),
    errorNorm: Array.from(f.error_norm_pos),
    quality: f.quality ? { ...f.quality, rel_error_pos: Array.from(f.quality.rel_error_pos), kl_pos: Array.from(f.quality.kl_pos) } : null,
    card: cur.card ? { ...cur.card, acts_pos: Array.from(cur.card.acts_pos), inspectionId: undefined } : null,
    ablation: cur.ablation ? { ...cur.ablation, ablated_pos: Array.from(cur.ablation.ablated_pos), inspectionId: undefined } : null,
    scan: cur.scanResult ? { ...cur.scanResult, inspectionId: undefined } : null,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** One row per (position, active feature): position,token_id,token,feature,act (fields as `csvField` writes them). */
export function activationsCsv(a: ActivationsResult): string {
  const rows: (string | number)[][] = [['position', 'token_id', 'token', 'feature', 'act']];
  for (let i = 0; i < a.position.length; i++) {
    const t = a.tokens[a.position[i]];
    rows.push([a.position[i], t.id, t.text, a.feature[i], a.act[i]]);
  }
  return csvRows(rows);
}
