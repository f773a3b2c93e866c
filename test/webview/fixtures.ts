/**
 * A synthetic but realistic inspection for the harness and component tests: a Python method with
 * a docstring, split like GPT-2's pre-tokenizer (each piece one token, offsets into the source),
 * and deterministic attention patterns with the usual suspects: previous-token heads, BOS sinks,
 * induction-like heads, a duplicate-token head, and head 0.2 attending to ` param` specially.
 * Patterns are computed per head on demand, so even 1024 tokens × 144 heads stay cheap to hold.
 */
import { InspectionBuilder } from '../../src/analysis/inspection';
import { float32Tensor } from '../../src/model/tensor';
import type { InspectionParams } from '../../src/shared/inspection';

export const PYTHON_SOURCE = `class ParamStore:
    def update(self, param, value):
        """Set \`param\` to \`value\` and return the old value.

        Shown as <b>param</b> in the docs; never emit </div> here.
        """
        old = self.params.get(param)
        self.params[param] = value
        self.log(param, old, value)
        return old
`;

/** Appended (and repeated) to reach longer prompts. */
export const MORE_SOURCE = `
    def reset(self, param=None):
        """Forget \`param\`, or every parameter when it is None."""
        if param is None:
            self.params.clear()
        else:
            self.params.pop(param, None)
        self.log(param, None, None)

    def items(self):
        for name, value in sorted(self.params.items()):
            yield name, value
`;

/** Tokens with markup, for the "inert markup" tests. */
export const HOSTILE_TOKENS = ['<script>alert(1)</script>', '</div>', '<img src=x onerror=alert(1)>', '${x}', '&amp;'];

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const BOS_ID = 50256;
const SPECIAL = '<|endoftext|>';

export interface FixtureToken {
  readonly text: string;
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly isBos: boolean;
  /** A literal `<|endoftext|>` in the source, read as the special token. */
  readonly isSpecial?: boolean;
}

export interface FixtureOptions {
  /** Exact token count (BOS included); the source repeats to reach it. Default: the natural length. */
  readonly nTokens?: number;
  readonly nLayers?: number;
  readonly nHeads?: number;
  readonly modelName?: string;
  /** Put markup-like tokens into the prompt. */
  readonly hostile?: boolean;
  readonly stale?: boolean;
  readonly inspectionId?: string;
  /** The prompt (default PYTHON_SOURCE). */
  readonly source?: string;
  /** `circuitInspector.watchTokens` (default `["self", "param"]`). */
  readonly watchTokens?: readonly string[];
  /** Write a literal `<|endoftext|>` between the source and MORE_SOURCE (read as the special token). */
  readonly specialInText?: boolean;
}

export interface Fixture {
  readonly params: InspectionParams;
  readonly source: string;
  /** Head (layer, head)'s full pattern [q, k]. */
  pattern(layer: number, head: number): Float32Array;
}

/** GPT-2-style pieces of `source` with UTF-16 offsets; ids from a stable text → id table. */
export function tokenize(source: string, nTokens?: number, hostile = false): FixtureToken[] {
  const ids = new Map<string, number>();
  const idOf = (text: string) => {
    let id = ids.get(text);
    if (id === undefined) {
      id = 1000 + ids.size * 7;
      ids.set(text, id);
    }
    return id;
  };
  const tokens: FixtureToken[] = [{ text: '<|endoftext|>', id: BOS_ID, start: 0, end: 0, isBos: true }];
  let text = source;
  while (nTokens !== undefined && [...text.matchAll(GPT2_SPLIT)].length + 1 < nTokens) text += MORE_SOURCE;
  // A literal <|endoftext|> is one special token, as TransformerLens reads it; the rest is split as usual.
  let at = 0;
  for (const part of text.split(SPECIAL)) {
    for (const m of part.matchAll(GPT2_SPLIT)) {
      if (nTokens !== undefined && tokens.length >= nTokens) break;
      const start = at + (m.index ?? 0);
      tokens.push({ text: m[0], id: idOf(m[0]), start, end: start + m[0].length, isBos: false });
    }
    at += part.length;
    if (at < text.length && (nTokens === undefined || tokens.length < nTokens)) {
      tokens.push({ text: SPECIAL, id: BOS_ID, start: at, end: at + SPECIAL.length, isBos: false, isSpecial: true });
      at += SPECIAL.length;
    }
  }
  if (hostile) {
    // Replace a few docstring words by markup tokens, keeping offsets consistent in length.
    HOSTILE_TOKENS.forEach((h, i) => {
      const at = Math.min(tokens.length - 1, 30 + i * 3);
      const t = tokens[at];
      tokens[at] = { text: h, id: idOf(h), start: t.start, end: t.start + h.length, isBos: false };
    });
  }
  return tokens;
}

/** Deterministic hash noise in [0, 1) for (a, b, c, d). */
export function noise(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x27d4eb2f, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 13), 0x297a2d39) ^ Math.imul(d + 0x61c88647, 0x9e3779b9);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

type HeadKind = 'prev' | 'param' | 'dup' | 'induction' | 'sink' | 'local' | 'broad';

/** What each head does: a few named heads, the rest BOS sinks and local heads like GPT-2 small. */
export function headKind(layer: number, head: number): HeadKind {
  const named: Record<string, HeadKind> = {
    '0.1': 'prev',
    '0.2': 'param',
    '0.5': 'broad',
    '1.0': 'dup',
    '2.2': 'prev',
    '4.11': 'prev',
    '5.1': 'induction',
    '5.5': 'induction',
    '6.9': 'induction',
    '7.2': 'dup',
  };
  const k = named[`${layer}.${head}`];
  if (k) return k;
  if (layer === 0) return head % 3 === 0 ? 'broad' : 'local';
  return (layer * 7 + head * 5) % 4 === 0 ? 'local' : 'sink';
}

/** Attention logits for one head, as a function of (q, k). */
function headLogits(layer: number, head: number, tokens: readonly FixtureToken[]): (q: number, k: number) => number {
  const kind = headKind(layer, head);
  const seed = layer * 64 + head;
  const jitter = (q: number, k: number, amount: number) => amount * (noise(seed, q, k, 1) - 0.5);
  const sinkStrength = 2 + 4 * noise(seed, 0, 0, 2);
  const decay = 0.15 + 0.6 * noise(seed, 0, 0, 3);
  const stripped = (i: number) => tokens[i].text.replace(/^ /, '');
  // k is an earlier occurrence of token[q] (duplicate-token heads) …
  const sameEarlier = (q: number, k: number) => k < q && !tokens[q].isBos && tokens[k].id === tokens[q].id;
  // … or k follows one (induction heads).
  const afterEarlier = (q: number, k: number) => k >= 1 && sameEarlier(q, k - 1);
  return (q, k) => {
    const d = q - k;
    switch (kind) {
      case 'prev':
        return (d === 1 ? 7 : 0) + (k === 0 ? 2 : 0) + jitter(q, k, 1);
      case 'param':
        return (stripped(k) === 'param' && d > 0 ? 3.2 : 0) + (k === 0 ? 2.5 : 0) - 0.05 * d + jitter(q, k, 0.6);
      case 'dup':
        return (sameEarlier(q, k) ? 5 : 0) + (k === 0 ? 3 : 0) + jitter(q, k, 1);
      case 'induction':
        return (afterEarlier(q, k) ? 6 : 0) + (k === 0 ? 3 : 0) + jitter(q, k, 1);
      case 'sink':
        return (k === 0 ? sinkStrength + 2 : 0) - decay * Math.min(d, 20) * 0.3 + jitter(q, k, 1.5);
      case 'local':
        return (k === 0 ? sinkStrength : 0) - decay * d + jitter(q, k, 1);
      case 'broad':
        return (k === 0 ? 1 : 0) + jitter(q, k, 2);
    }
  };
}

/** One head's causal softmax pattern [q, k], written into `out` at `offset`. */
function headPattern(layer: number, head: number, tokens: readonly FixtureToken[], out?: Float32Array, offset = 0): Float32Array {
  const n = tokens.length;
  const p = out ?? new Float32Array(n * n);
  const logit = headLogits(layer, head, tokens);
  const row = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    let max = -Infinity;
    for (let k = 0; k <= q; k++) {
      row[k] = logit(q, k);
      if (row[k] > max) max = row[k];
    }
    let sum = 0;
    for (let k = 0; k <= q; k++) {
      row[k] = Math.exp(row[k] - max);
      sum += row[k];
    }
    const base = offset + q * n;
    for (let k = 0; k <= q; k++) p[base + k] = row[k] / sum;
  }
  return p;
}

export function makeFixture(opts: FixtureOptions = {}): Fixture {
  const nLayers = opts.nLayers ?? 12;
  const nHeads = opts.nHeads ?? 12;
  const source = (opts.source ?? PYTHON_SOURCE) + (opts.specialInText ? `${SPECIAL}${MORE_SOURCE}` : '');
  const tokens = tokenize(source, opts.nTokens, opts.hostile);
  const n = tokens.length;
  const builder = new InspectionBuilder({
    inspectionId: opts.inspectionId ?? `fixture-${n}-${nLayers}x${nHeads}${opts.hostile ? '-hostile' : ''}`,
    modelName: opts.modelName ?? 'gpt2 (synthetic fixture)',
    nLayers,
    nHeads,
    tokens,
    stale: opts.stale ?? false,
    watchTokens: opts.watchTokens,
  });
  const layer = new Float32Array(nHeads * n * n);
  for (let l = 0; l < nLayers; l++) {
    layer.fill(0);
    for (let h = 0; h < nHeads; h++) headPattern(l, h, tokens, layer, h * n * n);
    builder.addLayer(l, float32Tensor([nHeads, n, n], layer));
  }
  return { params: builder.finish(), source, pattern: (l, h) => headPattern(l, h, tokens) };
}
