/**
 * `circuit-inspector lens`: the residual-stream analysis of one prompt as JSON: the logit lens
 * (top-k, entropy, the answer's log-probability and rank per boundary and position), every norm
 * with the growth factors, and the DLA table with its per-source decomposition. The three records
 * are those of `src/shared/residualStream.ts`, with typed arrays written as flat JSON arrays (one
 * line per row of the last axis named in the field, e.g. `_k`).
 *
 * A multi-token --answer or --wrong uses its first token and says so on stderr (and in `warnings`).
 */
import type { LoadedModel } from '../model/loadHookedGpt2';
import { releaseLensSessions, ResidualInputError, runResidualStream } from '../analysis/residual';
import { LENS_VARIANTS, type LensVariant } from '../shared/residualStream';
import { positiveInt, stringOption, UsageError, type OptionSpecs, type OptionValues } from './cliArgs';
import { JsonRows } from './jsonOutput';
import { buildPrompt, PROMPT_OPTIONS, promptArgs } from './promptArgs';
import { checkTokenId } from './promptChecks';

export const LENS_OPTIONS: OptionSpecs = {
  ...PROMPT_OPTIONS,
  answer: { value: 'the answer token: text (its first token is used), or #ID; default: the model’s top prediction at the last position' },
  wrong: { value: 'the wrong token for DLA’s answer − wrong direction: text (its first token is used), or #ID; default: none (answer alone)' },
  position: { value: 'the DLA position: 0-based, or negative from the end (-1 = last, the default)' },
  variant: { value: `the logit-lens LayerNorm: ${LENS_VARIANTS.join(' or ')}` },
  'top-k': { value: 'how many top tokens per lens cell (a positive whole number, default 10)' },
};

type TokenArg = { readonly id: number } | { readonly text: string };

function tokenArg(values: OptionValues, name: string): TokenArg | undefined {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  if (value === '') throw new UsageError(`--${name} is empty: ${LENS_OPTIONS[name].value}`);
  return /^#\d+$/.test(value) ? { id: Number(value.slice(1)) } : { text: value };
}

/** The token id of --answer / --wrong; text of several tokens gives its first token and a warning. */
function resolveToken(loaded: LoadedModel, arg: TokenArg, what: string, warnings: string[]): number {
  if ('id' in arg) {
    checkTokenId(loaded, arg.id, what);
    return arg.id;
  }
  const { ids } = loaded.tokenizer.encode(arg.text);
  if (ids.length === 0) throw new UsageError(`${what} ${JSON.stringify(arg.text)} has no tokens`);
  checkTokenId(loaded, ids[0], what);
  if (ids.length > 1) {
    const shown = ids.map((i) => JSON.stringify(loaded.tokenizer.displayText(i))).join(' + ');
    warnings.push(
      `${what} ${JSON.stringify(arg.text)} is ${ids.length} tokens (${shown}); using its first token ${JSON.stringify(loaded.tokenizer.displayText(ids[0]))} (id ${ids[0]})`,
    );
  }
  return ids[0];
}

function parsePosition(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(value)) throw new UsageError(`--position: expected a whole number (0-based, or negative from the end), got '${value}'`);
  return Number(value);
}

/** Row length for a typed array field, from the last axis its name gives. */
function rowLengthOf(field: string, record: Record<string, unknown>): number {
  const last = field.split('_').at(-1);
  const n = (key: string) => (typeof record[key] === 'number' ? (record[key] as number) : 1);
  switch (last) {
    case 'k':
      return n('k');
    case 'pos':
    case 'key':
      return n('n_tokens');
    case 'head':
      return n('n_heads');
    case 'layer':
      return n('n_layers');
    default:
      return 1;
  }
}

/** A record with each typed array (also inside growth fits) as JsonRows. */
function jsonRecord(record: object, shapeOf: Record<string, unknown> = record as Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => {
      if (v instanceof Float32Array || v instanceof Int32Array) return [k, new JsonRows(v, rowLengthOf(k, shapeOf))];
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).some((x) => x instanceof Float32Array)) return [k, jsonRecord(v, shapeOf)];
      return [k, v];
    }),
  );
}

export async function lensCommand(values: OptionValues, load: () => Promise<LoadedModel>): Promise<unknown> {
  // Everything that needs no model is checked before it is loaded.
  const promptArg = promptArgs(values);
  const variant = stringOption(values, 'variant') ?? 'recompute';
  if (!(LENS_VARIANTS as readonly string[]).includes(variant)) throw new UsageError(`--variant: expected ${LENS_VARIANTS.join(' or ')}, got '${variant}'`);
  const k = positiveInt(stringOption(values, 'top-k'), '--top-k', 10);
  const position = parsePosition(stringOption(values, 'position'));
  const answerArg = tokenArg(values, 'answer');
  const wrongArg = tokenArg(values, 'wrong');

  const loaded = await load();
  try {
    // ... and everything that needs the model, before it runs.
    const prompt = buildPrompt(loaded, promptArg);
    const n = prompt.ids.length;
    if (position !== undefined && (position >= n || position < -n)) {
      throw new UsageError(`--position: ${position} is outside the prompt, whose ${n} tokens are at positions 0..${n - 1} (or -1..-${n} from the end)`);
    }
    const warnings: string[] = [];
    const answerId = answerArg && resolveToken(loaded, answerArg, '--answer', warnings);
    const wrongId = wrongArg && resolveToken(loaded, wrongArg, '--wrong', warnings);
    if (answerId !== undefined && answerId === wrongId) {
      throw new UsageError(
        `--answer and --wrong are the same token (${answerId}, ${JSON.stringify(loaded.tokenizer.displayText(answerId))}): their logit difference is 0 by definition`,
      );
    }
    for (const w of warnings) process.stderr.write(`circuit-inspector: warning: ${w}\n`);
    let result;
    try {
      result = await runResidualStream(loaded.model, prompt.tokens, {
        variant: variant as LensVariant,
        k,
        answerId,
        wrongId,
        position,
        decode: (id) => loaded.tokenizer.displayText(id),
      });
    } catch (e) {
      if (e instanceof ResidualInputError) throw new UsageError(e.message);
      throw e;
    }
    return {
      model: {
        dir: loaded.dir,
        layerNorm: loaded.model.layerNorm,
        prependBos: loaded.prependBos,
        n_layers: loaded.model.config.nLayers,
        n_heads: loaded.model.config.nHeads,
      },
      tokens: prompt.tokens,
      ...(warnings.length ? { warnings } : {}),
      lens: jsonRecord(result.lens),
      norms: jsonRecord(result.norms),
      dla: jsonRecord(result.dla),
    };
  } finally {
    await releaseLensSessions(loaded.model);
    await loaded.dispose();
  }
}
