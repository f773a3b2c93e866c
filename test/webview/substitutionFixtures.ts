/**
 * A synthetic comparison for the substitution panel harness: a docstring prompt where ` param` is
 * replaced by ` arg`, with tables shaped like the engine's and values that look like a real run
 * (a few heads carry the effect; some only in one direction, so the OR/AND aid has something to say).
 */
import { SWEEP_KINDS, type ComparisonParams, type PatchDirection, type PatchTable, type SweepKind } from '../../src/features/substitution/shared/protocol';
import { mulberry32 } from '../../tools/seededRandom';

const CLEAN = [
  '<|endoftext|>',
  '\n',
  '       ',
  ' :',
  'param',
  ' self',
  ':',
  ' the',
  ' rectangle',
  '\n',
  '       ',
  ' :',
  'param',
  ' factor',
  ':',
  ' how',
  ' much',
];

export interface SubstitutionFixtureOptions {
  readonly nLayers?: number;
  readonly nHeads?: number;
  /** Make clean and corrupt metrics equal (denominator 0). */
  readonly equalMetric?: boolean;
  /** A near-zero gap (0.015 nats, like ` low` → ` high`): shares of it are noise. */
  readonly smallGap?: boolean;
  /** A literal `<|endoftext|>` written in the prompt (position 9, instead of the newline), read as the special token. */
  readonly specialToken?: boolean;
}

export function makeSubstitutionFixture(o: SubstitutionFixtureOptions = {}): {
  comparison: ComparisonParams;
  tables: (source: PatchTable['source']) => PatchTable[];
} {
  const L = o.nLayers ?? 6;
  const H = o.nHeads ?? 8;
  const P = CLEAN.length;
  const cleanTokens = CLEAN.map((text, i) =>
    o.specialToken && i === 9 ? { id: 50256, text: '<|endoftext|>', isBos: false, isSpecial: true } : { id: 100 + i, text, isBos: i === 0 },
  );
  const corruptTokens = cleanTokens.map((t, i) => (i === 12 ? { id: 999, text: 'arg', isBos: false } : t));
  const clean = o.smallGap ? 1.215 : 3.2;
  const corrupt = o.equalMetric ? 3.2 : o.smallGap ? 1.2 : -0.8;
  const comparison: ComparisonParams = {
    runId: 'fixture-run',
    modelName: 'gpt2-python-mini',
    clean: {
      text: cleanTokens
        .slice(1)
        .map((t) => t.text)
        .join(''),
      tokens: cleanTokens,
    },
    corrupt: {
      text: corruptTokens
        .slice(1)
        .map((t) => t.text)
        .join(''),
      tokens: corruptTokens,
    },
    diff: { ops: cleanTokens.map((_, i) => ({ kind: i === 12 ? ('replace' as const) : ('equal' as const), a: i, b: i })), differingPositions: [12] },
    metric: {
      spec: { kind: 'logit_diff', answer: { id: 1, text: ' factor' }, wrong: { id: 2, text: ' x' } },
      label: "logit(' factor') − logit('·x')",
      clean,
      corrupt,
    },
    n_layers: L,
    n_heads: H,
    sweeps: SWEEP_KINDS,
    notes: o.equalMetric
      ? ['Clean and corrupt give the same metric (3.2): normalised values are undefined, so the panel shows the change from the unpatched run.']
      : [],
    stale: false,
  };
  const gap = clean - corrupt;
  const dims = (s: SweepKind) => (s === 'z_by_pos' ? [L, H, P] : ['resid_pre', 'attn_out', 'mlp_out'].includes(s) ? [L, P] : [L, H]);
  const axes = (s: SweepKind) =>
    s === 'z_by_pos' ? ['layer', 'head_index', 'pos'] : ['resid_pre', 'attn_out', 'mlp_out'].includes(s) ? ['layer', 'pos'] : ['layer', 'head_index'];
  // Share of the gap each component carries, per direction.
  const headShare = (d: PatchDirection, l: number, h: number): number => {
    if (l === 0 && h === 2) return d === 'denoise' ? 0.05 : 0.55; // AND-like
    if (l === 3 && h === 5) return d === 'denoise' ? 0.62 : 0.08; // OR-like
    if (l === L - 1 && h === 1) return d === 'denoise' ? 0.7 : 0.66; // both
    if (l === 2 && h === 6) return d === 'denoise' ? -0.25 : -0.03;
    return 0;
  };
  const tables = (source: PatchTable['source']): PatchTable[] => {
    const out: PatchTable[] = [];
    const rand = mulberry32(source === 'exact' ? 7 : 11);
    for (const sweep of SWEEP_KINDS) {
      for (const direction of ['denoise', 'noise'] as PatchDirection[]) {
        const ds = dims(sweep);
        const n = ds.reduce((a, b) => a * b, 1);
        const patched = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let share: number;
          if (ds.length === 3) {
            const l = Math.floor(i / (H * P));
            const h = Math.floor(i / P) % H;
            const p = i % P;
            share = p === 12 || p === P - 1 ? headShare(direction, l, h) : 0;
          } else if (axes(sweep)[1] === 'pos') {
            const l = Math.floor(i / P);
            const p = i % P;
            share = p === 12 ? Math.max(0, 1 - l / (L - 1)) : p === P - 1 ? l / (L - 1) : 0;
          } else {
            share = headShare(direction, Math.floor(i / H), i % H) * (sweep === 'z' ? 1 : 0.5);
          }
          share += (rand() - 0.5) * (source === 'exact' ? 0.04 : 0.1);
          patched[i] = direction === 'denoise' ? corrupt + share * gap : clean - share * gap;
          // With a near-zero gap, run-to-run noise of a few hundredths is as large as the gap itself.
          if (o.smallGap) patched[i] += (rand() - 0.5) * 0.04;
        }
        out.push({ sweep, direction, source, dims: ds, axes: axes(sweep), patched });
      }
    }
    return out;
  };
  return { comparison, tables };
}

/** Clean and corrupt patterns of one head: attention to the previous token, and to ` param` when clean. */
export function fixtureHeadPatterns(n: number, layer: number, head: number) {
  const make = (corrupt: boolean) => {
    const a = new Float32Array(n * n);
    for (let q = 0; q < n; q++) {
      const w = new Float32Array(q + 1);
      w[0] = 0.3;
      if (q > 0) w[q - 1] += 0.4;
      w[q] += 0.1;
      if (q >= 12 && !corrupt) w[12] += 0.8;
      if (q >= 4) w[4] += 0.3;
      const s = w.reduce((x, y) => x + y, 0);
      for (let k = 0; k <= q; k++) a[q * n + k] = w[k] / s;
    }
    return a;
  };
  return { runId: 'fixture-run', layer, head, n_tokens: n, clean_q_k: make(false), corrupt_q_k: make(true) };
}
