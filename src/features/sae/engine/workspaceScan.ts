/**
 * The workspace scan behind a feature's examples: files read from disk (saved contents), tokenized,
 * cut into context-sized windows that overlap so every scored token has context, run up to the
 * SAE's hook and encoded in batches (`scanWindows`). One scan serves every feature: it keeps each
 * feature's top and uniform examples. A cancelled scan keeps what it found, and the next scan with
 * the same files, model and SAE resumes it instead of starting over. No `vscode` import.
 */
import { readFile } from 'node:fs/promises';
import { FeatureScan, runFeatureActivations, scanWindows, tokensPerSecond, type ScanExample, type ScanWindow } from '../../../analysis/sae';
import type { LoadedModel } from '../../../model/loadHookedGpt2';
import type { LoadedSae, SaeEncoder } from '../../../model/sae';
import type { PromptToken } from '../../../shared/tokens';
import type { EngineScanExample, ExamplesResult, ScanFile, ScanProgressDetail, ScanRunResult } from '../shared/engineMethods';

/** Files larger than this are skipped (generated or data files, not code). */
export const MAX_SCAN_FILE_BYTES = 1024 * 1024;
/** A scan stops after this many scored tokens (the result says so). */
export const MAX_SCAN_TOKENS = 1_000_000;
/** Tokens of context each window repeats from the previous one (not scored again). */
export const WINDOW_OVERLAP = 32;
/** Tokens either side of the peak in an example's snippet. */
export const SNIPPET_RADIUS = 8;

/** Where a window comes from: a file and the index of its first token in that file's token list. */
export interface WindowSource {
  readonly fileIndex: number;
  readonly windowIndex: number;
  /** Index in the file's tokens (BOS excluded) of the window's first token after BOS. */
  readonly firstToken: number;
}

export interface ScanState {
  readonly key: string;
  readonly files: readonly ScanFile[];
  readonly scope: string;
  readonly scan: FeatureScan<WindowSource>;
  readonly done: Set<string>;
  filesDone: number;
  skipped: string[];
  complete: boolean;
  /** The scan stopped at MAX_SCAN_TOKENS. */
  capped: boolean;
}

export function newScanState(key: string, files: readonly ScanFile[], scope: string, dSae: number): ScanState {
  return { key, files, scope, scan: new FeatureScan<WindowSource>(dSae), done: new Set(), filesDone: 0, skipped: [], complete: false, capped: false };
}

/** A file's tokens without BOS: what windows are cut from. */
function fileTokens(loaded: LoadedModel, text: string, specialTokens: boolean): PromptToken[] {
  return loaded.toPrompt(text, specialTokens).tokens.filter((t) => !t.isBos);
}

/** The windows of one file: BOS (when the model prepends it), then up to n_ctx − 1 tokens, overlapping by WINDOW_OVERLAP. */
export function fileWindows(body: readonly number[], nCtx: number, bos: number | undefined, fileIndex: number): ScanWindow<WindowSource>[] {
  const head = bos === undefined ? [] : [bos];
  const room = nCtx - head.length;
  const overlap = Math.min(WINDOW_OVERLAP, Math.floor(room / 4));
  const out: ScanWindow<WindowSource>[] = [];
  for (let start = 0, w = 0; start < body.length; w++) {
    const from = w === 0 ? 0 : start - overlap;
    const tokens = [...head, ...body.slice(from, from + room)];
    out.push({ tokens, source: { fileIndex, windowIndex: w, firstToken: from }, firstScored: head.length + (start - from) });
    start = from + room;
  }
  return out;
}

export async function runScan(
  state: ScanState,
  loaded: LoadedModel,
  use: { sae: LoadedSae; encoder: SaeEncoder },
  specialTokens: boolean,
  prependBos: boolean,
  signal: AbortSignal,
  progress: (p: ScanProgressDetail) => void,
): Promise<void> {
  const c = loaded.model.config;
  const bos = prependBos ? c.bosTokenId : undefined;
  const report = () =>
    progress({ filesDone: state.filesDone, filesTotal: state.files.length, tokens: state.scan.tokens, tokensPerSecond: tokensPerSecond(state.scan) });
  const windows = async function* (): AsyncGenerator<ScanWindow<WindowSource>> {
    for (let i = state.filesDone; i < state.files.length; i++) {
      if (signal.aborted) return;
      if (state.scan.tokens >= MAX_SCAN_TOKENS) {
        state.capped = true;
        return;
      }
      const text = await readScanFile(state.files[i], state.skipped);
      if (text !== undefined) {
        const ids = fileTokens(loaded, text, specialTokens).map((t) => t.id);
        for (const w of fileWindows(ids, c.nCtx, bos, i)) {
          if (!state.done.has(`${i}:${w.source.windowIndex}`)) yield w;
        }
      }
      state.filesDone = i + 1;
      report();
    }
  };
  await scanWindows(loaded.model, use.encoder, use.sae, windows(), {
    into: state.scan,
    batchSize: 8,
    signal,
    onProgress: () => report(),
  });
  // Windows scored so far (a resumed scan skips them, even those of a file it stopped inside).
  for (let i = 0; i < state.scan.windowCount; i++) {
    const s = state.scan.window(i).source;
    state.done.add(`${s.fileIndex}:${s.windowIndex}`);
  }
  if (!signal.aborted) {
    state.complete = true;
    state.scan.partial = state.capped;
  } else {
    state.scan.partial = true;
    // The file the scan stopped in may have windows left: resume there.
    const last = state.scan.windowCount > 0 ? state.scan.window(state.scan.windowCount - 1).source.fileIndex : state.filesDone;
    state.filesDone = Math.min(state.filesDone, last);
  }
}

async function readScanFile(file: ScanFile, skipped: string[]): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file.path);
  } catch (e) {
    skipped.push(`${file.label}: unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  if (buf.byteLength > MAX_SCAN_FILE_BYTES) {
    skipped.push(`${file.label}: larger than 1 MB`);
    return undefined;
  }
  if (buf.includes(0)) {
    skipped.push(`${file.label}: binary (NUL bytes)`);
    return undefined;
  }
  const text = buf.toString('utf8').replace(/\r\n?/g, '\n');
  return text.trim() ? text : undefined;
}

export function scanSummary(state: ScanState, scanId: string, cached: boolean): ScanRunResult {
  return {
    scanId,
    cached,
    filesScanned: state.filesDone,
    filesTotal: state.files.length,
    skipped: state.capped ? [...state.skipped, `stopped after ${MAX_SCAN_TOKENS.toLocaleString('en-US')} tokens`] : state.skipped,
    tokensScanned: state.scan.tokens,
    tokensPerSecond: tokensPerSecond(state.scan),
  };
}

/** A feature's top and uniform examples, each window re-run to paint the feature over its snippet. */
export async function scanExamples(
  state: ScanState,
  loaded: LoadedModel,
  use: { sae: LoadedSae; encoder: SaeEncoder },
  feature: number,
  specialTokens: boolean,
  prependBos: boolean,
  signal: AbortSignal,
): Promise<ExamplesResult> {
  const bosLen = prependBos ? 1 : 0;
  const scan = state.scan;
  const top = scan.topExamples(feature);
  const uniform = scan.uniformExamples(feature);
  const texts = new Map<number, { text: string; tokens: PromptToken[] }>();
  const actsOf = new Map<number, Float32Array>();
  const dSae = use.sae.config.dSae;
  const example = async (e: ScanExample, quantile?: number): Promise<EngineScanExample | undefined> => {
    const w = scan.window(e.window);
    const file = state.files[w.source.fileIndex];
    let t = texts.get(w.source.fileIndex);
    if (!t) {
      const text = await readScanFile(file, []);
      if (text === undefined) return undefined;
      t = { text, tokens: fileTokens(loaded, text, specialTokens) };
      texts.set(w.source.fileIndex, t);
    }
    let acts = actsOf.get(e.window);
    if (!acts) {
      const run = await runFeatureActivations(loaded.model, use.encoder, use.sae, w.tokens, { topK: 1, signal });
      acts = new Float32Array(w.tokens.length);
      for (let p = 0; p < acts.length; p++) acts[p] = run.acts.data[p * dSae + feature];
      actsOf.set(e.window, acts);
    }
    const from = Math.max(bosLen, e.position - SNIPPET_RADIUS);
    const to = Math.min(w.tokens.length, e.position + SNIPPET_RADIUS + 1);
    const tokens = [];
    for (let p = from; p < to; p++) {
      const tok = t.tokens[w.source.firstToken + p - bosLen];
      if (!tok) break;
      tokens.push({ text: tok.text, act: acts[p], start: tok.start, end: tok.end });
    }
    const peakTok = t.tokens[w.source.firstToken + e.position - bosLen];
    if (!peakTok || tokens.length === 0) return undefined;
    const line = t.text.slice(0, peakTok.start).split('\n').length;
    return { path: file.path, file: file.label, peakOffset: peakTok.start, line, act: e.act, tokens, peak: e.position - from, quantile };
  };
  const topOut: EngineScanExample[] = [];
  for (const e of top) {
    const x = await example(e);
    if (x) topOut.push(x);
  }
  const uniformOut: EngineScanExample[] = [];
  for (const e of uniform) {
    const x = await example(e, (e.quantile[0] + e.quantile[1]) / 2);
    if (x) uniformOut.push(x);
  }
  return {
    top: topOut,
    uniform: uniformOut,
    density: scan.density(feature),
    maxAct: scan.maxAct(feature),
    filesScanned: state.filesDone,
    filesTotal: state.files.length,
    tokensScanned: scan.tokens,
    partial: scan.partial || !state.complete,
    scope: state.scope,
  };
}
