/**
 * Special-token detection: which heads treat a token differently from comparable tokens.
 *
 * For one head and one token type t (all occurrences of one token id), in every query row q we
 * compare the attention to each occurrence k of t with the mean attention, in the same row, to
 * the other visible tokens of the same kind (other identifiers, other punctuation, …):
 *
 *   ratio_t = Σ_{q,k} u[q, k] / Σ_{q,k} mean_{k' visible, kind(k') = kind(t), id(k') ≠ id(t)} u[q, k']
 *
 * where u is the attention with the head's positional habits divided out:
 * - rows are compared with themselves, which cancels what all keys of a row share (how much goes
 *   to the BOS sink, how widely the row spreads);
 * - the previous token (k = q − 1) and the query itself are left out of every row: attention to
 *   them is positional (previous-token heads), not about which token sits there;
 * - each entry is divided by the head's mean row-relative attention at that distance q − k
 *   (pooled over geometric distance bins), so a recency-biased head does not make every recent
 *   token look favoured and every early one look avoided;
 * - keys at distances the head hardly reaches (mean row-relative attention below `minReach`) are
 *   left out: a head that never looks 50 tokens back says nothing about the tokens there.
 *
 * A ratio is a finding when it is large (≥ `minRatio`, or ≤ 1/`minRatio` for "less") and an
 * outlier among the head's ratios for all same-kind token types: a robust z-score of ln(ratio)
 * against their median, with 1.4826·MAD as the scale. BOS keys are left out. Cost: O(n_tokens²)
 * per head.
 *
 * Only whole words are looked at: a token that continues a word (`ounter` after ` enc`, or ` enc`
 * before `ounter`) is left out as a key, both as a candidate and as a peer, since a head's habits
 * about subword pieces say little about the word the user reads. A finding also needs the token to
 * occur at least `minOccurrences` times (once, its identity cannot be told from its place: a head
 * that skips one docstring line "avoids" every word on it), at least
 * `minFindingSupport` (query, key) pairs behind the head's ratio, and at least `minPeers` other
 * whole-word types of the same kind to compare with. Ratios beyond `maxShownRatio` are shown as
 * "over N×" (the exact value rests on a handful of tiny attention weights).
 */
import type { SpecialTokenFinding, SpecialTokenHead, TokenKind } from '../shared/inspection';
import { patternShape, type LayerPattern } from './headScores';
import { KIND_PLURAL, tokenKind } from './tokenKinds';

export interface SpecialTokenOptions {
  /** Minimum ratio (or maximum 1/ratio for "less") to report. Default 3. */
  readonly minRatio?: number;
  /** Minimum |robust z| of ln(ratio) among same-kind types. Default 3. */
  readonly minRobustZ?: number;
  /** Minimum number of other same-kind whole-word token types to compare with. Default 5. */
  readonly minPeers?: number;
  /** Minimum number of (query, key) pairs behind a ratio for the type to count as a peer. Default 3. */
  readonly minSupport?: number;
  /** Minimum number of (query, key) pairs behind a head's ratio before it is quoted as a finding. Default 20. */
  readonly minFindingSupport?: number;
  /** Minimum number of occurrences of the token in the prompt for a finding. Default 2. */
  readonly minOccurrences?: number;
  /** Ratios (or 1/ratio) above this are written "over N×" in messages. Default 20. */
  readonly maxShownRatio?: number;
  /** Floor of the robust scale, in ln units, so near-identical peers do not inflate z. Default 0.25. */
  readonly minScale?: number;
  /**
   * Distances whose mean row-relative attention (1 = a uniform share) is below this are skipped.
   * Default 0.02.
   */
  readonly minReach?: number;
  /** Kinds to look at. Default: all but `bos`. */
  readonly kinds?: readonly TokenKind[];
  /** Cap on the number of findings. Default 50. */
  readonly maxFindings?: number;
}

export interface SpecialTokenInput {
  readonly text: string;
  readonly id: number;
  readonly isBos: boolean;
}

/** One head's ratio for one token type (exposed for tests and for the table of all ratios). */
export interface HeadTypeRatio {
  readonly typeIndex: number;
  readonly ratio: number;
  readonly robustZ: number;
  readonly support: number;
}

interface TypeInfo {
  readonly id: number;
  readonly text: string;
  readonly kind: TokenKind;
  readonly indices: number[];
}

const DEFAULTS = {
  minRatio: 3,
  minRobustZ: 3,
  minPeers: 5,
  minSupport: 3,
  minFindingSupport: 20,
  minOccurrences: 2,
  maxShownRatio: 20,
  minScale: 0.25,
  minReach: 0.02,
  maxFindings: 50,
};

const WORD_START = /^[\p{L}\p{N}_]/u;
const WORD_END = /[\p{L}\p{N}_]$/u;

/**
 * Whether token `i` is a piece of a longer word: it starts with a letter or digit (no leading
 * space) right after a token ending in one, or it ends with one right before such a token.
 */
export function isWordPiece(texts: readonly string[], i: number): boolean {
  const t = texts[i];
  const prev = i > 0 ? texts[i - 1] : undefined;
  const next = i + 1 < texts.length ? texts[i + 1] : undefined;
  if (WORD_START.test(t) && prev !== undefined && WORD_END.test(prev)) return true;
  return WORD_END.test(t) && next !== undefined && WORD_START.test(next);
}

/** A ratio as a multiplier, capped: `8.1×`, `42×`, `over 20×`. */
export function formatMultiplier(r: number, cap: number = DEFAULTS.maxShownRatio): string {
  if (r > cap) return `over ${cap}×`;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
}

/** Median of a non-empty array (sorted copy). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Robust z-scores: (x − median) / max(1.4826·MAD, minScale). */
export function robustZScores(values: readonly number[], minScale = 0): number[] {
  if (values.length === 0) return [];
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  const scale = Math.max(1.4826 * mad, minScale, Number.MIN_VALUE);
  return values.map((v) => (v - med) / scale);
}

/** A token's text for messages: backticks around it, whitespace escapes visible. */
export function quoteToken(text: string): string {
  return '`' + text.replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r') + '`';
}

/** Accumulates per-head ratios layer by layer (so the caller never holds all patterns at once). */
export class SpecialTokenDetector {
  private readonly opts: typeof DEFAULTS & { kinds: readonly TokenKind[] };
  private readonly types: TypeInfo[] = [];
  /** Type index per position, −1 for positions left out (BOS, excluded kinds). */
  private readonly keyType: Int32Array;
  private readonly kindIndex: Int32Array;
  private readonly nKinds: number;
  private readonly hits = new Map<string, { typeIndex: number; direction: 'more' | 'less'; heads: SpecialTokenHead[] }>();

  constructor(
    private readonly tokens: readonly SpecialTokenInput[],
    options: SpecialTokenOptions = {},
  ) {
    const kinds = options.kinds ?? (['whitespace', 'identifier', 'keyword', 'number', 'punctuation', 'other'] as const);
    this.opts = {
      minRatio: options.minRatio ?? DEFAULTS.minRatio,
      minRobustZ: options.minRobustZ ?? DEFAULTS.minRobustZ,
      minPeers: options.minPeers ?? DEFAULTS.minPeers,
      minSupport: options.minSupport ?? DEFAULTS.minSupport,
      minFindingSupport: options.minFindingSupport ?? DEFAULTS.minFindingSupport,
      minOccurrences: options.minOccurrences ?? DEFAULTS.minOccurrences,
      maxShownRatio: options.maxShownRatio ?? DEFAULTS.maxShownRatio,
      minScale: options.minScale ?? DEFAULTS.minScale,
      minReach: options.minReach ?? DEFAULTS.minReach,
      maxFindings: options.maxFindings ?? DEFAULTS.maxFindings,
      kinds,
    };
    const byId = new Map<number, number>();
    this.keyType = new Int32Array(tokens.length).fill(-1);
    const texts = tokens.map((t) => (t.isBos ? '' : t.text));
    tokens.forEach((tok, i) => {
      const kind = tokenKind(tok.text, tok.isBos);
      if (!kinds.includes(kind) || isWordPiece(texts, i)) return;
      let t = byId.get(tok.id);
      if (t === undefined) {
        t = this.types.length;
        byId.set(tok.id, t);
        this.types.push({ id: tok.id, text: tok.text, kind, indices: [] });
      }
      this.types[t].indices.push(i);
      this.keyType[i] = t;
    });
    this.nKinds = kinds.length;
    this.kindIndex = new Int32Array(this.types.map((t) => kinds.indexOf(t.kind)));
  }

  /** Ratios of every token type for head `head` of a [head, q, k] layer pattern. */
  headRatios(p: LayerPattern, head: number): HeadTypeRatio[] {
    const { nTokens: n } = patternShape(p);
    if (n !== this.tokens.length) throw new Error(`pattern has ${n} tokens but the detector was built for ${this.tokens.length}`);
    const nTypes = this.types.length;
    const num = new Float64Array(nTypes);
    const den = new Float64Array(nTypes);
    const support = new Int32Array(nTypes);
    const sumKind = new Float64Array(this.nKinds);
    const cntKind = new Int32Array(this.nKinds);
    const sumType = new Float64Array(nTypes);
    const cntType = new Int32Array(nTypes);
    const { data } = p;
    const base = head * n * n;
    // Pass 1: the head's mean row-relative attention per distance bin (keys k ≤ q − 2, not BOS).
    const bins = this.distanceBins(n);
    const nBins = bins.length > 0 ? Math.max(...bins) + 1 : 0;
    const profSum = new Float64Array(nBins);
    const profCnt = new Int32Array(nBins);
    const rowScale = new Float64Array(n);
    for (let q = 2; q < n; q++) {
      const row = base + q * n;
      let mass = 0;
      let count = 0;
      for (let k = 0; k < q - 1; k++) {
        if (this.keyType[k] < 0) continue;
        mass += data[row + k];
        count++;
      }
      if (mass <= 0) continue;
      rowScale[q] = count / mass; // P · scale = 1 under uniform attention over the row's keys
      for (let k = 0; k < q - 1; k++) {
        if (this.keyType[k] < 0) continue;
        const b = bins[q - k];
        profSum[b] += data[row + k] * rowScale[q];
        profCnt[b]++;
      }
    }
    const profile = new Float64Array(nBins);
    const reach = new Uint8Array(nBins);
    for (let b = 0; b < nBins; b++) {
      profile[b] = profCnt[b] > 0 ? profSum[b] / profCnt[b] : 0;
      reach[b] = profile[b] >= this.opts.minReach ? 1 : 0;
    }
    // Pass 2: within each row, each key against the other same-kind keys.
    const u = new Float64Array(n);
    for (let q = 2; q < n; q++) {
      if (rowScale[q] === 0) continue;
      const row = base + q * n;
      const end = q - 1; // keys k < q − 1
      sumKind.fill(0);
      cntKind.fill(0);
      for (let k = 0; k < end; k++) {
        const t = this.keyType[k];
        if (t < 0 || !reach[bins[q - k]]) continue;
        const a = (data[row + k] * rowScale[q]) / profile[bins[q - k]];
        u[k] = a;
        const c = this.kindIndex[t];
        sumKind[c] += a;
        cntKind[c]++;
        sumType[t] += a;
        cntType[t]++;
      }
      for (let k = 0; k < end; k++) {
        const t = this.keyType[k];
        if (t < 0 || !reach[bins[q - k]]) continue;
        const c = this.kindIndex[t];
        const others = cntKind[c] - cntType[t];
        if (others > 0) {
          num[t] += u[k];
          den[t] += (sumKind[c] - sumType[t]) / others;
          support[t]++;
        }
      }
      for (let k = 0; k < end; k++) {
        const t = this.keyType[k];
        if (t >= 0) {
          sumType[t] = 0;
          cntType[t] = 0;
        }
      }
    }
    // Robust z of ln(ratio) within each kind, over the types with enough support.
    const out: HeadTypeRatio[] = [];
    for (let c = 0; c < this.nKinds; c++) {
      const members: number[] = [];
      for (let t = 0; t < nTypes; t++) {
        if (this.kindIndex[t] === c && support[t] >= this.opts.minSupport && den[t] > 1e-12) members.push(t);
      }
      if (members.length < this.opts.minPeers + 1) continue;
      const ratios = members.map((t) => Math.max(num[t] / den[t], 1e-6));
      const z = robustZScores(ratios.map(Math.log), this.opts.minScale);
      members.forEach((t, i) => out.push({ typeIndex: t, ratio: ratios[i], robustZ: z[i], support: support[t] }));
    }
    return out;
  }

  private binsCache: Int32Array | undefined;

  /** Geometric distance bins: bin of distance d (d ≥ 2) grows like log₁.₂₅(d − 1). */
  private distanceBins(n: number): Int32Array {
    if (this.binsCache?.length === n) return this.binsCache;
    const bins = new Int32Array(n);
    for (let d = 2; d < n; d++) bins[d] = Math.floor(Math.log(d - 1) / Math.log(1.25));
    this.binsCache = bins;
    return bins;
  }

  /** Adds every head of layer `layer`. */
  addLayer(layer: number, p: LayerPattern): void {
    const { nHeads } = patternShape(p);
    const { minRatio, minRobustZ, minFindingSupport, minOccurrences } = this.opts;
    for (let head = 0; head < nHeads; head++) {
      for (const r of this.headRatios(p, head)) {
        const more = r.ratio >= minRatio && r.robustZ >= minRobustZ;
        const less = r.ratio <= 1 / minRatio && r.robustZ <= -minRobustZ;
        if ((!more && !less) || r.support < minFindingSupport || this.types[r.typeIndex].indices.length < minOccurrences) continue;
        const direction = more ? 'more' : 'less';
        const key = `${r.typeIndex}:${direction}`;
        const entry = this.hits.get(key) ?? { typeIndex: r.typeIndex, direction, heads: [] };
        entry.heads.push({ layer, head, ratio: r.ratio, robustZ: r.robustZ, support: r.support });
        this.hits.set(key, entry);
      }
    }
  }

  /** Findings, strongest first. */
  findings(): SpecialTokenFinding[] {
    const out: SpecialTokenFinding[] = [];
    for (const { typeIndex, direction, heads: list } of this.hits.values()) {
      const type = this.types[typeIndex];
      const heads = [...list].sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
      const top = heads[0];
      const peers = this.types.filter((t) => t.kind === type.kind).length - 1; // whole-word types only
      const cap = this.opts.maxShownRatio;
      const amount = direction === 'more' ? `${formatMultiplier(top.ratio, cap)} more` : `${formatMultiplier(1 / top.ratio, cap)} less`;
      const others = heads.length > 1 ? ` (and ${heads.length - 1} more head${heads.length > 2 ? 's' : ''})` : '';
      out.push({
        tokenId: type.id,
        text: type.text,
        kind: type.kind,
        tokenIndices: [...type.indices],
        direction,
        comparedWith: peers,
        strength: Math.abs(Math.log(top.ratio)),
        heads,
        message: `head ${top.layer}.${top.head} attends to ${quoteToken(type.text)} ${amount} than to other ${KIND_PLURAL[type.kind]}${others}`,
      });
    }
    out.sort((a, b) => b.strength - a.strength || a.tokenIndices[0] - b.tokenIndices[0]);
    return out.slice(0, this.opts.maxFindings);
  }
}

/** Convenience: runs the detector over all layers' patterns ([head, q, k] each). */
export function detectSpecialTokens(
  layers: readonly LayerPattern[],
  tokens: readonly SpecialTokenInput[],
  options: SpecialTokenOptions = {},
): SpecialTokenFinding[] {
  const d = new SpecialTokenDetector(tokens, options);
  layers.forEach((p, layer) => d.addLayer(layer, p));
  return d.findings();
}
