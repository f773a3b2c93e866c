/**
 * circuit-inspector — headless CLI.
 *   circuit-inspector inspect [--model DIR|ORG/NAME[@REV]] (--text T | --text-file F | --tokens IDS) [--top-k K] [--hooks H1,H2] [--logits none|last|all|P1,P2]
 *   circuit-inspector patch   [--model DIR|ORG/NAME[@REV]] --clean T --corrupt T --answer TOK --wrong TOK [--sweeps ...] [--directions denoise,noise] [--memory-budget-mb MB]
 *   circuit-inspector patch   [--model DIR|ORG/NAME[@REV]] --dataset F.prompts.jsonl [--max-pairs N] [--sweeps ...] [--directions ...] [--memory-budget-mb MB]
 *   circuit-inspector lens    [--model DIR|ORG/NAME[@REV]] (--text T | --text-file F | --tokens IDS) [--answer TOK] [--wrong TOK] [--position P] [--variant recompute|cached-scale] [--top-k K]
 *   circuit-inspector features [--model DIR|ORG/NAME[@REV]] [--sae DIR|[hf:]OWNER/REPO:SUBFOLDER] (--text T | --text-file F | --tokens IDS) [--feature F] [--position P] [--top-k K] [--ablate] [--dense]
 *   circuit-inspector prompts --template F [--slots auto|a,b] [--n N] --corrupt slot:NAME|group:definition|group:docstring|all --answer NAME [--wrong NAME] [--seed S] [--no-probe] (JSONL)
 *   circuit-inspector precision-check [--model DIR|ORG/NAME[@REV]] (--text T | --text-file F | --tokens IDS) [--patch-tokens N]
 * Common: [--layer-norm as_configured|identity] [--no-bos] [--int8] [--out FILE] (JSON, streamed; stdout by default).
 * Every argument is checked before the model runs; usage errors exit with 2, failures while running with 1.
 */
import { loadHookedGpt2 } from '../model/loadHookedGpt2';
import { shippedModelDir } from '../model/shippedModel';
import { parseOptions, stringOption, UsageError, type OptionSpecs } from './cliArgs';
import { inspectCommand, INSPECT_OPTIONS } from './inspectCommand';
import { featuresCommand, FEATURES_OPTIONS } from './featuresCommand';
import { checkOutPath, writeJsonFile, writeJsonStdout } from './jsonOutput';
import { lensCommand, LENS_OPTIONS } from './lensCommand';
import { patchCommand, PATCH_OPTIONS } from './patchCommand';
import { PROMPTS_OPTIONS, runPromptsCommand } from './promptsCommand';
import { precisionCheckCommand, PRECISION_CHECK_OPTIONS } from './precisionCheckCommand';
import { INT8_NOTE, type Precision } from '../shared/precision';
import { resolveModelArg } from './resolveModelArg';

const COMMON: OptionSpecs = {
  model: { value: 'a model folder or hub id' },
  'layer-norm': { value: 'as_configured or identity' },
  'no-bos': {},
  int8: {},
  out: { value: 'the JSON file to write' },
  help: { short: 'h' },
};

const COMMANDS = {
  inspect: INSPECT_OPTIONS,
  patch: PATCH_OPTIONS,
  lens: LENS_OPTIONS,
  features: FEATURES_OPTIONS,
  prompts: PROMPTS_OPTIONS,
  'precision-check': PRECISION_CHECK_OPTIONS,
} as const;

const USAGE = `usage:
  circuit-inspector inspect [--model DIR|ORG/NAME[@REV]] (--text TEXT | --text-file FILE | --tokens 50256,318,...)
                            [--top-k 10] [--hooks blocks.0.attn.hook_pattern,...] [--logits none|last|all|POSITIONS]
  circuit-inspector patch   [--model DIR|ORG/NAME[@REV]] (--clean TEXT | --clean-file F) (--corrupt TEXT | --corrupt-file F)
                            --answer TOKEN --wrong TOKEN [--sweeps resid_pre,attn_out,mlp_out,z,z_by_pos,q,k,v,pattern]
                            [--directions denoise,noise] [--memory-budget-mb 2048]
  circuit-inspector patch   [--model DIR|ORG/NAME[@REV]] --dataset FILE.prompts.jsonl [--max-pairs N] [--sweeps ...] [--directions denoise,noise]
                            [--memory-budget-mb 2048]
                            (patching over a set of prompt pairs: per table the mean, standard error, normalised mean, restored fraction and
                            per-pair values, with the set's summary; every bad line of the file is listed; position sweeps need equal lengths;
                            Ctrl-C writes the finished pairs, labelled partial)
  circuit-inspector lens    [--model DIR|ORG/NAME[@REV]] (--text TEXT | --text-file FILE | --tokens 50256,318,...)
                            [--answer TOKEN] [--wrong TOKEN] [--position -1] [--variant recompute|cached-scale] [--top-k 10]
                            (logit lens, residual norms, direct logit attribution; a multi-token lens TOKEN uses its first token, with a warning)
  circuit-inspector features [--model DIR|ORG/NAME[@REV]] [--sae DIR|[hf:]OWNER/REPO:SUBFOLDER] (--text TEXT | --text-file FILE | --tokens 50256,318,...)
                            [--feature F] [--position -1] [--top-k 10] [--ablate] [--dense]
                            (SAE features: top-k per position, reconstruction error and quality; --feature: its card (activations, logit lens,
                            density); --ablate: its ablated text at --position; --dense: every activation. --sae defaults to the shipped SAE
                            with the shipped model)
  circuit-inspector prompts --template FILE [--slots auto|a,b,c] [--n 200] --corrupt slot:NAME|group:definition|group:docstring|all
                            --answer NAME [--wrong NAME] [--seed 1] [--no-probe]
                            (a prompt set as JSONL from a template that ends before the answer; words some head treats specially
                            are left out of the fill, and the summary on stderr says which and why; --no-probe skips that probe)
  circuit-inspector precision-check [--model DIR|ORG/NAME[@REV]] (--text TEXT | --text-file FILE | --tokens 50256,318,...) [--patch-tokens 32]
                            (the int8 mode against fp32 on this prompt: logits error, top-1 agreement, KL, forward time, and the
                            largest difference of the z patching table on a pair made from the prompt)
common options: --model DIR|ORG/NAME[@REV] (a model folder, or a hub id looked up in the Hugging Face cache and downloaded when missing; default: the shipped model)  --layer-norm as_configured|identity
                --no-bos (don't prepend <|endoftext|>)   --out FILE (default: stdout)
                --int8 (approximate: int8 weight matmuls, faster; every number differs from Hugging Face; the output says "precision": "int8")
TOKEN is text that is exactly one token (e.g. " c"), or #ID. POSITIONS: token positions, e.g. 0,5.
Text files (--text-file, --clean-file, --corrupt-file) are UTF-8 files of at most 1 MiB.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    if (
      command !== 'inspect' &&
      command !== 'patch' &&
      command !== 'lens' &&
      command !== 'features' &&
      command !== 'prompts' &&
      command !== 'precision-check'
    ) {
      throw new UsageError(`unknown command '${command}' (inspect, patch, lens, features, prompts or precision-check)`);
    }
    const { [command]: own, ...others } = COMMANDS;
    const values = parseOptions(args, { ...COMMON, ...own }, command, others);
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const layerNorm = stringOption(values, 'layer-norm') ?? 'as_configured';
    if (layerNorm !== 'as_configured' && layerNorm !== 'identity') throw new UsageError(`--layer-norm: expected as_configured or identity, got '${layerNorm}'`);
    const out = stringOption(values, 'out');
    if (out !== undefined) checkOutPath(out);
    const model = stringOption(values, 'model'); // a folder or a hub id, resolved (and downloaded) only once the arguments are checked
    const int8 = values.int8 === true;
    if (int8) process.stderr.write(`circuit-inspector: int8 approximate mode. ${INT8_NOTE}\n`);
    let dir: string | undefined;
    const load = async (precision: Precision = int8 ? 'int8' : 'exact') => {
      dir ??= model === undefined ? shippedModelDir() : await resolveModelArg(model, { log: (line) => process.stderr.write(`${line}\n`) });
      const loaded = await loadHookedGpt2(dir, { layerNorm, prependBos: !values['no-bos'], precision });
      for (const w of loaded.warnings) process.stderr.write(`circuit-inspector: warning: ${w}\n`);
      return loaded;
    };
    if (command === 'prompts') {
      await runPromptsCommand(values, load, out); // JSONL, not JSON
      return 0;
    }
    const ran =
      command === 'precision-check'
        ? await precisionCheckCommand(values, load)
        : command === 'inspect'
          ? await inspectCommand(values, load)
          : command === 'lens'
            ? await lensCommand(values, load)
            : command === 'features'
              ? await featuresCommand(values, load)
              : await patchCommand(values, load);
    // An int8 run's output says so, first.
    const result = int8 && command !== 'precision-check' && typeof ran === 'object' && ran !== null ? { precision: 'int8', note: INT8_NOTE, ...ran } : ran;
    if (out !== undefined) await writeJsonFile(out, result);
    else await writeJsonStdout(result);
    return 0;
  } catch (e) {
    process.stderr.write(`circuit-inspector: ${errorMessage(e)}\n`);
    if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/** The message of an error; a JavaScript error from a bug says so rather than passing as a diagnosis. */
function errorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError) return `internal error (please report it): ${e.message}`;
  return e.message;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
