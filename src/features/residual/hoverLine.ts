/**
 * The one line the residual stream adds to the editor hover over an inspected token: the logit
 * lens's top token at a few boundaries, `L0 '·,' → L1 '·self' → out '·param'`. No `vscode`.
 */
import type { ResidualStreamRecord } from '../../shared/residualStream';
import { visibleText } from '../../shared/tokens';

/** Up to `count` boundaries spread evenly from the first to the last (both included). */
export function hoverBoundaries(nBoundaries: number, count = 3): number[] {
  if (nBoundaries <= count) return Array.from({ length: nBoundaries }, (_, b) => b);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (nBoundaries - 1)) / (count - 1)));
  return [...out];
}

/** `L{b}` for boundary b (the stream entering layer b), `out` for the stream ln_final reads (as the view labels it). */
export function boundaryLabel(nLayers: number, boundary: number): string {
  return boundary >= nLayers ? 'out' : `L${boundary}`;
}

function code(text: string): string {
  // Inline code: backticks inside would end it.
  return `\`${text.replace(/`/g, 'ˋ')}\``;
}

/** The markdown line for token `position` (undefined when it is outside the record). */
export function lensHoverLine(record: ResidualStreamRecord, position: number, count = 3): string | undefined {
  const { lens } = record;
  if (!Number.isInteger(position) || position < 0 || position >= lens.n_tokens) return undefined;
  const parts = hoverBoundaries(lens.n_boundaries, count).map((b) => {
    const at = (b * lens.n_tokens + position) * lens.k;
    const id = lens.top_ids_boundary_pos_k[at];
    const text = lens.tokenTexts[id] ?? `#${id}`;
    const p = lens.top_probs_boundary_pos_k[at];
    return `${boundaryLabel(record.n_layers, b)} ${code(`'${visibleText(text)}'`)} ${(p * 100).toFixed(0)}%`;
  });
  return `Logit lens: ${parts.join(' → ')}`;
}
