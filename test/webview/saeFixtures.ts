/**
 * Synthetic but realistic Inspect Features records for the harness, component tests and the pure
 * tests beside the components: a Python prompt of 30–60 tokens as gpt2-python-mini tokenizes it,
 * an SAE of 1024 features on blocks.1.hook_resid_pre with a few named features (an `open(`/`with`
 * feature, one after `(`, a newline-indent feature, a `json`/`load` one, a BOS-only one) over a
 * background of weak, sparse ones; the reconstruction quality of a good fit (or of a bad one, or
 * of a prompt too short to judge); a feature card, an ablation and a workspace scan. Deterministic;
 * no model runs.
 */
import { mulberry32 as rng } from '../../tools/seededRandom';
import type {
  AblationParams,
  ActiveFeature,
  FeatureCardParams,
  FeaturesParams,
  ReconstructionQuality,
  ScanExample,
  ScanResultParams,
  TokenFeaturesParams,
} from '../../src/features/sae/shared/protocol';
import type { PositionToken } from '../../src/shared/tokens';

export const D_SAE = 1024;
export const SAE_INSPECTION = 'fixture-sae';

const PY = [
  'def',
  ' load',
  '_',
  'config',
  '(',
  'path',
  '):',
  '\n',
  '   ',
  ' with',
  ' open',
  '(',
  'path',
  ')',
  ' as',
  ' f',
  ':',
  '\n',
  '       ',
  ' data',
  ' =',
  ' json',
  '.',
  'load',
  '(',
  'f',
  ')',
  '\n',
  '   ',
  ' return',
  ' data',
  '["',
  'model',
  '"]',
  '\n',
  '\n',
  'def',
  ' save',
  '_',
  'config',
  '(',
  'path',
  ',',
  ' data',
  '):',
  '\n',
  '   ',
  ' with',
  ' open',
  '(',
  'path',
  ',',
  ' "',
  'w',
  '")',
  ' as',
  ' f',
  ':',
  '\n',
];

/** Named features of the fixture SAE (the tests and screenshots pick these). */
export const F = { open: 311, afterParen: 87, newline: 640, json: 902, bos: 45, identifier: 517 } as const;
const NAMED = new Set<number>(Object.values(F));

export interface SaeFixtureOptions {
  /** Tokens, BOS included (default 46; at most 60). */
  readonly nTokens?: number;
  /** The SAE explains this prompt badly. */
  readonly bad?: boolean;
  /** Leave out the reconstruction quality (still being computed). */
  readonly noQuality?: boolean;
  /** The SAE's metadata names another model. */
  readonly otherModel?: boolean;
  /** No sparsity file: densities unknown until a scan. */
  readonly noDensity?: boolean;
  readonly inspectionId?: string;
}

export function saeTokens(n = 46): PositionToken[] {
  const out: PositionToken[] = [{ id: 50256, text: '<|endoftext|>', isBos: true }];
  for (let i = 0; out.length < n; i++) out.push({ id: 200 + ((i * 37) % 5000), text: PY[i % PY.length], isBos: false });
  return out;
}

/** Dense activations [pos][d_sae] (row-major): the named features where they belong, plus sparse background. */
export function saeActs(tokens: readonly PositionToken[]): Float32Array {
  const n = tokens.length;
  const acts = new Float32Array(n * D_SAE);
  const r = rng(11);
  for (let p = 0; p < n; p++) {
    const row = acts.subarray(p * D_SAE, (p + 1) * D_SAE);
    const t = tokens[p];
    const prev = tokens[p - 1]?.text ?? '';
    if (t.isBos) {
      row[F.bos] = 41.5;
      row[3] = 6.2;
      continue;
    }
    if (t.text === ' open' || t.text === ' with') row[F.open] = t.text === ' open' ? 7.8 : 4.1;
    if (prev === ' open') row[F.open] = 2.6;
    if (prev === '(') row[F.afterParen] = 3.9 + r();
    if (t.text === '(') row[F.afterParen] = 0.7;
    if (t.text === '\n' || /^ +$/.test(t.text)) row[F.newline] = t.text === '\n' ? 5.4 : 3.2;
    if (t.text === ' json' || t.text === 'load') row[F.json] = t.text === ' json' ? 6.6 : 3.3;
    if (/^[a-z_]+$/.test(t.text)) row[F.identifier] = 1.2 + 2 * r();
    for (let j = 0; j < 14; j++) {
      const f = Math.floor(r() * D_SAE);
      if (row[f] === 0 && !NAMED.has(f)) row[f] = +(0.05 + r() * r() * 2.4).toFixed(3);
    }
  }
  return acts;
}

function density(f: number): number {
  const known: Record<number, number> = { [F.open]: 0.0041, [F.afterParen]: 0.052, [F.newline]: 0.13, [F.json]: 0.0009, [F.bos]: 0.0022, [F.identifier]: 0.21 };
  return known[f] ?? 10 ** -(1.5 + ((f * 7919) % 300) / 100);
}

export function quality(n: number, bad = false): ReconstructionQuality {
  const r = rng(bad ? 7 : 5);
  const rel = new Float32Array(n);
  const kl = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    rel[p] = p === 0 ? 0.04 : bad ? 0.55 + 0.5 * r() : 0.18 + 0.2 * r();
    kl[p] = p === 0 ? 0 : bad ? 0.3 + 1.6 * r() : 0.01 + 0.12 * r() * r();
  }
  if (!bad && n > 20) {
    rel[20] = 0.61;
    kl[20] = 0.42;
  }
  return bad
    ? { rel_error_pos: rel, kl_pos: kl, varianceExplained: 0.38, ceClean: 1.84, ceSpliced: 3.02, ceZeroAblated: 5.9, top1Agreement: 0.58, nScored: n - 1 }
    : { rel_error_pos: rel, kl_pos: kl, varianceExplained: 0.912, ceClean: 1.84, ceSpliced: 1.93, ceZeroAblated: 5.9, top1Agreement: 0.95, nScored: n - 1 };
}

export interface SaeFixture {
  readonly features: FeaturesParams;
  readonly acts: Float32Array;
  readonly tokens: PositionToken[];
}

export function makeSaeFixture(o: SaeFixtureOptions = {}): SaeFixture {
  const n = Math.max(2, Math.min(60, o.nTokens ?? 46));
  const tokens = saeTokens(n);
  const acts = saeActs(tokens);
  const k = 5;
  const top = [];
  const l0 = new Float32Array(n);
  const resid = new Float32Array(n);
  const err = new Float32Array(n);
  const q = quality(n, o.bad);
  for (let p = 0; p < n; p++) {
    const row = acts.subarray(p * D_SAE, (p + 1) * D_SAE);
    const active: { feature: number; act: number }[] = [];
    row.forEach((a, f) => {
      if (a > 0) active.push({ feature: f, act: a });
    });
    active.sort((a, b) => b.act - a.act);
    top.push(active.slice(0, k));
    l0[p] = active.length;
    resid[p] = p === 0 ? 212.4 : 9 + (p % 7) * 0.6;
    err[p] = q.rel_error_pos[p] * resid[p];
  }
  const features: FeaturesParams = {
    inspectionId: o.inspectionId ?? SAE_INSPECTION,
    modelName: 'gpt2-python-mini',
    sae: {
      label: 'gpt2-python-mini · blocks.1.hook_resid_pre · 1024 features',
      hookName: 'blocks.1.hook_resid_pre',
      architecture: 'standard',
      d_sae: D_SAE,
      d_in: 64,
      inputTransform: 'none',
      inputTransformReason: 'cfg.json has no model_from_pretrained_kwargs: the residual stream is used as the model computes it',
      densitySource: o.noDensity ? 'unknown' : 'sparsity file',
      source: '',
      reference: { varianceExplained: 0.969, deltaCe: 0.12, source: 'evaluation.json: held-out Python' },
    },
    warnings: o.otherModel ? ["The SAE's metadata.model_name is 'gpt2-small' but the model is 'gpt2-python-mini': its features may mean nothing here."] : [],
    notes: [],
    tokens,
    k,
    top,
    l0_pos: l0,
    resid_norm_pos: resid,
    error_norm_pos: err,
    quality: o.noQuality ? undefined : q,
    stale: false,
  };
  return { features, acts, tokens };
}

export function featureActs(fx: SaeFixture, feature: number): Float32Array {
  const n = fx.tokens.length;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = fx.acts[p * D_SAE + feature];
  return out;
}

const LENS: Record<number, { top: string[]; bottom: string[] }> = {
  [F.open]: {
    top: ['(', ' file', ' the', 'Path', ' os', ' self', ' f', ' filename', ' path', ' sys'],
    bottom: [' def', ' class', ' =', ' return', ':', ' import'],
  },
  [F.json]: {
    top: ['.', 'load', 'dumps', 'dump', 'loads', '_data', ' schema', 'Decode', ' obj', 'encoder'],
    bottom: [' (', ' in', ' is', ' not', ' if', ' for'],
  },
};

export function makeFeatureCard(fx: SaeFixture, feature: number, o: { noDensity?: boolean; scanned?: boolean } = {}): FeatureCardParams {
  const acts = featureActs(fx, feature);
  const lens = LENS[feature] ?? { top: [' x', ' y', '_id', ' name', ' value', ' key'], bottom: ['\n', ' #', ' """', ' pass', ' else', ' elif'] };
  const val = (i: number, sign: number) => +(sign * (2.9 - i * 0.21)).toFixed(3);
  const known = !(o.noDensity ?? fx.features.sae.densitySource === 'unknown');
  return {
    inspectionId: fx.features.inspectionId,
    feature,
    acts_pos: acts,
    density: known || o.scanned ? density(feature) : null,
    densitySource: o.scanned ? 'workspace scan' : known ? 'sparsity file' : 'unknown',
    maxAct: o.scanned ? Math.max(...acts) * 1.3 : Math.max(...acts),
    maxActSource: o.scanned ? 'workspace scan' : 'prompt',
    logitLens: {
      basis: 'W_dec[f] · W_U (no ln_final)',
      top: lens.top.map((text, i) => ({ id: 300 + i, text, value: val(i, 1) })),
      bottom: lens.bottom.map((text, i) => ({ id: 400 + i, text, value: val(i, -1) })),
    },
  };
}

export function makeTokenFeatures(fx: SaeFixture, position: number): TokenFeaturesParams {
  const row = fx.acts.subarray(position * D_SAE, (position + 1) * D_SAE);
  const unknown = fx.features.sae.densitySource === 'unknown';
  const features: ActiveFeature[] = [];
  row.forEach((act, feature) => {
    if (act > 0) features.push({ feature, act, density: unknown ? null : density(feature) });
  });
  features.sort((a, b) => b.act - a.act);
  return { inspectionId: fx.features.inspectionId, position, features, densitySource: fx.features.sae.densitySource };
}

/**
 * The ablated text: ablating the tokens the feature reads lowers its activation at `position`
 * (the token itself most, the previous `(` or ` with` less), the argument `path` raises it a little.
 */
export function makeAblation(fx: SaeFixture, feature: number, position: number): AblationParams {
  const clean = fx.acts[position * D_SAE + feature];
  const ablated = new Float32Array(position + 1);
  for (let j = 0; j <= position; j++) {
    const t = fx.tokens[j].text;
    let d = 0;
    if (j === position) d = -0.82 * clean;
    else if (j === position - 1) d = -0.35 * clean;
    else if (t === ' with' || t === '(') d = -0.12 * clean;
    else if (t === 'path') d = 0.09 * clean;
    else if (!fx.tokens[j].isBos) d = 0.01 * clean * Math.sin(j * 1.7);
    ablated[j] = Math.max(0, clean + d);
  }
  return { inspectionId: fx.features.inspectionId, feature, position, clean, ablated_pos: ablated, method: 'hook_embed[j] → mean token embedding' };
}

const FILES = ['src/io/config.py', 'src/io/cache.py', 'tools/export.py', 'tests/test_config.py', 'src/app/settings.py', 'scripts/migrate.py'];
const SNIPPETS = [
  [' with', ' open', '(', 'cfg', '_', 'path', ',', ' "', 'r', '")', ' as', ' fh', ':'],
  ['    ', ' fp', ' =', ' open', '(', 'os', '.', 'path', '.', 'join', '(', 'root', ','],
  [' return', ' open', '(', 'name', ',', ' mode', ')', '\n', '\n', 'def', ' read', '_', 'all'],
  [' with', ' gzip', '.', 'open', '(', 'src', ')', ' as', ' f', ':', '\n', '       ', ' raw'],
  ['    ', ' log', ' =', ' open', '(', 'LOG', '_', 'FILE', ',', ' "', 'a', '")', '\n'],
];

function example(i: number, act: number, quantile?: number): ScanExample {
  const words = SNIPPETS[i % SNIPPETS.length];
  const peak = words.indexOf(' open') >= 0 ? words.indexOf(' open') : words.indexOf('open');
  const tokens = words.map((text, j) => ({
    text,
    act: j === peak ? act : j === peak + 1 ? +(act * 0.33).toFixed(3) : j === peak - 1 && text === ' with' ? act * 0.1 : 0,
  }));
  return {
    exampleId: `ex-${i}-${quantile ?? 'top'}`,
    file: FILES[i % FILES.length],
    line: 12 + i * 17,
    act,
    tokens,
    peak,
    ...(quantile === undefined ? {} : { quantile }),
  };
}

export function makeScanResult(fx: SaeFixture, feature: number, o: { partial?: boolean; cached?: boolean } = {}): ScanResultParams {
  const nTop = o.partial ? 4 : 8;
  const top = Array.from({ length: nTop }, (_, i) => example(i, +(9.4 - i * 0.55).toFixed(3)));
  const qs = o.partial ? [0.1, 0.3, 0.5, 0.7, 0.9] : [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
  const uniform = qs.map((q, i) => example(i + 3, +(0.3 + q * 8).toFixed(3), q));
  return {
    inspectionId: fx.features.inspectionId,
    scanId: 'scan-1',
    feature,
    scope: 'python files in the workspace',
    top,
    uniform,
    density: 0.0043,
    maxAct: 9.4,
    filesScanned: o.partial ? 17 : 42,
    filesTotal: 42,
    tokensScanned: o.partial ? 31_204 : 88_731,
    partial: o.partial ?? false,
    cached: o.cached ?? false,
  };
}
