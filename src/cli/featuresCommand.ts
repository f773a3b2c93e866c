/**
 * `circuit-inspector features`: a prompt's SAE features as JSON. The model runs only up to the SAE's
 * hook for the activations; the reconstruction quality adds a clean and a spliced full run.
 *
 * --sae: an SAELens folder, or [hf:]OWNER/REPO[@REV]:SUBFOLDER (downloaded into the CLI's cache); by
 * default the SAE shipped with the shipped model (another model needs --sae).
 *
 * Layout (typed arrays are flat arrays, one line per row of the last axis their name gives):
 * ```
 * {
 *   "model": { "dir", "layerNorm", "prependBos", "n_layers", "d_model" },
 *   "sae": { "folder", "source", "label", "architecture", "k"?, "hookName", "d_in", "d_sae", "dtype", "configForm",
 *            "inputTransform", "inputTransformReason", "modelName"?, "densitySource": "sparsity.safetensors" | null },
 *   "warnings"?: [string],                      // e.g. the SAE was trained on another model
 *   "tokens": [{ "id", "text", "start", "end", "isBos" }],
 *   "n_tokens", "top_k",
 *   "top": [{ "position", "features": [f…], "acts": [a…] }],   // per position: the top-k active features (act > 0), descending
 *   "acts_pos_d_sae"?: [...],                    // --dense: every activation, [n_tokens, d_sae] row-major
 *   "reconstruction": {
 *     "errorNorm_pos",                           // ‖x − recon‖₂ per position (x as the model computes it)
 *     "residNorm_pos",                           // ‖x‖₂ per position
 *     "relativeError_pos",                       // ‖x − recon‖ / ‖x‖ (x as the SAE reads it: row mean removed for 'center')
 *     "varianceExplained", "varianceExplainedExcludingBos", "firstIsBos",
 *     "kl_pos", "klMean",                        // KL(clean ‖ spliced) of the next-token distributions, nats
 *     "ceClean_pos", "ceSpliced_pos",            // [n_tokens − 1]: −log p(token p+1) at p, clean and with the reconstruction spliced in
 *     "ceCleanMean", "ceSplicedMean",
 *     "top1Agrees_pos", "top1Agreement"          // 1 where the top next token is unchanged by the splice
 *   },
 *   "feature"?: {                                // --feature F: its card
 *     "index", "position",                       // --position (default: the last)
 *     "activation",                              // at that position (the same value as its entry in "top")
 *     "activation_pos",                          // at every position
 *     "density": { "fraction", "log10", "source": "sparsity.safetensors" } | null,
 *     "logitLens": { "basis", "top": [{ "id", "text", "value" }], "bottom": [...] },   // top-k tokens each
 *     "ablation"?: {                             // --ablate
 *       "method", "position", "clean",
 *       "ablated_pos",                           // [position + 1]: the activation at `position` with hook_embed at j → the mean token embedding
 *       "delta_pos"                              // ablated − clean
 *     }
 *   }
 * }
 * ```
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { LoadedModel } from '../model/loadHookedGpt2';
import { shippedModelDir, SHIPPED_MODEL_NAME } from '../model/shippedModel';
import {
  checkSaeFitsModel,
  isSaeError,
  loadSaeFolder,
  parseSaeSource,
  requireShippedSaeFolder,
  SaeEncoder,
  type LoadedSae,
  type SaeSource,
} from '../model/sae';
import { featureLogitLens, runAblatedText, runFeatureActivations, runReconstructionQuality } from '../analysis/sae';
import { errorMessage } from '../shared/errors';
import { positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { JsonRows } from './jsonOutput';
import { buildPrompt, PROMPT_OPTIONS, promptArgs } from './promptArgs';
import { resolveSaeHub } from './resolveSaeArg';

export const FEATURES_OPTIONS: OptionSpecs = {
  ...PROMPT_OPTIONS,
  sae: { value: 'an SAELens folder, or [hf:]OWNER/REPO[@REV]:SUBFOLDER on the Hugging Face hub (default: the SAE shipped with the shipped model)' },
  feature: { value: 'a feature index (0 .. d_sae − 1): its card (activations, logit lens, density)' },
  position: { value: 'the position of the card and the ablation: 0-based, or negative from the end (-1 = last, the default)' },
  'top-k': { value: 'how many features per position, and tokens per logit-lens side (a positive whole number, default 10)' },
  ablate: {},
  dense: {},
};

export const ABLATION_METHOD = 'hook_embed[j] → mean token embedding (over the vocabulary)';

function parsePosition(value: string | undefined): number {
  if (value === undefined) return -1;
  if (!/^\s*-?\d+\s*$/.test(value)) throw new UsageError(`--position: expected a whole number (0-based, or negative from the end), got '${value}'`);
  return Number(value);
}

function parseFeature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`--feature: expected a feature index (a whole number ≥ 0), got '${value}'`);
  return Number(value);
}

function isFolder(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The source of --sae; absent, the shipped SAE, which only the shipped model may use. */
function saeSource(values: OptionValues): { source: SaeSource; text: string } {
  const text = stringOption(values, 'sae');
  const model = stringOption(values, 'model');
  if (text === undefined) {
    const shipped = model === undefined || (isFolder(model) && sameFolder(model, shippedModelDir()));
    if (!shipped) throw new UsageError(`--sae is needed with --model ${model}: the shipped SAE belongs to the shipped model (${SHIPPED_MODEL_NAME})`);
    return { source: { kind: 'shipped' }, text: '' };
  }
  if (text.trim() === '') throw new UsageError(`--sae is empty: ${FEATURES_OPTIONS.sae.value}`);
  try {
    return { source: parseSaeSource(text), text };
  } catch (e) {
    throw new UsageError(`--sae: ${errorMessage(e)}`);
  }
}

function sameFolder(a: string, b: string): boolean {
  try {
    return resolve(a) === resolve(b);
  } catch {
    return false;
  }
}

/** Loads the SAE of --sae; every problem with its files is a usage error naming it. */
async function loadSae(source: SaeSource, text: string): Promise<LoadedSae> {
  const what = text === '' ? 'the shipped SAE' : `--sae ${text}`;
  let folder: string;
  try {
    folder = source.kind === 'shipped' ? requireShippedSaeFolder() : source.kind === 'folder' ? source.folder : await resolveSaeHub(source, text);
  } catch (e) {
    if (isSaeError(e, 'download')) throw e; // the network, not the command line
    if (isSaeError(e)) throw new UsageError(`${what}: ${e.message}`);
    throw e;
  }
  try {
    return await loadSaeFolder(folder);
  } catch (e) {
    if (isSaeError(e)) throw new UsageError(`${what}: ${e.message}`);
    throw e;
  }
}

/** A 1-D typed array on one line. */
function row(data: ArrayLike<number>): JsonRows {
  return new JsonRows(data, Math.max(1, data.length));
}

/** The model's name for the SAE's metadata.model_name check: the hub id, the shipped name, or the folder's name. */
function modelName(values: OptionValues): string {
  const model = stringOption(values, 'model');
  if (model === undefined) return SHIPPED_MODEL_NAME;
  return isFolder(model) ? basename(resolve(model)) : model;
}

export async function featuresCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<unknown> {
  // Everything that needs no model is checked before it is loaded.
  const promptArg = promptArgs(values);
  const k = positiveInt(stringOption(values, 'top-k'), '--top-k', 10);
  const positionArg = parsePosition(stringOption(values, 'position'));
  const feature = parseFeature(stringOption(values, 'feature'));
  const ablate = values.ablate === true;
  const dense = values.dense === true;
  if (ablate && feature === undefined) throw new UsageError('--ablate needs --feature F: the ablated text is the activation of one feature');
  const { source, text: saeText } = saeSource(values);
  const sae = await loadSae(source, saeText);
  const c = sae.config;
  if (feature !== undefined && feature >= c.dSae) {
    throw new UsageError(`--feature: ${feature} does not exist: this SAE has ${c.dSae} features (0..${c.dSae - 1})`);
  }

  const loaded = await load();
  let encoder: SaeEncoder | undefined;
  try {
    // ... and everything that needs the model, before it runs.
    const warnings: string[] = [];
    try {
      warnings.push(...checkSaeFitsModel(sae, { config: loaded.model.config, name: modelName(values) }));
    } catch (e) {
      if (isSaeError(e)) throw new UsageError(`--sae ${saeText || sae.folder}: ${e.message}`);
      throw e;
    }
    if (c.prependBos !== undefined && c.prependBos !== loaded.prependBos) {
      warnings.push(
        `the SAE was trained ${c.prependBos ? 'with' : 'without'} a BOS token first, but this run ${loaded.prependBos ? 'prepends' : 'does not prepend'} one (--no-bos)`,
      );
    }
    const prompt = buildPrompt(loaded, promptArg);
    const n = prompt.ids.length;
    if (positionArg >= n || positionArg < -n) {
      throw new UsageError(`--position: ${positionArg} is outside the prompt, whose ${n} tokens are at positions 0..${n - 1} (or -1..-${n} from the end)`);
    }
    const position = positionArg < 0 ? n + positionArg : positionArg;
    for (const w of warnings) process.stderr.write(`circuit-inspector: warning: ${w}\n`);

    encoder = await SaeEncoder.create(sae);
    const acts = await runFeatureActivations(loaded.model, encoder, sae, prompt.ids, { topK: k });
    const quality = await runReconstructionQuality(loaded.model, encoder, sae, prompt.ids);
    const text = (id: number) => loaded.tokenizer.displayText(id);

    let card: Record<string, unknown> | undefined;
    if (feature !== undefined) {
      const column = new Float32Array(n);
      for (let p = 0; p < n; p++) column[p] = acts.acts.data[p * c.dSae + feature];
      const lens = featureLogitLens(loaded.model, sae, feature, k);
      const lensTokens = (list: readonly { token: number; value: number }[]) => list.map((t) => ({ id: t.token, text: text(t.token), value: t.value }));
      const log10 = sae.logDensity?.[feature];
      let ablation: Record<string, unknown> | undefined;
      if (ablate) {
        const a = await runAblatedText(loaded.model, encoder, sae, prompt.ids, feature, position);
        ablation = {
          method: ABLATION_METHOD,
          position,
          clean: a.clean,
          ablated_pos: row(a.ablated),
          delta_pos: row(a.ablated.map((v) => v - a.clean)),
        };
      }
      card = {
        index: feature,
        position,
        activation: column[position],
        activation_pos: row(column),
        density:
          log10 === undefined || Number.isNaN(log10)
            ? null
            : { fraction: log10 === -Infinity ? 0 : Math.min(1, 10 ** log10), log10: Number.isFinite(log10) ? log10 : null, source: 'sparsity.safetensors' },
        logitLens: { basis: lens.basis, top: lensTokens(lens.top), bottom: lensTokens(lens.bottom) },
        ...(ablation ? { ablation } : {}),
      };
    }

    return {
      model: {
        dir: loaded.dir,
        layerNorm: loaded.model.layerNorm,
        prependBos: loaded.prependBos,
        n_layers: loaded.model.config.nLayers,
        d_model: loaded.model.config.dModel,
      },
      sae: {
        folder: sae.folder,
        source: saeText || 'shipped',
        label: sae.label,
        architecture: c.architecture,
        ...(c.k !== undefined ? { k: c.k } : {}),
        hookName: c.hookName,
        d_in: c.dIn,
        d_sae: c.dSae,
        dtype: c.dtype,
        configForm: c.configForm,
        inputTransform: c.inputTransform,
        inputTransformReason: c.inputTransformReason,
        ...(c.modelName !== undefined ? { modelName: c.modelName } : {}),
        densitySource: sae.logDensity ? 'sparsity.safetensors' : null,
      },
      ...(warnings.length ? { warnings } : {}),
      tokens: prompt.tokens.map((t) => ({ id: t.id, text: t.text, start: t.start, end: t.end, isBos: t.isBos })),
      n_tokens: n,
      top_k: k,
      top: acts.top.map((list, p) => ({ position: p, features: row(list.map((a) => a.feature)), acts: row(list.map((a) => a.act)) })),
      ...(dense ? { acts_pos_d_sae: new JsonRows(acts.acts.data, c.dSae) } : {}),
      reconstruction: {
        errorNorm_pos: row(acts.errorNorm),
        residNorm_pos: row(acts.residNorm),
        relativeError_pos: row(quality.relativeError),
        varianceExplained: quality.varianceExplained,
        varianceExplainedExcludingBos: quality.varianceExplainedExcludingBos,
        firstIsBos: quality.firstIsBos,
        kl_pos: row(quality.klPerPosition),
        klMean: quality.klMean,
        ceClean_pos: row(quality.ceClean),
        ceSpliced_pos: row(quality.ceSpliced),
        ceCleanMean: quality.ceCleanMean,
        ceSplicedMean: quality.ceSplicedMean,
        top1Agrees_pos: row(quality.top1Agrees),
        top1Agreement: quality.top1Agreement,
      },
      ...(card ? { feature: card } : {}),
    };
  } finally {
    await encoder?.release();
    await loaded.dispose();
  }
}
