/**
 * circuit-inspector — headless CLI.
 *   circuit-inspector inspect [--model DIR] (--text T | --text-file F | --tokens IDS) [--top-k K] [--hooks H1,H2] [--logits none|last|all]
 *   circuit-inspector patch   [--model DIR] --clean T --corrupt T --answer TOK --wrong TOK [--sweeps ...] [--directions denoise,noise]
 * Common: [--layer-norm as_configured|identity] [--no-bos] [--out FILE] (JSON; stdout by default).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadHookedGpt2 } from '../model/loadHookedGpt2';
import { shippedModelDir } from '../model/shippedModel';
import { UsageError } from './cliArgs';
import { inspectCommand } from './inspectCommand';
import { patchCommand } from './patchCommand';
import { resolveModelArg } from './resolveModelArg';

const COMMON = {
  model: { type: 'string' },
  'layer-norm': { type: 'string' },
  'no-bos': { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `usage:
  circuit-inspector inspect [--model DIR] (--text TEXT | --text-file FILE | --tokens 50256,318,...)
                            [--top-k 10] [--hooks blocks.0.attn.hook_pattern,...] [--logits none|last|all]
  circuit-inspector patch   [--model DIR] (--clean TEXT | --clean-file F) (--corrupt TEXT | --corrupt-file F)
                            --answer TOKEN --wrong TOKEN [--sweeps resid_pre,attn_out,mlp_out,z,z_by_pos,q,k,v,pattern]
                            [--directions denoise,noise]
common options: --model DIR (default: the shipped model)  --layer-norm as_configured|identity
                --no-bos (don't prepend <|endoftext|>)   --out FILE (default: stdout)
TOKEN is text that is exactly one token (e.g. " c"), or #ID.`;

function splitCommon(argv: string[]): { common: Record<string, unknown>; rest: string[] } {
  const commonNames = new Set(Object.keys(COMMON).map((k) => `--${k}`));
  const common: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    if (commonNames.has(name) || a === '-h') {
      common.push(a);
      const def = COMMON[name.slice(2) as keyof typeof COMMON];
      if (def?.type === 'string' && !a.includes('=')) common.push(argv[++i]);
    } else rest.push(a);
  }
  return { common: parseArgs({ args: common, options: COMMON, strict: true }).values, rest };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    if (command !== 'inspect' && command !== 'patch') throw new UsageError(`unknown command '${command}' (inspect or patch)`);
    const { common, rest } = splitCommon(args);
    if (common.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const layerNorm = (common['layer-norm'] as string | undefined) ?? 'as_configured';
    if (layerNorm !== 'as_configured' && layerNorm !== 'identity') throw new UsageError(`--layer-norm: expected as_configured or identity, got '${layerNorm}'`);
    const model = common.model as string | undefined; // a folder or a hub id, resolved (and downloaded) only once the arguments are checked
    const load = async () => loadHookedGpt2(model === undefined ? shippedModelDir() : await resolveModelArg(model, { log: (line) => process.stderr.write(`${line}\n`) }), { layerNorm, prependBos: !common['no-bos'] });
    let result: unknown;
    if (command === 'inspect') result = await inspectCommand(rest, load);
    else result = await patchCommand(rest, load);
    const json = `${JSON.stringify(result, null, 1)}\n`;
    if (common.out) writeFileSync(common.out as string, json);
    else process.stdout.write(json);
    return 0;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`circuit-inspector: ${err.message}\n`);
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`${USAGE}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
