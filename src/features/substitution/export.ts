/**
 * Exports of a comparison's tables: JSON (nested arrays, raw and normalised), CSV (one row per
 * cell) and a self-contained HTML report (inline CSS, inline SVG heatmaps, the data as inert
 * JSON; no scripts, no remote resources). Pure: the panel writes what these return.
 */
import { csvField } from '../../shared/csv';
import { INT8_NOTE, type LogitsError } from '../../shared/precision';
import type { TableCheckRecord } from './results';
import {
  cellAddress,
  cellValue,
  defaultValueMode,
  formatValue,
  isSmallGap,
  normalised,
  positionLabels,
  smallGapNote,
  SWEEP_LABELS,
  tableGrid,
  targetMetric,
  type ComparisonParams,
  type PatchTable,
  type SaeFeaturesParams,
  unpatchedValue,
  type ValueMode,
} from './shared/protocol';

type Nested = number | null | Nested[];

/** Float32 values printed with the digits a float32 carries (7 significant). */
export function f32(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(7)) : NaN;
}

function nest(values: ArrayLike<number>, dims: readonly number[], map: (v: number) => number | null): Nested {
  const walk = (axis: number, offset: number): Nested => {
    if (axis === dims.length) return map(values[offset]);
    const stride = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[axis] }, (_, i) => walk(axis + 1, offset + i * stride));
  };
  return walk(0, 0);
}

const denominatorWarning = 'the clean and corrupt prompts give the same metric: normalised values are undefined (null)';

/**
 * The SAE features that carry the substitution, as far as they are known when exported: each with
 * its attribution (estimated patched metric change) and, once run, its exact patched metric, both
 * directions, and the attribution per position.
 */
export function saeFeaturesToJson(p: SaeFeaturesParams): unknown {
  return {
    state: p.state,
    ...(p.message ? { message: p.message } : {}),
    sae: p.sae ?? null,
    attributed: p.attributed ?? null,
    warnings: p.warnings,
    note: 'attribution: activation difference × (W_dec[f] · ∂metric/∂x), the SAE spliced in with its error term kept; exact: the metric with the feature’s activations of the other run patched in at every position',
    features: p.features.map((f) => ({
      feature: f.feature,
      attribution: { denoise: f32(f.attribution.denoise), noise: f32(f.attribution.noise) },
      exact: f.exact ? { denoise: f32(f.exact.denoise), noise: f32(f.exact.noise) } : null,
      attribution_denoise_pos: Array.from(f.denoise_pos, f32),
      attribution_noise_pos: Array.from(f.noise_pos, f32),
    })),
  };
}

/**
 * An int8 comparison's error against fp32: the clean prompt's logits error, and each table checked
 * in fp32 (its error summary and the fp32 table itself). Undefined for an exact comparison.
 */
export function precisionToJson(c: ComparisonParams, checks: readonly TableCheckRecord[] = []): unknown {
  const done = checks.filter((r) => r.params.state === 'done' && r.params.check);
  if (!c.precisionError && done.length === 0) return undefined;
  const logits = (e: LogitsError) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, f32(v)]));
  return {
    precision: 'int8',
    note: INT8_NOTE,
    ...(c.precisionError ? { logits: logits(c.precisionError) } : {}),
    tableChecks: done.map(({ params: p, fp32 }) => {
      const k = p.check!;
      const at = (i: number) => (fp32 ? cellAddress(fp32, i) : { index: i });
      return {
        sweep: p.sweep,
        direction: p.direction,
        cells: k.cells,
        maxAbs: f32(k.maxAbs),
        maxAbsShareOfGap: k.maxAbsShare === null ? null : f32(k.maxAbsShare),
        metric: {
          fp32: { clean: f32(k.metric.fp32.clean), corrupt: f32(k.metric.fp32.corrupt) },
          int8: { clean: f32(k.metric.int8.clean), corrupt: f32(k.metric.int8.corrupt) },
        },
        strongestCells: { k: k.top.k, shared: k.top.shared, fp32: k.top.fp32.map(at), int8: k.top.int8.map(at) },
        ...(fp32 ? { fp32: { axes: fp32.axes, dims: fp32.dims, patched: nest(fp32.patched, fp32.dims, f32) } } : {}),
      };
    }),
  };
}

export function comparisonToJson(
  c: ComparisonParams,
  tables: readonly PatchTable[],
  saeFeatures?: SaeFeaturesParams,
  tableChecks?: readonly TableCheckRecord[],
): unknown {
  const precision = precisionToJson(c, tableChecks);
  const { clean, corrupt } = c.metric;
  return {
    model: c.modelName,
    clean: { text: c.clean.text, tokens: c.clean.tokens },
    corrupt: { text: c.corrupt.text, tokens: c.corrupt.tokens },
    differingPositions: c.diff.differingPositions,
    metric: { ...c.metric, clean: f32(clean), corrupt: f32(corrupt) },
    notes: c.notes,
    ...(clean === corrupt ? { warning: denominatorWarning } : {}),
    normalisation: '(patched - corrupt) / (clean - corrupt)',
    tables: tables.map((t) => ({
      sweep: t.sweep,
      direction: t.direction,
      source: t.source,
      ...(t.source === 'attribution' ? { note: 'attribution-patching estimate (target metric + first-order change), not an exact sweep' } : {}),
      axes: t.axes,
      dims: t.dims,
      patched: nest(t.patched, t.dims, f32),
      normalised: nest(t.patched, t.dims, (v) => {
        const n = normalised(v, clean, corrupt);
        return n === null ? null : f32(n);
      }),
    })),
    ...(saeFeatures && saeFeatures.state !== 'no-sae' ? { saeFeatures: saeFeaturesToJson(saeFeatures) } : {}),
    ...(precision ? { precision } : {}),
  };
}

export const CSV_HEADER = ['direction', 'sweep', 'source', 'layer', 'head', 'pos', 'clean_token', 'corrupt_token', 'patched', 'normalised', 'change'];

/** One row per cell of every table; empty `head`/`pos` where the sweep has no such axis. */
export function comparisonToCsv(c: ComparisonParams, tables: readonly PatchTable[]): string {
  const { clean, corrupt } = c.metric;
  const lines = [CSV_HEADER.join(',')];
  for (const t of tables) {
    const target = targetMetric(t.direction, clean, corrupt);
    for (let i = 0; i < t.patched.length; i++) {
      const a = cellAddress(t, i);
      const v = t.patched[i];
      const n = normalised(v, clean, corrupt);
      const row = [
        t.direction,
        t.sweep,
        t.source,
        a.layer,
        a.head ?? null,
        a.pos ?? null,
        a.pos !== undefined ? c.clean.tokens[a.pos]?.text : null,
        a.pos !== undefined ? c.corrupt.tokens[a.pos]?.text : null,
        f32(v),
        n === null ? null : f32(n),
        f32(v - target),
      ];
      lines.push(row.map(csvField).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

/** Diverging colour centred on 0: blue below, white at 0, red above; |v| ≥ scale is full colour. */
export function divergingColor(v: number | null, scale: number): string {
  if (v === null || !Number.isFinite(v) || scale <= 0) return '#e0e0e0';
  const t = Math.max(-1, Math.min(1, v / scale));
  const [r, g, b] = t >= 0 ? [255, 255 - 180 * t, 255 - 190 * t] : [255 + 200 * t, 255 + 130 * t, 255];
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

function svgHeatmap(c: ComparisonParams, t: PatchTable, mode: ValueMode): string {
  const { clean, corrupt } = c.metric;
  const g = tableGrid(t, positionLabels(c));
  const values = Array.from(t.patched, (v) => cellValue(mode, v, t.direction, clean, corrupt));
  // Colour diverges around the unpatched run's value (no effect = white) in both directions.
  const centre = unpatchedValue(mode, t.direction, clean, corrupt);
  // Effect is on a fixed scale (full colour = the whole gap), as in the panel.
  const scale = mode === 'effect' ? 1 : Math.max(1e-5 * Math.max(1, Math.abs(centre)), ...values.map((v) => (v === null ? 0 : Math.abs(v - centre))));
  const cell = g.cols > 40 || g.rows > 40 ? 12 : 18;
  const left = 70;
  const top = g.colLabels.some((l) => l.length > 3) ? 110 : 24;
  const w = left + g.cols * cell + 10;
  const h = top + g.rows * cell + 10;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="monospace" font-size="10">`);
  g.colLabels.forEach((l, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(
      top > 24
        ? `<text x="${x}" y="${top - 4}" transform="rotate(-60 ${x} ${top - 4})">${escapeHtml(l)}</text>`
        : `<text x="${x}" y="${top - 6}" text-anchor="middle">${escapeHtml(l)}</text>`,
    );
  });
  g.rowLabels.forEach((l, i) => parts.push(`<text x="${left - 4}" y="${top + i * cell + cell * 0.7}" text-anchor="end">${escapeHtml(l)}</text>`));
  for (let i = 0; i < g.rows; i++) {
    for (let j = 0; j < g.cols; j++) {
      const v = values[i * g.cols + j];
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${divergingColor(v === null ? null : v - centre, scale)}"><title>${escapeHtml(`${g.rowLabels[i]} · ${g.colLabels[j]}: ${formatValue(v)}`)}</title></rect>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A self-contained HTML report: every table as a heatmap of `mode` (by default as the panel opens:
 * effect, or the raw metric when the gap is small), the data inline as JSON.
 */
export function comparisonToHtml(c: ComparisonParams, tables: readonly PatchTable[], mode: ValueMode = defaultValueMode(c.metric)): string {
  const { clean, corrupt } = c.metric;
  const effectiveMode: ValueMode = (mode === 'normalised' || mode === 'effect') && clean === corrupt ? 'change' : mode;
  const modeLabel = {
    effect: 'effect: share of the clean–corrupt gap restored (denoising) or removed (noising); 0 = no effect, 1 = the whole gap',
    normalised: 'normalised (patched − corrupt) / (clean − corrupt)',
    raw: 'raw metric of the patched run',
    change: 'change: patched − unpatched target',
  }[effectiveMode];
  const data = JSON.stringify(comparisonToJson(c, tables)).replace(/</g, '\\u003c');
  const sections = [...new Set(tables.map((t) => t.sweep))].map((sweep) => {
    const pair = tables.filter((t) => t.sweep === sweep);
    const figs = pair
      .map(
        (t) =>
          `<figure><figcaption>${t.direction === 'denoise' ? 'Denoising (clean → corrupt run): sufficient' : 'Noising (corrupt → clean run): necessary'} · ${t.source === 'exact' ? 'exact' : 'estimate (attribution patching)'}</figcaption>${svgHeatmap(c, t, effectiveMode)}</figure>`,
      )
      .join('');
    return `<section><h2>${escapeHtml(SWEEP_LABELS[sweep])}</h2><div class="pair">${figs}</div></section>`;
  });
  const notes = [...c.notes, ...(clean === corrupt ? [denominatorWarning] : isSmallGap(c.metric.spec.kind, clean, corrupt) ? [smallGapNote(c.metric)] : [])];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Circuit Inspector: token substitution</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #1f1f1f; background: #fff; }
code, .mono { font-family: monospace; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
table.meta td { padding: 2px 12px 2px 0; vertical-align: top; }
.note { color: #8a5a00; }
</style>
</head>
<body>
<h1>Token substitution</h1>
<table class="meta">
<tr><td>Model</td><td>${escapeHtml(c.modelName)}</td></tr>
<tr><td>Clean</td><td class="mono">${escapeHtml(c.clean.text)}</td></tr>
<tr><td>Corrupt</td><td class="mono">${escapeHtml(c.corrupt.text)}</td></tr>
<tr><td>Metric</td><td>${escapeHtml(c.metric.label)}: clean ${formatValue(clean)}, corrupt ${formatValue(corrupt)}</td></tr>
<tr><td>Values</td><td>${escapeHtml(modeLabel)}; colour diverges around the unpatched run's value (white: no effect; red above, blue below)</td></tr>
</table>
${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
${sections.join('\n')}
<script type="application/json" id="circuit-inspector-data">${data}</script>
</body>
</html>
`;
}
